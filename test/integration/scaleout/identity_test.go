package scaleout

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/apiserver/identity"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const (
	endpointsPath = "/api/v1/namespaces/default/endpoints/kubernetes"
	servicePath   = "/api/v1/namespaces/default/services/kubernetes"
	leasesPath    = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"
)

// endpointsOf returns the kubernetes Endpoints as sorted "ip:port" (nil when
// absent) as srv serves them.
func endpointsOf(t *testing.T, srv *framework.TestServer) []string {
	t.Helper()
	code, data := do(t, srv, "GET", endpointsPath, nil)
	if code == http.StatusNotFound {
		return nil
	}
	if code != http.StatusOK {
		t.Fatalf("get kubernetes endpoints: %d: %s", code, data)
	}
	var e core.Endpoints
	mustDecode(t, data, &e)
	var out []string
	for _, ss := range e.Subsets {
		for _, a := range ss.Addresses {
			for _, p := range ss.Ports {
				out = append(out, identity.Endpoint{IP: a.IP, Port: p.Port}.String())
			}
		}
	}
	sort.Strings(out)
	return out
}

func addrOf(srv *framework.TestServer) string { return "127.0.0.1:" + portOf(srv) }

// waitEndpoints waits until srv serves the kubernetes Endpoints as want
// and returns how long that took.
func waitEndpoints(t *testing.T, srv *framework.TestServer, timeout time.Duration, want ...string) time.Duration {
	t.Helper()
	sort.Strings(want)
	start := time.Now()
	waitFor(t, timeout, fmt.Sprintf("kubernetes endpoints %v", want), func() (bool, string) {
		got := endpointsOf(t, srv)
		return strings.Join(got, " ") == strings.Join(want, " "), fmt.Sprint(got)
	})
	return time.Since(start)
}

// identityLeases lists the identity leases by name.
func identityLeases(t *testing.T, srv *framework.TestServer) map[string]coordination.Lease {
	t.Helper()
	var l coordination.LeaseList
	must(t, srv, http.StatusOK, "GET", leasesPath+"?labelSelector="+identity.IdentityLabel+"%3D"+identity.IdentityLabelValue, nil, &l)
	out := map[string]coordination.Lease{}
	for _, it := range l.Items {
		out[it.Name] = it
	}
	return out
}

// TestKubernetesEndpointsAndIdentity: both instances hold renewed identity
// leases and appear in the kubernetes Endpoints; the kubernetes Service
// exists; a graceful stop removes the instance at once, well within its
// master lease TTL.
func TestKubernetesEndpointsAndIdentity(t *testing.T) {
	a, b := startPair(t, framework.WithOptions(func(o *app.Options) {
		o.Identity.EndpointLeaseTTL = 30 * time.Second // so only a graceful removal can be this fast
	}))
	waitEndpoints(t, b, 20*time.Second, addrOf(a), addrOf(b))

	var svc core.Service
	must(t, a, http.StatusOK, "GET", servicePath, nil, &svc)
	if svc.Spec.ClusterIP != core.ClusterIPNone || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "http" || len(svc.Spec.Selector) != 0 {
		t.Fatalf("kubernetes service spec: %+v", svc.Spec)
	}

	leases := identityLeases(t, a)
	if len(leases) != 2 {
		t.Fatalf("identity leases: %v, want 2", keys(leases))
	}
	first := map[string]time.Time{}
	for name, l := range leases {
		s := l.Spec
		if !strings.HasPrefix(name, "apiserver-") || s.HolderIdentity == nil || !strings.HasPrefix(*s.HolderIdentity, name+"_") ||
			s.LeaseDurationSeconds == nil || *s.LeaseDurationSeconds != 3600 || s.RenewTime == nil || l.Labels[identity.HostnameLabel] == "" {
			t.Fatalf("identity lease %s: labels %v spec %+v", name, l.Labels, s)
		}
		first[name] = s.RenewTime.Time
	}
	waitFor(t, 10*time.Second, "both identity leases renewed", func() (bool, string) {
		now := identityLeases(t, b)
		for name, t0 := range first {
			if l, ok := now[name]; !ok || !l.Spec.RenewTime.After(t0) {
				return false, fmt.Sprintf("%s renewed at %v", name, l.Spec.RenewTime)
			}
		}
		return true, ""
	})

	a.Stop()
	took := waitEndpoints(t, b, 10*time.Second, addrOf(b))
	t.Logf("the kubernetes endpoints dropped the stopped instance after %s", took)
}

