package e2e

import (
	"reflect"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func pod(name, node string, ready bool, mods ...func(*core.Pod)) core.Pod {
	p := core.Pod{ObjectMeta: meta.ObjectMeta{Name: name}, Spec: core.PodSpec{NodeName: node},
		Status: core.PodStatus{Phase: core.PodRunning}}
	status := core.ConditionFalse
	if ready {
		status = core.ConditionTrue
	}
	p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: status}}
	for _, m := range mods {
		m(&p)
	}
	return p
}

func deleting(p *core.Pod)  { p.DeletionTimestamp = meta.Ptr(meta.Now()) }
func succeeded(p *core.Pod) { p.Status.Phase = core.PodSucceeded }

func TestConverged(t *testing.T) {
	spread := []core.Pod{pod("a", "n1", true), pod("b", "n2", true), pod("c", "n3", true),
		pod("d", "n1", true), pod("e", "n2", true), pod("f", "n3", true)}
	tests := []struct {
		name     string
		pods     []core.Pod
		want     int
		minNodes int
		avoid    []string
		ok       bool
	}{
		{"six over three nodes", spread, 6, 3, nil, true},
		{"too few ready", append(spread[:5:5], pod("f", "n3", false)), 6, 3, nil, false},
		{"too many", append(spread[:6:6], pod("g", "n1", true)), 6, 3, nil, false},
		{"not spread", []core.Pod{pod("a", "n1", true), pod("b", "n1", true)}, 2, 2, nil, false},
		{"avoided node still has pods", spread, 6, 2, []string{"n3"}, false},
		{"terminating pods on the avoided node do not count",
			[]core.Pod{pod("a", "n1", true), pod("b", "n2", true), pod("c", "n3", true, deleting)}, 2, 2, []string{"n3"}, true},
		{"finished pods do not count", []core.Pod{pod("a", "n1", true), pod("b", "n2", true, succeeded)}, 1, 1, nil, true},
		{"unscheduled pods do not count", []core.Pod{pod("a", "", true)}, 1, 1, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := converged(tt.pods, tt.want, tt.minNodes, tt.avoid...)
			if ok != tt.ok {
				t.Fatalf("converged = %v (%s), want %v", ok, why, tt.ok)
			}
		})
	}
}

func TestEndpointPodNamesMatchReadyPods(t *testing.T) {
	ep := &core.Endpoints{Subsets: []core.EndpointSubset{{
		Addresses: []core.EndpointAddress{
			{IP: "10.0.0.2", TargetRef: &core.ObjectReference{Kind: "Pod", Name: "web-b"}},
			{IP: "10.0.0.1", TargetRef: &core.ObjectReference{Kind: "Pod", Name: "web-a"}},
			{IP: "10.0.0.9"},
		},
		NotReadyAddresses: []core.EndpointAddress{{IP: "10.0.0.3", TargetRef: &core.ObjectReference{Kind: "Pod", Name: "web-c"}}},
	}}}
	pods := []core.Pod{pod("web-a", "n1", true), pod("web-b", "n2", true), pod("web-c", "n3", false), pod("web-d", "n3", true, deleting)}
	got, want := endpointPodNames(ep), readyPodNames(pods)
	if !reflect.DeepEqual(got, []string{"web-a", "web-b"}) || !reflect.DeepEqual(got, want) {
		t.Fatalf("endpoint pods %v, ready pods %v", got, want)
	}
}

func TestLeaderHost(t *testing.T) {
	for in, want := range map[string]string{
		"scheduler-1_d0387d080284c75c":          "scheduler-1",
		"controller-manager-2_e66c8ed275529bff": "controller-manager-2",
		"host_with_underscores_0123":            "host_with_underscores",
		"plain":                                 "plain",
		"":                                      "",
	} {
		if got := leaderHost(in); got != want {
			t.Errorf("leaderHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnhealthyTargets(t *testing.T) {
	body := []byte(`{"status":"success","data":{"activeTargets":[
		{"labels":{"job":"apiserver","instance":"apiserver:8080"},"health":"up","lastError":""},
		{"labels":{"job":"kubelet","instance":"node-2:10250"},"health":"down","lastError":"connection refused"},
		{"labels":{"job":"etcd","instance":"etcd-1:2379"},"health":"unknown","lastError":""}]}}`)
	bad, total, err := unhealthyTargets(body)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"etcd etcd-1:2379: unknown ", "kubelet node-2:10250: down connection refused"}
	if total != 3 || !reflect.DeepEqual(bad, want) {
		t.Fatalf("got %q of %d, want %q of 3", bad, total, want)
	}
	if _, _, err := unhealthyTargets([]byte(`{"status":"error"}`)); err == nil {
		t.Fatal("an error answer was accepted")
	}
	if _, _, err := unhealthyTargets([]byte(`not json`)); err == nil {
		t.Fatal("garbage was accepted")
	}
}

func TestVectorInstances(t *testing.T) {
	body := []byte(`{"status":"success","data":{"resultType":"vector","result":[
		{"metric":{"__name__":"etcd_server_is_leader","instance":"etcd-3:2379","job":"etcd"},"value":[1,"1"]}]}}`)
	got, err := vectorInstances(body)
	if err != nil || !reflect.DeepEqual(got, []string{"etcd-3:2379"}) {
		t.Fatalf("got %q, %v", got, err)
	}
	empty := []byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`)
	if got, err := vectorInstances(empty); err != nil || len(got) != 0 {
		t.Fatalf("empty answer: %q, %v", got, err)
	}
	for _, bad := range []string{`{"status":"error"}`, `{"status":"success","data":{"resultType":"matrix"}}`, `[`} {
		if _, err := vectorInstances([]byte(bad)); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

func TestCreatedTwice(t *testing.T) {
	tests := []struct {
		name  string
		added map[string]string
		want  map[string]int
		bad   []string
	}{
		{"exactly as many", map[string]string{"a": "rs1", "b": "rs1"}, map[string]int{"rs1": 2}, nil},
		{"fewer is no duplicate", map[string]string{"a": "rs1"}, map[string]int{"rs1": 2}, nil},
		{"one more", map[string]string{"a": "rs1", "b": "rs1", "c": "rs1"}, map[string]int{"rs1": 2},
			[]string{"rs1 created 3 pods, want 2: [a b c]"}},
		{"an owner that had to create none", map[string]string{"a": "rs1", "x": "old"}, map[string]int{"rs1": 1},
			[]string{"old created 1 pods, want 0: [x]"}},
		{"nothing seen", nil, map[string]int{"rs1": 2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := createdTwice(tt.added, tt.want); !reflect.DeepEqual(got, tt.bad) {
				t.Errorf("createdTwice = %q, want %q", got, tt.bad)
			}
		})
	}
}

func TestSameNames(t *testing.T) {
	set := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	tests := []struct {
		name string
		a, b map[string]bool
		ok   bool
		why  string
	}{
		{"equal", set("a", "b"), set("b", "a"), true, "same 2 names"},
		{"both empty", nil, set(), true, "same 0 names"},
		{"differ", set("a", "b"), set("b", "c"), false, "only in the first: [a], only in the second: [c]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := sameNames(tt.a, tt.b)
			if ok != tt.ok || why != tt.why {
				t.Errorf("sameNames = %v %q, want %v %q", ok, why, tt.ok, tt.why)
			}
		})
	}
}
