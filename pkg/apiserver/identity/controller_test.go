package identity

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cluster is the shared state several Controllers (instances) work on.
type cluster struct {
	clock                       *fakeClock
	leases, services, endpoints *memStorage
	masterLeases                *fakeMasterLeases
}

func newCluster(t *testing.T) *cluster {
	table := registry.Default()
	var rs []*registry.Resource
	for _, gr := range [][2]string{{"coordination.k8s.io", "leases"}, {"", "services"}, {"", "endpoints"}} {
		r, ok := table.Lookup(gr[0], "v1", gr[1])
		if !ok {
			t.Fatalf("no resource %v", gr)
		}
		rs = append(rs, r)
	}
	st := newMemStorages(rs...)
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return &cluster{clock: clk, leases: st[0], services: st[1], endpoints: st[2],
		masterLeases: &fakeMasterLeases{now: func() int64 { return clk.Now().Unix() }, ttl: 15, expires: map[Endpoint]int64{}}}
}

func (c *cluster) instance(t *testing.T, ip string, port int32) *Controller {
	t.Helper()
	ctl, err := New(Config{
		Options:      NewOptions(),
		Hostname:     "host",
		Endpoint:     Endpoint{IP: ip, Port: port},
		Leases:       Store{Resource: c.leases.res, Storage: c.leases},
		Services:     Store{Resource: c.services.res, Storage: c.services},
		Endpoints:    Store{Resource: c.endpoints.res, Storage: c.endpoints},
		MasterLeases: c.masterLeases,
		Now:          c.clock.Now,
	})
	if err != nil {
		t.Fatalf("new controller: %v", err)
	}
	return ctl
}

// published returns the kubernetes Endpoints as "ip:port ..." (sorted as
// written) or "absent".
func (c *cluster) published(t *testing.T) string {
	t.Helper()
	obj, err := c.endpoints.Get(context.Background(), c.endpoints.res.Key(ServiceNamespace, ServiceName), storage.GetOptions{})
	if err != nil {
		return "absent"
	}
	var out []string
	for _, ss := range obj.(*core.Endpoints).Subsets {
		for _, a := range ss.Addresses {
			out = append(out, Endpoint{a.IP, ss.Ports[0].Port}.String())
		}
	}
	return strings.Join(out, " ")
}

func mustRun(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestEndpointsFollowLiveInstances(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t)
	a, b := c.instance(t, "10.0.0.2", 6443), c.instance(t, "10.0.0.1", 6443)
	mustRun(t, "sync a", a.syncEndpoints(ctx))
	if got := c.published(t); got != "10.0.0.2:6443" {
		t.Fatalf("after a: %q", got)
	}
	mustRun(t, "sync b", b.syncEndpoints(ctx))
	mustRun(t, "sync a", a.syncEndpoints(ctx))
	if got := c.published(t); got != "10.0.0.1:6443 10.0.0.2:6443" {
		t.Fatalf("after both: %q", got)
	}
	writes := c.endpoints.writes + c.services.writes
	mustRun(t, "sync a", a.syncEndpoints(ctx))
	mustRun(t, "sync b", b.syncEndpoints(ctx))
	if w := c.endpoints.writes + c.services.writes - writes; w != 0 {
		t.Fatalf("%d writes when nothing changed", w)
	}

	// a stops renewing (a crash): b's rounds drop it once its lease expires
	c.clock.Advance(10 * time.Second)
	mustRun(t, "sync b", b.syncEndpoints(ctx))
	if got := c.published(t); got != "10.0.0.1:6443 10.0.0.2:6443" {
		t.Fatalf("before a's lease expired: %q", got)
	}
	c.clock.Advance(6 * time.Second)
	mustRun(t, "sync b", b.syncEndpoints(ctx))
	if got := c.published(t); got != "10.0.0.1:6443" {
		t.Fatalf("after a's lease expired: %q", got)
	}

	// a comes back, then shuts down gracefully: out at once
	mustRun(t, "sync a", a.syncEndpoints(ctx))
	if got := c.published(t); got != "10.0.0.1:6443 10.0.0.2:6443" {
		t.Fatalf("after a came back: %q", got)
	}
	mustRun(t, "shutdown a", a.Shutdown(ctx))
	if got := c.published(t); got != "10.0.0.1:6443" {
		t.Fatalf("after a's shutdown: %q", got)
	}
	mustRun(t, "shutdown b", b.Shutdown(ctx))
	if got := c.published(t); got != "" {
		t.Fatalf("after every instance stopped: %q, want no addresses", got)
	}
}

func TestServiceWrittenOnceByInstancesOnDifferentPorts(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t)
	a, b := c.instance(t, "127.0.0.1", 8080), c.instance(t, "127.0.0.1", 8081)
	for i := 0; i < 3; i++ {
		mustRun(t, "sync a", a.syncEndpoints(ctx))
		mustRun(t, "sync b", b.syncEndpoints(ctx))
	}
	if c.services.writes != 1 {
		t.Fatalf("service written %d times, want once (no flapping between ports)", c.services.writes)
	}
	if got := c.published(t); got != "127.0.0.1:8080 127.0.0.1:8081" {
		t.Fatalf("endpoints %q", got)
	}
	obj, err := c.services.Get(ctx, c.services.res.Key(ServiceNamespace, ServiceName), storage.GetOptions{})
	mustRun(t, "get service", err)
	svc := obj.(*core.Service)
	if svc.Spec.ClusterIP != core.ClusterIPNone || svc.Spec.Ports[0].Port != 8080 || svc.UID == "" {
		t.Fatalf("service: %+v %+v", svc.ObjectMeta, svc.Spec)
	}
}