// TestEndpointsDropDeadInstance: an instance that stops renewing its master
// lease (a crash: nothing removes it) drops out of the kubernetes Endpoints
// within the lease TTL. The dead instance is a master lease written and
// then abandoned, the state a crashed instance leaves behind.
func TestEndpointsDropDeadInstance(t *testing.T) {
	a, b := startPair(t)
	waitEndpoints(t, a, 20*time.Second, addrOf(a), addrOf(b))

	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{a.EtcdEndpoint}, DialTimeout: 5 * time.Second,
		Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	defer cli.Close()
	const ttl = 3 * time.Second
	dead := identity.Endpoint{IP: "10.255.0.1", Port: 6443}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := identity.NewEtcdMasterLeases(cli, ttl).UpdateLease(ctx, dead); err != nil {
		t.Fatalf("write master lease: %v", err)
	}
	written := time.Now()
	waitEndpoints(t, b, 10*time.Second, addrOf(a), addrOf(b), dead.String())
	waitEndpoints(t, a, ttl+10*time.Second, addrOf(a), addrOf(b))
	t.Logf("the dead instance left the endpoints %s after its last renewal (TTL %s)", time.Since(written), ttl)
}

// TestExpiredIdentityLeasesCollected: a survivor deletes the identity lease
// of an instance gone for longer than its lease duration; its own leases and
// other leases stay.
func TestExpiredIdentityLeasesCollected(t *testing.T) {
	a, b := startPair(t)
	waitFor(t, 10*time.Second, "two identity leases", func() (bool, string) {
		l := identityLeases(t, a)
		return len(l) == 2, fmt.Sprint(keys(l))
	})
	old := meta.MicroTime{Time: time.Now().Add(-2 * time.Hour).UTC()}
	lease := func(name string, labels map[string]string) *coordination.Lease {
		return &coordination.Lease{
			TypeMeta:   meta.TypeMeta{APIVersion: "coordination.k8s.io/v1", Kind: "Lease"},
			ObjectMeta: meta.ObjectMeta{Name: name, Labels: labels},
			Spec: coordination.LeaseSpec{HolderIdentity: meta.Ptr(name + "_x"), LeaseDurationSeconds: meta.Ptr(int32(3600)),
				RenewTime: &old, AcquireTime: &old},
		}
	}
	must(t, b, http.StatusCreated, "POST", leasesPath, lease("apiserver-dead",
		map[string]string{identity.IdentityLabel: identity.IdentityLabelValue}), nil)
	must(t, b, http.StatusCreated, "POST", leasesPath, lease("some-leader-lock", nil), nil)
	waitFor(t, 10*time.Second, "the expired identity lease collected", func() (bool, string) {
		code, _ := do(t, a, "GET", leasesPath+"/apiserver-dead", nil)
		return code == http.StatusNotFound, fmt.Sprint(code)
	})
	must(t, a, http.StatusOK, "GET", leasesPath+"/some-leader-lock", nil, nil)
	if l := identityLeases(t, b); len(l) != 2 {
		t.Fatalf("live identity leases after collection: %v", keys(l))
	}
}

// TestConcurrentStartOnEmptyEtcd: two instances starting at once on an
// empty etcd both bootstrap the system namespaces and the kubernetes
// Service without error or duplicates, and both serve their own metrics
// (Prometheus collectors shared in one process do not clash).
func TestConcurrentStartOnEmptyEtcd(t *testing.T) {
	ep := startEtcd(t)
	insts := make([]*app.Instance, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range insts {
		o := app.NewOptions()
		o.EtcdServers, o.BindAddress, o.Port = []string{ep}, "127.0.0.1", 0
		o.EtcdCompactionInterval, o.ShutdownTimeout = 0, 5*time.Second
		fast(o)
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			insts[i], errs[i] = app.Start(ctx, o, zap.NewNop())
		}()
	}
	wg.Wait()
	for i, inst := range insts {
		if inst != nil {
			t.Cleanup(inst.Stop)
		}
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
	}
	if insts[0].ID == insts[1].ID {
		t.Fatalf("both instances named %s", insts[0].ID)
	}
	a, b := &framework.TestServer{URL: insts[0].URL}, &framework.TestServer{URL: insts[1].URL}
	var nsl core.NamespaceList
	must(t, a, http.StatusOK, "GET", "/api/v1/namespaces", nil, &nsl)
	var names []string
	for _, ns := range nsl.Items {
		names = append(names, ns.Name)
	}
	if strings.Join(names, ",") != "default,kube-node-lease,kube-public,kube-system" {
		t.Fatalf("namespaces: %v", names)
	}
	waitEndpoints(t, b, 20*time.Second, addrOf(a), addrOf(b))
	must(t, b, http.StatusOK, "GET", servicePath, nil, nil)
	for _, srv := range []*framework.TestServer{a, b} {
		code, data := do(t, srv, "GET", "/metrics", nil)
		if code != http.StatusOK || !strings.Contains(string(data), "apiserver_request_total") {
			t.Fatalf("metrics of %s: code %d", srv.URL, code)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
