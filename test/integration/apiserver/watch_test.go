package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const cmPath = "/api/v1/namespaces/default/configmaps"

// writeN creates n ConfigMaps named prefix-i and returns their resourceVersions.
func writeN(c *client, prefix string, from, to int) []string {
	var rvs []string
	for i := from; i < to; i++ {
		var cm core.ConfigMap
		c.must(http.StatusCreated, "POST", cmPath, configMap(fmt.Sprintf("%s-%03d", prefix, i), nil), &cm)
		rvs = append(rvs, cm.ResourceVersion)
	}
	return rvs
}

func listRV(c *client, path string) string {
	var l meta.List[core.ConfigMap]
	c.must(http.StatusOK, "GET", path, nil, &l)
	return l.ListMeta.ResourceVersion
}

// collect reads events until it has seen n objects; it returns their names in order.
func collect(t *testing.T, w *watchStream, n int) (names []string, lastRV string) {
	t.Helper()
	for len(names) < n {
		ev, ok := w.next(t)
		if !ok {
			t.Fatalf("watch ended after %d of %d events", len(names), n)
		}
		if ev.Type == meta.Bookmark {
			continue
		}
		if ev.Type != meta.Added {
			t.Fatalf("event %s: %s", ev.Type, ev.Object)
		}
		m := objMeta(t, ev.Object)
		names = append(names, m.Name)
		lastRV = m.ResourceVersion
	}
	return names, lastRV
}

func checkSequence(t *testing.T, names []string, prefix string, from int) {
	t.Helper()
	for i, n := range names {
		if want := fmt.Sprintf("%s-%03d", prefix, from+i); n != want {
			t.Fatalf("event %d is %s, want %s (missed, duplicated or reordered)", i, n, want)
		}
	}
}

// TestWatchResumeExact: list, write 100 objects, read half from a watch,
// stop it, resume from the last resourceVersion seen: every event exactly
// once, in order.
func TestWatchResumeExact(t *testing.T) {
	c := newClient(t)
	rv := listRV(c, cmPath)
	writeN(c, "cm", 0, 100)
	w := c.watch(cmPath + "?watch=1&resourceVersion=" + rv)
	first, last := collect(t, w, 50)
	w.stop()
	checkSequence(t, first, "cm", 0)
	w2 := c.watch(cmPath + "?watch=1&resourceVersion=" + last)
	rest, _ := collect(t, w2, 50)
	checkSequence(t, rest, "cm", 50)
}

// TestWatchExactAcrossRestart: a watch resumed after an apiserver (and
// etcd) restart from the last version seen misses nothing.
func TestWatchExactAcrossRestart(t *testing.T) {
	c := newClient(t)
	rv := listRV(c, cmPath)
	writeN(c, "r", 0, 20)
	w := c.watch(cmPath + "?watch=1&resourceVersion=" + rv)
	first, last := collect(t, w, 10)
	checkSequence(t, first, "r", 0)
	c.srv.Restart()
	writeN(c, "r", 20, 30)
	w2 := c.watch(cmPath + "?watch=1&resourceVersion=" + last)
	rest, _ := collect(t, w2, 20)
	checkSequence(t, rest, "r", 10)
}

