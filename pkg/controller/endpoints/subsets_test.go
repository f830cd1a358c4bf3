package endpoints

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func epPod(name, ip string, ready bool, ports ...core.ContainerPort) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns"},
		Spec:   core.PodSpec{NodeName: "n1", Containers: []core.Container{{Name: "c", Ports: ports}}},
		Status: core.PodStatus{Phase: core.PodRunning, PodIP: ip}}
	if ready {
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}}
	}
	return p
}

func TestBuildSubsets(t *testing.T) {
	svc := &core.Service{Spec: core.ServiceSpec{Ports: []core.ServicePort{
		{Name: "http", Port: 80, TargetPort: intstr.FromString("web")},
		{Name: "metrics", Port: 9090, TargetPort: intstr.FromInt(9091), Protocol: core.ProtocolTCP},
	}}}
	web := func(n int32) core.ContainerPort { return core.ContainerPort{Name: "web", ContainerPort: n} }
	now := meta.Now()
	pods := []*core.Pod{
		epPod("b", "10.0.0.2", true, web(8080)),
		epPod("a", "10.0.0.1", true, web(8080)),
		epPod("c", "10.0.0.3", false, web(8080)),
		epPod("other-port", "10.0.0.4", true, web(8081)),
		epPod("no-ip", "", true, web(8080)),
		func() *core.Pod {
			p := epPod("deleting", "10.0.0.5", true, web(8080))
			p.DeletionTimestamp = &now
			return p
		}(),
		func() *core.Pod {
			p := epPod("done", "10.0.0.6", true, web(8080))
			p.Status.Phase = core.PodSucceeded
			return p
		}(),
	}
	got := BuildSubsets(svc, pods)
	if len(got) != 2 {
		t.Fatalf("%d subsets, want 2 (8080 and 8081): %+v", len(got), got)
	}
	s := got[0]
	if len(s.Ports) != 2 || s.Ports[0].Port != 8080 || s.Ports[0].Name != "http" || s.Ports[1].Port != 9091 {
		t.Fatalf("ports %+v", s.Ports)
	}
	if len(s.Addresses) != 2 || s.Addresses[0].IP != "10.0.0.1" || s.Addresses[1].IP != "10.0.0.2" {
		t.Fatalf("addresses %+v", s.Addresses)
	}
	if len(s.NotReadyAddresses) != 1 || s.NotReadyAddresses[0].IP != "10.0.0.3" {
		t.Fatalf("not ready %+v", s.NotReadyAddresses)
	}
	if s.Addresses[0].TargetRef == nil || s.Addresses[0].TargetRef.Name != "a" || *s.Addresses[0].NodeName != "n1" {
		t.Errorf("target ref %+v", s.Addresses[0])
	}
	if got[1].Ports[0].Port != 8081 || got[1].Addresses[0].IP != "10.0.0.4" {
		t.Errorf("second subset %+v", got[1])
	}
	svc.Spec.PublishNotReadyAddresses = true
	if got := BuildSubsets(svc, pods[:3]); len(got[0].Addresses) != 3 || len(got[0].NotReadyAddresses) != 0 {
		t.Errorf("publishNotReadyAddresses: %+v", got)
	}
}

