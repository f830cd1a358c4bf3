package client

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/test/integration/framework"
)

func newConfigMapInformer(lw cache.ListerWatcher[*core.ConfigMap]) cache.SharedIndexInformer[*core.ConfigMap] {
	return cache.NewSharedIndexInformer[*core.ConfigMap](lw, cache.InformerOptions[*core.ConfigMap]{
		Indexers:  cache.NamespaceIndexers[*core.ConfigMap](),
		Reflector: cache.ReflectorOptions{Name: "configmaps", InitialBackoff: 100 * time.Millisecond, MaxBackoff: time.Second},
	})
}

func TestInformerConvergesThroughManyWrites(t *testing.T) {
	srv := framework.StartAPIServer(t)
	c, _ := newRESTClient(t, srv)
	ensureNamespace(t, c, testNS)
	w := cmWriter{c}
	writeMix(t, w, "pre", 1, 20) // some state before the informer starts

	inf := newConfigMapInformer(informers.NewListWatch[core.ConfigMap](c, informers.ConfigMapsResource, testNS))
	states := newFinalStates()
	if _, err := inf.AddEventHandler(states); err != nil {
		t.Fatal(err)
	}
	runInformer(t, inf)

	writeMix(t, w, "load", 4, 250) // 1000 writes from 4 goroutines
	waitConverged(t, c, states, 30*time.Second)
	if got, want := len(inf.GetStore().List()), len(serverState(t, c)); got != want {
		t.Fatalf("cache holds %d objects, server %d", got, want)
	}
	if n := states.tombstoneCount(); n != 0 {
		t.Fatalf("%d tombstones without any re-list", n)
	}
}

func TestInformerSurvivesAPIServerRestart(t *testing.T) {
	srv := framework.StartAPIServer(t)
	c, _ := newRESTClient(t, srv)
	ensureNamespace(t, c, testNS)
	w := cmWriter{c}
	writeMix(t, w, "before", 2, 40)

	inf := newConfigMapInformer(informers.NewListWatch[core.ConfigMap](c, informers.ConfigMapsResource, testNS))
	states := newFinalStates()
	inf.AddEventHandler(states)
	runInformer(t, inf)

	// Writers keep going (retrying through the outage) while the server restarts.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); writeMix(t, w, "during", 2, 120) }()
	srv.Restart()
	// Deletes right after the restart, before the informer is surely back.
	ctx := context.Background()
	for i := range 5 {
		name := fmt.Sprintf("before-0-%d", 3*i+1) // objects writeMix did not delete
		if err := retry(30*time.Second, func() error { return w.delete(ctx, name) }); err != nil {
			t.Fatalf("delete %s: %v", name, err)
		}
	}
	wg.Wait()
	writeMix(t, w, "after", 1, 10)
	waitConverged(t, c, states, 60*time.Second)
	t.Logf("tombstones seen: %d", states.tombstoneCount())
}

func TestInformerRelistsOnGoneAndDeliversTombstones(t *testing.T) {
	srv := framework.StartAPIServer(t)
	c, _ := newRESTClient(t, srv)
	ensureNamespace(t, c, testNS)
	w := cmWriter{c}
	ctx := context.Background()
	for _, n := range []string{"keep", "change", "remove"} {
		if err := w.create(ctx, n, "0"); err != nil {
			t.Fatal(err)
		}
	}
	lw := newGatedLW(c)
	inf := newConfigMapInformer(lw)
	states := newFinalStates()
	inf.AddEventHandler(states)
	runInformer(t, inf)

	lw.pause()
	if err := w.update(ctx, "change", "1"); err != nil {
		t.Fatal(err)
	}
	if err := w.delete(ctx, "remove"); err != nil {
		t.Fatal(err)
	}
	if err := w.create(ctx, "new", "0"); err != nil {
		t.Fatal(err)
	}
	// Forget the history the informer would resume from: compact etcd and
	// restart the apiserver, whose watch cache then starts at the compaction.
	itCompactAll(t, srv)
	srv.Restart()
	lw.resume()

	waitConverged(t, c, states, 30*time.Second)
	if n := lw.lists.Load(); n != 2 {
		t.Fatalf("lists = %d, want 2 (the first, and the re-list after 410)", n)
	}
	if n := states.tombstoneCount(); n != 1 {
		t.Fatalf("tombstones = %d, want 1 (for the object deleted while unwatched)", n)
	}
}

func TestFactoryInformersShareOneWatch(t *testing.T) {
	srv := framework.StartAPIServer(t)
	c, counter := newRESTClient(t, srv)
	ensureNamespace(t, c, testNS)
	f := informers.NewSharedInformerFactory(c, 0, informers.WithNamespace(testNS))
	a, b := f.Core().ConfigMaps(), f.Core().ConfigMaps()
	sa, sb := newFinalStates(), newFinalStates()
	a.Informer().AddEventHandler(sa)
	b.Informer().AddEventHandler(sb)

	ctx, cancel := context.WithCancel(context.Background())
	defer func() { cancel(); f.Shutdown() }()
	lists0, watches0 := counter.lists.Load(), counter.watches.Load()
	f.Start(ctx)
	if synced := f.WaitForCacheSync(ctx); !synced[informers.ConfigMapsResource] {
		t.Fatalf("not synced: %v", synced)
	}
	if n := counter.lists.Load() - lists0; n != 1 {
		t.Fatalf("%d list requests for two informers of one resource, want 1", n)
	}
	w := cmWriter{c}
	if err := w.create(ctx, "shared", "0"); err != nil {
		t.Fatal(err)
	}
	waitConverged(t, c, sa, 10*time.Second)
	waitConverged(t, c, sb, 10*time.Second)
	if _, err := b.Lister().ByNamespace(testNS).Get("shared"); err != nil {
		t.Fatalf("lister: %v", err)
	}
	if n := counter.watches.Load() - watches0; n != 1 {
		t.Fatalf("%d watch requests for two informers of one resource, want 1", n)
	}
	// The server agrees, where it exports apiserver_registered_watchers (the
	// watch cache does; the gauge is process-wide, so wait for watchers of
	// earlier tests to unregister).
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, ok := registeredWatchers(t, srv, "configmaps")
		if !ok {
			t.Log("apiserver does not export apiserver_registered_watchers; relying on the counted watch requests")
			break
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("apiserver_registered_watchers{kind=configmaps} = %v, want 1", n)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition with a deadline
	}
}
