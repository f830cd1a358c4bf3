package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/embedded"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// compacted reports whether reading at rev fails because it was compacted.
func compacted(t *testing.T, rev int64) bool {
	t.Helper()
	_, err := client.Get(context.Background(), "any", clientv3.WithRev(rev))
	if err != nil && !errors.Is(err, rpctypes.ErrCompacted) {
		t.Fatal(err)
	}
	return err != nil
}

func TestCompactorsCoordinate(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a := etcd3.NewCompactor(client, time.Minute, zap.NewNop())
	b := etcd3.NewCompactor(client, time.Minute, zap.NewNop())
	// Another test's compactor state would confuse the count: start clean.
	if _, err := client.Delete(ctx, etcd3.CompactRevKey); err != nil {
		t.Fatal(err)
	}
	first := mustCreate(t, s, s, mkWidget("a", "red"))
	if err := a.Tick(ctx); err != nil { // a claims round 1: nothing to compact yet
		t.Fatal(err)
	}
	w := setColor(t, s, s, "a", "blue")
	if err := b.Tick(ctx); err != nil { // b lost round 1: it follows a
		t.Fatal(err)
	}
	setColor(t, s, s, "a", "green")
	if compacted(t, rvOf(first)) {
		t.Fatal("compacted before any compactor's second round")
	}
	if err := b.Tick(ctx); err != nil { // b claims round 2 and compacts to what it saw in round 1 (w)
		t.Fatal(err)
	}
	if !compacted(t, rvOf(first)) || compacted(t, rvOf(w)) {
		t.Fatalf("after b's round 2: want history compacted to exactly %d", rvOf(w))
	}
	latest := setColor(t, s, s, "a", "red")
	if err := a.Tick(ctx); err != nil { // a is behind: round 2 was b's, so a only follows
		t.Fatal(err)
	}
	if compacted(t, rvOf(w)+1) || compacted(t, rvOf(latest)) {
		t.Fatal("two compactions in one round")
	}
	if kv, err := client.Get(ctx, etcd3.CompactRevKey); err != nil || len(kv.Kvs) != 1 || kv.Kvs[0].Version != 2 {
		t.Fatalf("compact key after two rounds: %v, %v; want version 2", kv, err)
	}
	if _, err := s.Get(ctx, key(s, "a"), storage.GetOptions{}); err != nil {
		t.Fatalf("current data lost by compaction: %v", err)
	}
	done := make(chan struct{})
	cctx, cancel := context.WithCancel(ctx)
	go func() { defer close(done); etcd3.NewCompactor(client, 0, nil).Run(cctx) }()
	<-done // interval 0 disables: Run returns at once
	cancel()
}

func TestEmbeddedDataSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	curl, err := embedded.FreeURL()
	if err != nil {
		t.Fatal(err)
	}
	start := func() (*embedded.Etcd, *clientv3.Client) {
		e, err := embedded.Start(context.Background(), embedded.Config{DataDir: dir, ClientURL: curl, UnsafeNoFsync: true})
		if err != nil {
			t.Fatal(err)
		}
		c, err := clientv3.New(clientv3.Config{Endpoints: e.Endpoints(), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			e.Stop()
			t.Fatal(err)
		}
		return e, c
	}
	e, c := start()
	s := etcd3.New(c, "", "widgets", "/registry", newWidget, nil)
	created, err := s.Create(context.Background(), "/widgets/ns/a", mkWidget("a", "red"))
	c.Close()
	e.Stop()
	if err != nil {
		t.Fatal(err)
	}
	e, c = start()
	defer e.Stop()
	defer c.Close()
	s = etcd3.New(c, "", "widgets", "/registry", newWidget, nil)
	got, err := s.Get(context.Background(), "/widgets/ns/a", storage.GetOptions{})
	if err != nil || got.GetObjectMeta().ResourceVersion != created.GetObjectMeta().ResourceVersion {
		t.Fatalf("after restart: %+v, %v", got, err)
	}
}

func TestCacherSurvivesEtcdRestart(t *testing.T) {
	if testing.Short() {
		// Stopping etcd under an open watch stream waits for etcd's request
		// timeout (7s) before it closes the stream.
		t.Skip("slow: etcd waits 7s for open watch streams when it stops")
	}
	dir := t.TempDir()
	curl, err := embedded.FreeURL()
	if err != nil {
		t.Fatal(err)
	}
	purl, err := embedded.FreeURL()
	if err != nil {
		t.Fatal(err)
	}
	cfg := embedded.Config{DataDir: dir, ClientURL: curl, PeerURL: purl, UnsafeNoFsync: true}
	e, err := embedded.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { e.Stop() }()
	c, err := clientv3.New(clientv3.Config{Endpoints: e.Endpoints(), DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	st := etcd3.New(c, "", "widgets", "/registry", newWidget, nil)
	ch := startCacher(t, st, cacher.Config{})
	w, err := ch.Watch(context.Background(), prefix(st), storage.ListOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	want := writeMany(t, st, st, 10)
	e.Stop()
	if e, err = embedded.Start(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	// Writes after the restart reach the same watcher, exactly once, in order.
	var more []change
	for i := range 10 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := st.Create(ctx, key(st, fmt.Sprintf("after%d", i)), mkWidget(fmt.Sprintf("after%d", i), "red"))
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		more = append(more, change{meta.Added, out.GetObjectMeta().Name, rvOf(out)})
	}
	want = append(want, more...)
	equalChanges(t, changes(collect(t, w, len(want))), want)
	if n := ch.EtcdWatchCount(); n != 1 {
		t.Fatalf("etcd watches = %d, want 1", n)
	}
}