func TestResolvePort(t *testing.T) {
	p := epPod("p", "1.1.1.1", true, core.ContainerPort{Name: "dns", ContainerPort: 53, Protocol: core.ProtocolUDP})
	tests := []struct {
		sp   core.ServicePort
		want int32
		ok   bool
	}{
		{core.ServicePort{Port: 80}, 80, true}, // unset targetPort: the port
		{core.ServicePort{Port: 80, TargetPort: intstr.FromInt(8080)}, 8080, true},
		{core.ServicePort{Port: 53, TargetPort: intstr.FromString("dns"), Protocol: core.ProtocolUDP}, 53, true},
		{core.ServicePort{Port: 53, TargetPort: intstr.FromString("dns")}, 0, false}, // TCP does not match UDP
		{core.ServicePort{Port: 53, TargetPort: intstr.FromString("nope"), Protocol: core.ProtocolUDP}, 0, false},
	}
	for i, tt := range tests {
		got, ok := ResolvePort(p, tt.sp)
		if got != tt.want || ok != tt.ok {
			t.Errorf("case %d: ResolvePort = %d, %v; want %d, %v", i, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSubsetsEqual(t *testing.T) {
	ref := func(name string) *core.ObjectReference {
		return &core.ObjectReference{Kind: "Pod", Namespace: "ns", Name: name, UID: "u-" + name}
	}
	addr := func(ip, pod string) core.EndpointAddress {
		return core.EndpointAddress{IP: ip, NodeName: meta.Ptr("n1"), TargetRef: ref(pod)}
	}
	port := core.EndpointPort{Name: "http", Port: 80, Protocol: core.ProtocolTCP}
	base := []core.EndpointSubset{{Addresses: []core.EndpointAddress{addr("10.0.0.1", "a"), addr("10.0.0.2", "b")},
		NotReadyAddresses: []core.EndpointAddress{addr("10.0.0.3", "c")}, Ports: []core.EndpointPort{port}}}
	edit := func(f func(s []core.EndpointSubset)) []core.EndpointSubset {
		cp := meta.DeepCopy(base)
		f(cp)
		return cp
	}
	tests := []struct {
		name string
		a, b []core.EndpointSubset
		want bool
	}{
		{"same content, other pointers", base, meta.DeepCopy(base), true},
		{"nil and empty list", nil, []core.EndpointSubset{}, true},
		{"empty address list and a missing one", []core.EndpointSubset{{Ports: []core.EndpointPort{port}}},
			[]core.EndpointSubset{{Addresses: []core.EndpointAddress{}, NotReadyAddresses: []core.EndpointAddress{}, Ports: []core.EndpointPort{port}}}, true},
		{"address moved to not ready", base, edit(func(s []core.EndpointSubset) {
			s[0].NotReadyAddresses = append(s[0].NotReadyAddresses, s[0].Addresses[1])
			s[0].Addresses = s[0].Addresses[:1]
		}), false},
		{"other IP", base, edit(func(s []core.EndpointSubset) { s[0].Addresses[0].IP = "10.0.0.9" }), false},
		{"other node", base, edit(func(s []core.EndpointSubset) { s[0].Addresses[0].NodeName = meta.Ptr("n2") }), false},
		{"node name dropped", base, edit(func(s []core.EndpointSubset) { s[0].Addresses[0].NodeName = nil }), false},
		{"target replaced (new uid)", base, edit(func(s []core.EndpointSubset) { s[0].Addresses[1].TargetRef.UID = "u-b2" }), false},
		{"hostname set", base, edit(func(s []core.EndpointSubset) { s[0].Addresses[0].Hostname = "h" }), false},
		{"port number", base, edit(func(s []core.EndpointSubset) { s[0].Ports[0].Port = 81 }), false},
		{"app protocol set", base, edit(func(s []core.EndpointSubset) { s[0].Ports[0].AppProtocol = meta.Ptr("http") }), false},
		{"one subset more", base, append(meta.DeepCopy(base), core.EndpointSubset{Ports: []core.EndpointPort{port}}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SubsetsEqual(tt.a, tt.b); got != tt.want {
				t.Errorf("SubsetsEqual = %v, want %v", got, tt.want)
			}
			if got := SubsetsEqual(tt.b, tt.a); got != tt.want {
				t.Errorf("SubsetsEqual (swapped) = %v, want %v", got, tt.want)
			}
			// The stored form (the Endpoints object through JSON) agrees.
			stored := func(s []core.EndpointSubset) *core.Endpoints {
				data, err := json.Marshal(&core.Endpoints{Subsets: s})
				if err != nil {
					t.Fatal(err)
				}
				var ep core.Endpoints
				if err := json.Unmarshal(data, &ep); err != nil {
					t.Fatal(err)
				}
				return &ep
			}
			if same := reflect.DeepEqual(stored(tt.a), stored(tt.b)); same != tt.want {
				t.Errorf("stored forms equal = %v, want %v", same, tt.want)
			}
		})
	}
}
