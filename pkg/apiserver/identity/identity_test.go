package identity

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Options)
		wantErr string
	}{
		{"defaults", func(*Options) {}, ""},
		{"advertise ip", func(o *Options) { o.AdvertiseAddress = "10.0.0.7" }, ""},
		{"advertise not ip", func(o *Options) { o.AdvertiseAddress = "host.example" }, "not an IP"},
		{"reconciler none", func(o *Options) { o.EndpointReconcilerType = ReconcilerNone }, ""},
		{"reconciler unknown", func(o *Options) { o.EndpointReconcilerType = "master-count" }, "want lease or none"},
		{"id ok", func(o *Options) { o.ID = "a1" }, ""},
		{"id upper", func(o *Options) { o.ID = "A1" }, "RFC 1123"},
		{"zero renew", func(o *Options) { o.IdentityLeaseRenewInterval = 0 }, "must be positive"},
		{"sub-second ttl", func(o *Options) {
			o.EndpointLeaseTTL, o.EndpointReconcileInterval = 500*time.Millisecond, 100*time.Millisecond
		}, "at least 1s"},
		{"interval not shorter than ttl", func(o *Options) { o.EndpointReconcileInterval = o.EndpointLeaseTTL }, "must be shorter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOptions()
			tt.mutate(&o)
			err := o.Validate()
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLeaseName(t *testing.T) {
	a := LeaseName("", "host1", Endpoint{"127.0.0.1", 8080})
	if a != LeaseName("", "host1", Endpoint{"127.0.0.1", 8080}) {
		t.Fatalf("lease name not stable")
	}
	if a == LeaseName("", "host1", Endpoint{"127.0.0.1", 8081}) {
		t.Fatalf("two instances on one host share a lease name")
	}
	if !strings.HasPrefix(a, "apiserver-") || !isDNSLabel(a) {
		t.Fatalf("lease name %q is not apiserver-<DNS label>", a)
	}
	if got := LeaseName("b", "host1", Endpoint{"127.0.0.1", 8080}); got != "apiserver-b" {
		t.Fatalf("explicit id: got %q", got)
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in   string
		want Endpoint
		ok   bool
	}{
		{"10.0.0.1:6443", Endpoint{"10.0.0.1", 6443}, true},
		{"[fd00::1]:8080", Endpoint{"fd00::1", 8080}, true},
		{"host:80", Endpoint{}, false},
		{"10.0.0.1", Endpoint{}, false},
		{"10.0.0.1:0", Endpoint{}, false},
		{"10.0.0.1:70000", Endpoint{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseEndpoint(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.String() != tt.in {
			t.Errorf("String() = %q, want %q", got.String(), tt.in)
		}
	}
}

func TestAdvertiseAddress(t *testing.T) {
	ipnet := func(s string) net.Addr { ip, n, _ := net.ParseCIDR(s); n.IP = ip; return n }
	addrs := []net.Addr{ipnet("127.0.0.1/8"), ipnet("169.254.1.1/16"), ipnet("fd00::5/64"), ipnet("172.18.0.3/16"), ipnet("10.1.1.1/8")}
	tests := []struct {
		name, advertise, bind string
		addrs                 []net.Addr
		want                  string
	}{
		{"flag wins", "10.9.9.9", "127.0.0.1", addrs, "10.9.9.9"},
		{"specific bind", "", "127.0.0.1", addrs, "127.0.0.1"},
		{"first non-loopback ipv4", "", "0.0.0.0", addrs, "172.18.0.3"},
		{"unspecified ipv6 bind", "", "::", addrs, "172.18.0.3"},
		{"nothing usable", "", "", []net.Addr{ipnet("127.0.0.1/8")}, "127.0.0.1"},
	}
	for _, tt := range tests {
		if got := AdvertiseAddress(tt.advertise, tt.bind, tt.addrs); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRenewLease(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	want := leaseSpec{Name: "apiserver-x", Holder: "apiserver-x_1", Hostname: "h", Duration: time.Hour}

	l := renewLease(nil, want, t0)
	if l.Namespace != LeaseNamespace || l.Name != "apiserver-x" || !isIdentityLease(l) || l.Labels[HostnameLabel] != "h" {
		t.Fatalf("new lease meta: %+v", l.ObjectMeta)
	}
	if *l.Spec.HolderIdentity != "apiserver-x_1" || *l.Spec.LeaseDurationSeconds != 3600 ||
		!l.Spec.RenewTime.Equal(t0.Truncate(time.Microsecond)) || !l.Spec.AcquireTime.Equal(l.Spec.RenewTime.Time) ||
		*l.Spec.LeaseTransitions != 0 {
		t.Fatalf("new lease spec: %+v", l.Spec)
	}

	t1 := t0.Add(10 * time.Second)
	l = renewLease(l, want, t1)
	if !l.Spec.RenewTime.Equal(t1.Truncate(time.Microsecond)) || !l.Spec.AcquireTime.Equal(t0.Truncate(time.Microsecond)) ||
		*l.Spec.LeaseTransitions != 0 {
		t.Fatalf("renewal by the same holder: %+v", l.Spec)
	}

	t2 := t1.Add(10 * time.Second)
	restarted := want
	restarted.Holder = "apiserver-x_2"
	l = renewLease(l, restarted, t2)
	if *l.Spec.HolderIdentity != "apiserver-x_2" || !l.Spec.AcquireTime.Equal(t2.Truncate(time.Microsecond)) ||
		*l.Spec.LeaseTransitions != 1 {
		t.Fatalf("renewal by a restarted instance: %+v", l.Spec)
	}
}

func TestExpiredIdentityLeases(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	lease := func(name string, identity bool, renewedAgo time.Duration, dur int32) *coordination.Lease {
		l := &coordination.Lease{ObjectMeta: meta.ObjectMeta{Namespace: LeaseNamespace, Name: name}}
		if identity {
			l.Labels = map[string]string{IdentityLabel: IdentityLabelValue}
		}
		l.Spec.RenewTime = &meta.MicroTime{Time: now.Add(-renewedAgo)}
		l.Spec.LeaseDurationSeconds = &dur
		return l
	}
	noRenew := lease("never-renewed", true, 0, 1)
	noRenew.Spec.RenewTime = nil
	otherNS := lease("other-ns", true, 2*time.Hour, 60)
	otherNS.Namespace = "default"
	ls := []*coordination.Lease{
		lease("z-dead", true, 2*time.Hour, 3600),
		lease("a-dead", true, 61*time.Second, 60),
		lease("alive", true, 59*time.Second, 60),
		lease("self", true, 2*time.Hour, 3600),
		lease("leader-election", false, 2*time.Hour, 15),
		noRenew, otherNS,
	}
	var got []string
	for _, l := range expiredIdentityLeases(ls, "self", now) {
		got = append(got, l.Name)
	}
	if strings.Join(got, ",") != "a-dead,z-dead" {
		t.Fatalf("expired = %v, want [a-dead z-dead]", got)
	}
}

func TestEndpointSubsets(t *testing.T) {
	tests := []struct {
		name string
		eps  []Endpoint
		tls  bool
		want string
	}{
		{"none", nil, false, ""},
		{"one", []Endpoint{{"10.0.0.2", 8080}}, false, "8080/http:10.0.0.2"},
		{"sorted numerically, deduplicated", []Endpoint{{"10.0.0.10", 6443}, {"10.0.0.9", 6443}, {"10.0.0.10", 6443}}, true,
			"6443/https:10.0.0.9,10.0.0.10"},
		{"two ports on one host", []Endpoint{{"127.0.0.1", 8081}, {"127.0.0.1", 8080}}, false,
			"8080/http:127.0.0.1 8081/http:127.0.0.1"},
		{"ipv4 before ipv6", []Endpoint{{"fd00::1", 80}, {"10.0.0.1", 80}}, false, "80/http:10.0.0.1,fd00::1"},
	}
	for _, tt := range tests {
		var parts []string
		for _, ss := range endpointSubsets(tt.eps, tt.tls) {
			if len(ss.Ports) != 1 || ss.Ports[0].Protocol != core.ProtocolTCP {
				t.Fatalf("%s: ports %+v", tt.name, ss.Ports)
			}
			var ips []string
			for _, a := range ss.Addresses {
				ips = append(ips, a.IP)
			}
			parts = append(parts, strings.Join([]string{itoa(ss.Ports[0].Port), "/", ss.Ports[0].Name, ":", strings.Join(ips, ",")}, ""))
		}
		if got := strings.Join(parts, " "); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func itoa(p int32) string { return Endpoint{"1.1.1.1", p}.String()[len("1.1.1.1:"):] }

func TestServiceNeedsUpdate(t *testing.T) {
	want := kubernetesService(8080, false)
	tests := []struct {
		name      string
		cur       *core.Service
		update    bool
		wantPorts string
	}{
		{"same", kubernetesService(8080, false), false, "http/8080"},
		{"another instance's port", kubernetesService(8081, false), false, "http/8081"},
		{"tls turned off", kubernetesService(9443, true), true, "http/8080"},
		{"ports removed", func() *core.Service { s := kubernetesService(8080, false); s.Spec.Ports = nil; return s }(), true, "http/8080"},
		{"type changed", func() *core.Service {
			s := kubernetesService(8080, false)
			s.Spec.Type = core.ServiceTypeNodePort
			return s
		}(), true, "http/8080"},
	}
	for _, tt := range tests {
		tt.cur.Spec.Selector = map[string]string{"user": "set"}
		if got := serviceNeedsUpdate(tt.cur, want); got != tt.update {
			t.Errorf("%s: update %v, want %v", tt.name, got, tt.update)
		}
		var ports []string
		for _, p := range tt.cur.Spec.Ports {
			ports = append(ports, p.Name+"/"+itoa(p.Port))
		}
		if strings.Join(ports, ",") != tt.wantPorts || tt.cur.Spec.Type != core.ServiceTypeClusterIP {
			t.Errorf("%s: ports %v type %s, want %s ClusterIP", tt.name, ports, tt.cur.Spec.Type, tt.wantPorts)
		}
		if tt.cur.Spec.Selector["user"] != "set" {
			t.Errorf("%s: user fields must be left alone", tt.name)
		}
	}
}

func TestFlags(t *testing.T) {
	o := NewOptions()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--advertise-address=10.1.2.3", "--identity-lease-duration-seconds=120",
		"--identity-lease-renew-interval-seconds=5", "--endpoint-lease-ttl=20s", "--apiserver-id=x"}); err != nil {
		t.Fatal(err)
	}
	if o.AdvertiseAddress != "10.1.2.3" || o.IdentityLeaseDuration != 2*time.Minute || o.IdentityLeaseRenewInterval != 5*time.Second ||
		o.EndpointLeaseTTL != 20*time.Second || o.ID != "x" {
		t.Fatalf("parsed %+v", o)
	}
	if err := fs.Parse([]string{"--identity-lease-duration-seconds=1h"}); err == nil {
		t.Fatalf("a duration with a unit was accepted for a seconds flag")
	}
	if got := fs.Lookup("identity-lease-renew-interval-seconds").DefValue; got != "10" {
		t.Fatalf("default shown as %q, want 10", got)
	}
}
