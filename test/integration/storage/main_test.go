// Package storage tests the etcd store, the watch cache and the compactor
// against a real embedded etcd member started in-process on free ports.
package storage

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/embedded"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// member is the etcd member TestMain starts; client its gRPC client.
var (
	member *embedded.Etcd
	client *clientv3.Client
)

func TestMain(m *testing.M) { os.Exit(framework.LeakCheck(run(m))) }

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "storage-it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	member, err = embedded.Start(context.Background(), embedded.Config{DataDir: dir, UnsafeNoFsync: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer member.Stop()
	client, err = clientv3.New(clientv3.Config{Endpoints: member.Endpoints(), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer client.Close()
	return m.Run()
}

// widget is the test resource.
type widget struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Color           string `json:"color,omitempty"`
	Count           int    `json:"count,omitempty"`
}

func newWidget() meta.Object {
	return &widget{TypeMeta: meta.TypeMeta{Kind: "Widget", APIVersion: "test/v1"}}
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// newStore returns a store whose resource name is unique to the test, so
// tests sharing the etcd member never see each other's keys.
func newStore(t *testing.T) *etcd3.Store {
	t.Helper()
	res := strings.Trim(nonAlnum.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-")
	return etcd3.New(client, "", res, "/registry", newWidget, zap.NewNop())
}

func prefix(s *etcd3.Store) string        { return "/" + s.Resource() + "/" }
func key(s *etcd3.Store, n string) string { return prefix(s) + "ns/" + n }

func mkWidget(name, color string) *widget {
	w := newWidget().(*widget)
	w.Name, w.Namespace, w.Color = name, "ns", color
	return w
}

func mustCreate(t *testing.T, s storage.Interface, st *etcd3.Store, w *widget) *widget {
	t.Helper()
	out, err := s.Create(context.Background(), key(st, w.Name), w)
	if err != nil {
		t.Fatalf("create %s: %v", w.Name, err)
	}
	return out.(*widget)
}

// setColor updates a widget's color through GuaranteedUpdate.
func setColor(t *testing.T, s storage.Interface, st *etcd3.Store, name, color string) *widget {
	t.Helper()
	out, err := s.GuaranteedUpdate(context.Background(), key(st, name), nil, false, func(cur meta.Object) (meta.Object, error) {
		w := cur.(*widget)
		w.Color = color
		w.ResourceVersion = ""
		return w, nil
	})
	if err != nil {
		t.Fatalf("update %s: %v", name, err)
	}
	return out.(*widget)
}

func rvOf(o meta.Object) int64 {
	n, _ := strconv.ParseInt(o.GetObjectMeta().ResourceVersion, 10, 64)
	return n
}

// startCacher runs a cacher until the test ends and waits until it is ready.
func startCacher(t *testing.T, st *etcd3.Store, cfg cacher.Config) *cacher.Cacher {
	t.Helper()
	c, stop := runCacher(t, st, cfg)
	t.Cleanup(stop)
	return c
}

// runCacher runs a cacher until stop is called (stop waits for Run to end).
func runCacher(t testing.TB, st *etcd3.Store, cfg cacher.Config) (*cacher.Cacher, func()) {
	t.Helper()
	cfg.ResourcePrefix = prefix(st)
	c := cacher.New(st, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	stop := func() { cancel(); <-done }
	waitFor(t, 10*time.Second, "cacher ready", c.Ready)
	return c, stop
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// next receives one event, failing the test after timeout.
func next(t *testing.T, w storage.Watcher, timeout time.Duration) (storage.Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		return ev, ok
	case <-time.After(timeout):
		t.Fatalf("no event within %s", timeout)
		return storage.Event{}, false
	}
}

// collect receives n events that are not bookmarks.
func collect(t *testing.T, w storage.Watcher, n int) []storage.Event {
	t.Helper()
	var out []storage.Event
	for len(out) < n {
		ev, ok := next(t, w, 10*time.Second)
		if !ok {
			t.Fatalf("watch closed after %d of %d events", len(out), n)
		}
		if ev.Type == meta.Error {
			t.Fatalf("ERROR event: %+v", ev.Status)
		}
		if ev.Type != meta.Bookmark {
			out = append(out, ev)
		}
	}
	return out
}

// change is what a watcher must see for one write.
type change struct {
	typ  string
	name string
	rev  int64
}

func changes(evs []storage.Event) []change {
	out := make([]change, len(evs))
	for i, ev := range evs {
		out[i] = change{ev.Type, ev.Object.GetObjectMeta().Name, rvOf(ev.Object)}
	}
	return out
}

func equalChanges(t *testing.T, got, want []change) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d changes, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("change %d: got %v, want %v", i, got[i], want[i])
		}
	}
}