func getLease(t *testing.T, c *cluster, name string) (*coordination.Lease, bool) {
	t.Helper()
	obj, err := c.leases.Get(context.Background(), c.leases.res.Key(LeaseNamespace, name), storage.GetOptions{})
	if err != nil {
		return nil, false
	}
	return obj.(*coordination.Lease), true
}

func TestIdentityLeaseRenewedAndCollected(t *testing.T) {
	ctx := context.Background()
	c := newCluster(t)
	a, b := c.instance(t, "10.0.0.1", 6443), c.instance(t, "10.0.0.2", 6443)
	mustRun(t, "renew a", a.renewIdentity(ctx))
	mustRun(t, "renew b", b.renewIdentity(ctx))
	la, ok := getLease(t, c, a.LeaseName())
	if !ok || *la.Spec.HolderIdentity != a.Holder() || la.CreationTimestamp.IsZero() || la.UID == "" {
		t.Fatalf("a's lease: %+v", la)
	}
	first := la.Spec.RenewTime.Time

	c.clock.Advance(10 * time.Second)
	mustRun(t, "renew a", a.renewIdentity(ctx))
	if la, _ = getLease(t, c, a.LeaseName()); !la.Spec.RenewTime.After(first) {
		t.Fatalf("renewTime %v not after %v", la.Spec.RenewTime, first)
	}

	// a is gone for longer than the lease duration; b keeps renewing
	c.clock.Advance(time.Hour + time.Second)
	mustRun(t, "renew b", b.renewIdentity(ctx))
	mustRun(t, "collect a's own view", a.collectExpired(ctx)) // a never collects itself
	if _, ok := getLease(t, c, a.LeaseName()); !ok {
		t.Fatalf("an instance collected its own lease")
	}
	mustRun(t, "collect", b.collectExpired(ctx))
	if _, ok := getLease(t, c, a.LeaseName()); ok {
		t.Fatalf("a's expired lease not collected")
	}
	if _, ok := getLease(t, c, b.LeaseName()); !ok {
		t.Fatalf("b's live lease collected")
	}
}

func TestStartAndShutdown(t *testing.T) {
	c := newCluster(t)
	opts := NewOptions()
	opts.IdentityLeaseRenewInterval, opts.EndpointReconcileInterval, opts.IdentityLeaseGCPeriod = 5*time.Millisecond, 5*time.Millisecond, 5*time.Millisecond
	ctl, err := New(Config{
		Options: opts, Endpoint: Endpoint{"10.0.0.9", 6443},
		Leases:       Store{Resource: c.leases.res, Storage: c.leases},
		Services:     Store{Resource: c.services.res, Storage: c.services},
		Endpoints:    Store{Resource: c.endpoints.res, Storage: c.endpoints},
		MasterLeases: &fakeMasterLeases{now: func() int64 { return time.Now().Unix() }, ttl: 15, expires: map[Endpoint]int64{}},
	})
	mustRun(t, "new", err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctl.Start(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for c.published(t) != "10.0.0.9:6443" {
		if time.Now().After(deadline) {
			t.Fatalf("endpoints never published: %q", c.published(t))
		}
		time.Sleep(5 * time.Millisecond) // polling a condition with a deadline
	}
	if _, ok := getLease(t, c, ctl.LeaseName()); !ok {
		t.Fatalf("no identity lease")
	}
	mustRun(t, "shutdown", ctl.Shutdown(context.Background()))
	if got := c.published(t); got != "" {
		t.Fatalf("after shutdown: %q", got)
	}
	// Shutdown waited for the loops; goleak (TestMain) checks none is left.
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	c := newCluster(t)
	base := Config{Options: NewOptions(), Endpoint: Endpoint{"10.0.0.1", 1},
		Leases:    Store{Resource: c.leases.res, Storage: c.leases},
		Services:  Store{Resource: c.services.res, Storage: c.services},
		Endpoints: Store{Resource: c.endpoints.res, Storage: c.endpoints}, MasterLeases: c.masterLeases}
	tests := []struct {
		name   string
		mutate func(*Config)
		ok     bool
	}{
		{"complete", func(*Config) {}, true},
		{"no leases", func(c *Config) { c.Leases = Store{} }, false},
		{"no master leases", func(c *Config) { c.MasterLeases = nil }, false},
		{"reconciler none needs no endpoints", func(c *Config) {
			c.EndpointReconcilerType, c.MasterLeases, c.Endpoints = ReconcilerNone, nil, Store{}
		}, true},
		{"bad endpoint", func(c *Config) { c.Endpoint = Endpoint{"host", 1} }, false},
	}
	for _, tt := range tests {
		cfg := base
		tt.mutate(&cfg)
		_, err := New(cfg)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
