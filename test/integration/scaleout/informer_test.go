package scaleout

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// listCounter counts the LIST and WATCH requests a client sends.
type listCounter struct {
	base    http.RoundTripper
	lists   atomic.Int32
	watches atomic.Int32
}

func (c *listCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	q := req.URL.Query()
	if req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/configmaps") {
		if q.Get("watch") == "" {
			c.lists.Add(1)
		} else {
			c.watches.Add(1)
		}
	}
	return c.base.RoundTrip(req)
}

// addCounter records every OnAdd/OnUpdate/OnDelete of an informer.
type addCounter struct {
	mu      sync.Mutex
	adds    map[string]int
	updates int
	deletes int
}

func (a *addCounter) OnAdd(cm *core.ConfigMap, _ bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.adds[cm.Name]++
}
func (a *addCounter) OnUpdate(_, _ *core.ConfigMap) { a.mu.Lock(); a.updates++; a.mu.Unlock() }
func (a *addCounter) OnDelete(any)                  { a.mu.Lock(); a.deletes++; a.mu.Unlock() }

func (a *addCounter) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.adds)
}

// TestInformerFailsOverThroughBalancer: an informer reaches two instances
// through a load balancer; the instance serving its watch stops mid-stream
// while writes continue on the other. The informer re-watches through the
// balancer from its last resourceVersion: every object arrives exactly
// once, with no re-list.
func TestInformerFailsOverThroughBalancer(t *testing.T) {
	a, b := startPair(t)
	lb := startBalancer(t, addrOf(a), addrOf(b))
	counter := &listCounter{base: http.DefaultTransport.(*http.Transport).Clone()}
	c, err := rest.New(&rest.Config{Host: lb.URL, QPS: -1, Transport: counter, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("rest client: %v", err)
	}
	t.Cleanup(c.CloseIdleConnections)

	inf := cache.NewSharedIndexInformer[*core.ConfigMap](
		informers.NewListWatch[core.ConfigMap](c, informers.ConfigMapsResource, "default"),
		cache.InformerOptions[*core.ConfigMap]{
			Reflector: cache.ReflectorOptions{Name: "configmaps", InitialBackoff: 50 * time.Millisecond, MaxBackoff: time.Second},
		})
	adds := &addCounter{adds: map[string]int{}}
	if _, err := inf.AddEventHandler(adds); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); inf.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	syncCtx, cancelSync := context.WithTimeout(ctx, 30*time.Second)
	defer cancelSync()
	if !cache.WaitForCacheSync(syncCtx, inf.HasSynced) {
		t.Fatal("informer did not sync")
	}

	const n = 80
	writeErr := make(chan error, 1)
	go func() { // writes go to the survivor directly
		for i := 0; i < n; i++ {
			if code, body := postCM(b.URL, cmName("inf", i)); code != http.StatusCreated {
				writeErr <- fmt.Errorf("create %d: code %d: %s", i, code, body)
				return
			}
		}
		writeErr <- nil
	}()
	waitFor(t, 20*time.Second, "20 objects through A", func() (bool, string) {
		return adds.count() >= 20, fmt.Sprint(adds.count())
	})
	a.Stop()
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "every object after the failover", func() (bool, string) {
		return adds.count() == n, fmt.Sprint(adds.count())
	})
	adds.mu.Lock()
	defer adds.mu.Unlock()
	for name, k := range adds.adds {
		if k != 1 {
			t.Errorf("%s added %d times", name, k)
		}
	}
	if adds.updates != 0 || adds.deletes != 0 {
		t.Errorf("%d updates and %d deletes, want none (no re-list)", adds.updates, adds.deletes)
	}
	if l := counter.lists.Load(); l != 1 {
		t.Errorf("%d LIST requests, want the initial one only", l)
	}
	if w := counter.watches.Load(); w < 2 {
		t.Errorf("%d WATCH requests: the watch never moved to the survivor", w)
	}
}
