package client

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// TestWorkqueueControllerLoop drives the pattern every controller uses
// against a real apiserver: handlers only enqueue keys, workers read the
// lister, failed syncs are retried with back-off, and the last sync of each
// key sees the server's final state.
func TestWorkqueueControllerLoop(t *testing.T) {
	srv := framework.StartAPIServer(t)
	c, _ := newRESTClient(t, srv)
	ensureNamespace(t, c, testNS)

	const queueName = "it_configmaps"
	f := informers.NewSharedInformerFactory(c, 0, informers.WithNamespace(testNS))
	cms := f.Core().ConfigMaps()
	q := workqueue.NewRateLimiting(queueName, workqueue.NewItemExponentialFailureRateLimiter[string](time.Millisecond, 50*time.Millisecond))
	enqueue := func(obj any) {
		if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
			q.Add(key)
		}
	}
	cms.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.ConfigMap]{
		AddFunc:    func(cm *core.ConfigMap) { enqueue(cm) },
		UpdateFunc: func(_, cm *core.ConfigMap) { enqueue(cm) },
		DeleteFunc: enqueue,
	})

	var (
		mu         sync.Mutex
		seen       = map[string]string{} // key -> rv at its last successful sync, or "deleted"
		inFlight   = map[string]bool{}
		overlaps   atomic.Int32
		failedOnce = map[string]bool{}
	)
	syncKey := func(key string) error {
		mu.Lock()
		if inFlight[key] {
			overlaps.Add(1)
		}
		inFlight[key] = true
		first := !failedOnce[key]
		failedOnce[key] = true
		mu.Unlock()
		defer func() { mu.Lock(); inFlight[key] = false; mu.Unlock() }()
		if first {
			return fmt.Errorf("first sync of %s fails on purpose", key)
		}
		ns, name, err := cache.SplitMetaNamespaceKey(key)
		if err != nil {
			return err
		}
		state := "deleted"
		cm, err := cms.Lister().ByNamespace(ns).Get(name)
		switch {
		case err == nil:
			state = cm.ResourceVersion
		case !apierrors.IsNotFound(err):
			return err
		}
		mu.Lock()
		seen[key] = state
		mu.Unlock()
		return nil
	}

	ctx, cancel := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	defer func() {
		q.ShutDown()
		workers.Wait()
		cancel()
		f.Shutdown()
	}()
	adds0 := queueCounter(t, "workqueue_adds_total", queueName)
	retries0 := queueCounter(t, "workqueue_retries_total", queueName)
	f.Start(ctx)
	if synced := f.WaitForCacheSync(ctx); !synced[informers.ConfigMapsResource] {
		t.Fatalf("not synced: %v", synced)
	}
	for range 3 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				key, shutdown := q.Get()
				if shutdown {
					return
				}
				if err := syncKey(key); err != nil {
					q.AddRateLimited(key)
				} else {
					q.Forget(key)
				}
				q.Done(key)
			}
		}()
	}

	writeMix(t, cmWriter{c}, "wq", 3, 100)
	want := serverState(t, c)
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		bad := ""
		for k, rv := range want {
			if seen[k] != rv {
				bad = fmt.Sprintf("%s: synced %q, server %s", k, seen[k], rv)
			}
		}
		for k, st := range seen {
			if _, ok := want[k]; !ok && st != "deleted" {
				bad = fmt.Sprintf("%s: synced %q, server has none", k, st)
			}
		}
		mu.Unlock()
		if bad == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("controller did not converge: %s", bad)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition with a deadline
	}
	if n := overlaps.Load(); n != 0 {
		t.Fatalf("a key was synced by two workers at once %d times", n)
	}
	adds := queueCounter(t, "workqueue_adds_total", queueName) - adds0
	retries := queueCounter(t, "workqueue_retries_total", queueName) - retries0
	if adds == 0 || retries == 0 {
		t.Fatalf("workqueue_adds_total grew by %v, workqueue_retries_total by %v; want both > 0", adds, retries)
	}
}

// queueCounter reads a workqueue counter for queue name from the default
// registry (0 when not reported yet).
func queueCounter(t *testing.T, family, name string) float64 {
	t.Helper()
	fams, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != family {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "name" && l.GetValue() == name {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