// TestWatchGoneAfterCompaction: watching from a compacted version gives one
// ERROR event with a 410 Expired Status.
func TestWatchGoneAfterCompaction(t *testing.T) {
	c := newClient(t)
	rvs := writeN(c, "g", 0, 5)
	ec, err := clientv3.New(clientv3.Config{Endpoints: []string{c.srv.EtcdEndpoint}, DialTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	last, _ := strconv.ParseInt(rvs[len(rvs)-1], 10, 64)
	if _, err := ec.Compact(context.Background(), last, clientv3.WithCompactPhysical()); err != nil {
		t.Fatal(err)
	}
	w := c.watch(cmPath + "?watch=1&resourceVersion=" + rvs[0])
	ev, ok := w.next(t)
	if !ok || ev.Type != meta.Error {
		t.Fatalf("got %v %s, want ERROR", ok, ev.Type)
	}
	var st meta.Status
	mustJSON(t, ev.Object, &st)
	if st.Code != http.StatusGone || st.Reason != meta.StatusReasonGone {
		t.Fatalf("status %+v", st)
	}
}

// TestSlowWatcherDoesNotBlockFast: a watcher that never reads does not keep
// another from seeing every event.
func TestSlowWatcherDoesNotBlockFast(t *testing.T) {
	c := newClient(t)
	rv := listRV(c, cmPath)
	slow, err := http.Get(c.srv.URL + cmPath + "?watch=1&resourceVersion=" + rv)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Body.Close() // never read
	fast := c.watch(cmPath + "?watch=1&resourceVersion=" + rv)
	writeN(c, "s", 0, 200)
	names, _ := collect(t, fast, 200)
	checkSequence(t, names, "s", 0)
}

// TestWatchTimeoutSeconds: the stream ends when timeoutSeconds elapse.
func TestWatchTimeoutSeconds(t *testing.T) {
	c := newClient(t)
	start := time.Now()
	w := c.watch(cmPath + "?watch=1&timeoutSeconds=1&resourceVersion=" + listRV(c, cmPath))
	for {
		if _, ok := w.next(t); !ok {
			break
		}
	}
	if d := time.Since(start); d < time.Second || d > 5*time.Second {
		t.Fatalf("watch ended after %v, want about 1s", d)
	}
}

// TestWatchSelectorsAndTransitions: a label-selected watch sees an object
// that starts matching as ADDED and one that stops as DELETED.
func TestWatchSelectorsAndTransitions(t *testing.T) {
	c := newClient(t)
	rv := listRV(c, cmPath)
	w := c.watch(cmPath + "?watch=1&labelSelector=app%3Dweb&resourceVersion=" + rv)
	cm := configMap("sel", nil)
	c.must(http.StatusCreated, "POST", cmPath, cm, nil)
	c.must(http.StatusOK, "PATCH", cmPath+"/sel", `{"metadata":{"labels":{"app":"web"}}}`, nil, "application/merge-patch+json")
	c.must(http.StatusOK, "PATCH", cmPath+"/sel", `{"metadata":{"labels":{"app":"db"}}}`, nil, "application/merge-patch+json")
	for _, want := range []string{meta.Added, meta.Deleted} {
		ev, ok := w.next(t)
		if !ok || ev.Type != want {
			t.Fatalf("got %s (open %v), want %s", ev.Type, ok, want)
		}
	}
}

// TestWatchBookmarks: with allowWatchBookmarks a quiet watch gets BOOKMARK
// events carrying only a resourceVersion, at least the latest written.
func TestWatchBookmarks(t *testing.T) {
	c := newClient(t)
	rvs := writeN(c, "b", 0, 1)
	w := c.watch(cmPath + "?watch=1&allowWatchBookmarks=true&resourceVersion=" + rvs[0])
	for {
		ev, ok := w.next(t)
		if !ok {
			t.Fatal("watch ended without a bookmark")
		}
		if ev.Type != meta.Bookmark {
			t.Fatalf("unexpected %s event", ev.Type)
		}
		var o struct {
			Kind     string          `json:"kind"`
			Metadata meta.ObjectMeta `json:"metadata"`
		}
		mustJSON(t, ev.Object, &o)
		got, _ := strconv.ParseInt(o.Metadata.ResourceVersion, 10, 64)
		want, _ := strconv.ParseInt(rvs[0], 10, 64)
		if o.Kind != "ConfigMap" || got < want || o.Metadata.Name != "" {
			t.Fatalf("bookmark %s", ev.Object)
		}
		return
	}
}

// TestTwoAPIServersOneEtcd: a resourceVersion from one apiserver is valid on
// another on the same etcd: list on A, write on A, watch on B from A's list
// version sees every write exactly once.
func TestTwoAPIServersOneEtcd(t *testing.T) {
	a := newClient(t)
	b := &client{t: t, srv: framework.StartAPIServer(t, framework.WithEtcdServers(a.srv.EtcdEndpoint))}
	rv := listRV(a, cmPath)
	writeN(a, "ab", 0, 30)
	w := b.watch(cmPath + "?watch=1&resourceVersion=" + rv)
	names, _ := collect(t, w, 30)
	checkSequence(t, names, "ab", 0)
	var cm core.ConfigMap
	b.must(http.StatusOK, "GET", cmPath+"/ab-007", nil, &cm)
}
