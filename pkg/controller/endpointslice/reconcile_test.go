package endpointslice

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func testService() *core.Service {
	return &core.Service{
		ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "ns", UID: "svc-uid", Labels: map[string]string{"team": "a"}},
		Spec: core.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []core.ServicePort{
			{Name: "http", Port: 80, Protocol: core.ProtocolTCP, TargetPort: intstr.FromString("http")},
		}},
	}
}

// testPod is a running pod with IP 10.0.<i/250>.<i%250+1> and container
// port http=8080.
func testPod(i int, ready bool) *core.Pod {
	p := &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: fmt.Sprintf("web-%03d", i), Namespace: "ns", UID: fmt.Sprintf("uid-%03d", i),
			Labels: map[string]string{"app": "web"}},
		Spec: core.PodSpec{NodeName: "node-1", Containers: []core.Container{{Name: "c",
			Ports: []core.ContainerPort{{Name: "http", ContainerPort: 8080}}}}},
		Status: core.PodStatus{Phase: core.PodRunning, PodIP: fmt.Sprintf("10.0.%d.%d", i/250, i%250+1)},
	}
	if ready {
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}}
	}
	return p
}

func pods(n int) []*core.Pod {
	out := make([]*core.Pod, n)
	for i := range out {
		out[i] = testPod(i, true)
	}
	return out
}

func noZone(string) string { return "" }

// store applies plans as the apiserver would, naming created slices
// <generateName><n> and giving every write a new resourceVersion.
type store struct {
	slices map[string]*discovery.EndpointSlice
	rv     int
}

func (st *store) list() []*discovery.EndpointSlice {
	return slices.Collect(maps.Values(st.slices))
}

func (st *store) apply(t *testing.T, p Plan) {
	t.Helper()
	for _, s := range p.Create {
		st.rv++
		cp := meta.DeepCopy(s)
		cp.Name = s.GenerateName + strconv.Itoa(st.rv)
		cp.UID, cp.ResourceVersion = "slice-"+cp.Name, strconv.Itoa(st.rv)
		st.slices[cp.Name] = cp
	}
	for _, s := range p.Update {
		if st.slices[s.Name] == nil {
			t.Fatalf("update of unknown slice %s", s.Name)
		}
		st.rv++
		cp := meta.DeepCopy(s)
		cp.ResourceVersion = strconv.Itoa(st.rv)
		st.slices[s.Name] = cp
	}
	for _, s := range p.Delete {
		if st.slices[s.Name] == nil {
			t.Fatalf("delete of unknown slice %s", s.Name)
		}
		delete(st.slices, s.Name)
	}
}

// converge reconciles until nothing is left to do and checks that every
// desired endpoint is in exactly one slice of at most max endpoints.
func converge(t *testing.T, st *store, svc *core.Service, ps []*core.Pod, max int) Plan {
	t.Helper()
	desired := Desired(svc, ps, noZone)
	first := Reconcile(svc, st.list(), desired, max)
	st.apply(t, first)
	if again := Reconcile(svc, st.list(), desired, max); !again.Empty() {
		t.Fatalf("second reconcile not empty: %d creates, %d updates, %d deletes", len(again.Create), len(again.Update), len(again.Delete))
	}
	seen := map[string]int{}
	for _, s := range st.slices {
		if len(s.Endpoints) > max {
			t.Errorf("slice %s has %d endpoints (max %d)", s.Name, len(s.Endpoints), max)
		}
		if s.Labels[discovery.LabelServiceName] != svc.Name || s.Labels[discovery.LabelManagedBy] != discovery.ControllerName ||
			s.Labels["team"] != "a" {
			t.Errorf("slice %s labels %v", s.Name, s.Labels)
		}
		if ref := s.ControllerRef(); ref == nil || ref.UID != svc.UID || ref.Kind != "Service" || !*ref.BlockOwnerDeletion {
			t.Errorf("slice %s owner %+v", s.Name, s.OwnerReferences)
		}
		for _, e := range s.Endpoints {
			seen[endpointKey(e)]++
		}
	}
	for _, g := range desired {
		for _, e := range g.Endpoints {
			if seen[endpointKey(e)] != 1 {
				t.Errorf("endpoint %s in %d slices", e.TargetRef.Name, seen[endpointKey(e)])
			}
		}
	}
	return first
}

func newStore() *store { return &store{slices: map[string]*discovery.EndpointSlice{}} }

func counts(p Plan) [3]int { return [3]int{len(p.Create), len(p.Update), len(p.Delete)} }

func endpointCounts(st *store) []int {
	var out []int
	for _, s := range st.slices {
		out = append(out, len(s.Endpoints))
	}
	slices.Sort(out)
	return out
}

func TestReconcileSteps(t *testing.T) {
	svc := testService()
	for _, tc := range []struct {
		name string
		// steps of pods; each is reconciled to convergence in turn
		steps      [][]*core.Pod
		max        int
		wantPlan   [3]int // creates, updates, deletes of the last step
		wantCounts []int  // endpoints per slice after the last step, sorted
	}{
		{"no pods: a placeholder", [][]*core.Pod{nil}, 100, [3]int{1, 0, 0}, []int{0}},
		{"placeholder kept", [][]*core.Pod{nil, nil}, 100, [3]int{0, 0, 0}, []int{0}},
		{"three pods in one slice", [][]*core.Pod{pods(3)}, 100, [3]int{1, 0, 0}, []int{3}},
		{"pods replace the placeholder", [][]*core.Pod{nil, pods(3)}, 100, [3]int{1, 0, 1}, []int{3}},
		{"250 pods in three slices", [][]*core.Pod{pods(250)}, 100, [3]int{3, 0, 0}, []int{50, 100, 100}},
		{"a new pod fills the slice with room", [][]*core.Pod{pods(250), pods(251)}, 100, [3]int{0, 1, 0}, []int{51, 100, 100}},
		{"a removed pod updates its slice only", [][]*core.Pod{pods(250), pods(250)[1:]}, 100, [3]int{0, 1, 0}, []int{50, 99, 100}},
		{"all pods gone: back to a placeholder", [][]*core.Pod{pods(5), nil}, 100, [3]int{1, 0, 1}, []int{0}},
		{"pod turning unready updates in place", [][]*core.Pod{pods(2), {testPod(0, false), testPod(1, true)}}, 100, [3]int{0, 1, 0}, []int{2}},
		{"small limit", [][]*core.Pod{pods(5)}, 2, [3]int{3, 0, 0}, []int{1, 2, 2}},
		{"a limit of one", [][]*core.Pod{pods(5)}, 1, [3]int{5, 0, 0}, []int{1, 1, 1, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newStore()
			var last Plan
			for _, ps := range tc.steps {
				last = converge(t, st, svc, ps, tc.max)
			}
			if got := counts(last); got != tc.wantPlan {
				t.Errorf("last plan (creates, updates, deletes) = %v, want %v", got, tc.wantPlan)
			}
			if got := endpointCounts(st); !slices.Equal(got, tc.wantCounts) {
				t.Errorf("endpoints per slice = %v, want %v", got, tc.wantCounts)
			}
		})
	}
}

func TestReconcileLimitLowered(t *testing.T) {
	svc, st := testService(), newStore()
	converge(t, st, svc, pods(5), 100)
	p := converge(t, st, svc, pods(5), 2)
	if got := endpointCounts(st); !slices.Equal(got, []int{1, 2, 2}) {
		t.Fatalf("endpoints per slice = %v (plan %v)", got, counts(p))
	}
}

func TestReconcilePlaceholder(t *testing.T) {
	svc, st := testService(), newStore()
	converge(t, st, svc, nil, 100)
	for _, s := range st.slices {
		if s.GenerateName != "web-" || s.Namespace != "ns" || s.AddressType != discovery.AddressTypeIPv4 ||
			s.Endpoints != nil || s.Ports == nil || len(s.Ports) != 0 {
			t.Fatalf("placeholder %+v", s)
		}
	}
}

func TestReconcileForeignAndDriftedSlices(t *testing.T) {
	svc, st := testService(), newStore()
	converge(t, st, svc, pods(3), 100)
	// A slice left by an earlier service of the same name goes; labels
	// edited by someone else are put back.
	for _, s := range st.slices {
		s.Labels = map[string]string{discovery.LabelServiceName: "web", discovery.LabelManagedBy: discovery.ControllerName}
	}
	old := &discovery.EndpointSlice{ObjectMeta: meta.ObjectMeta{Name: "web-old", Namespace: "ns", UID: "old",
		OwnerReferences: []meta.OwnerReference{{Kind: "Service", Name: "web", UID: "old-svc", Controller: meta.Ptr(true)}}},
		AddressType: discovery.AddressTypeIPv4}
	st.slices[old.Name] = old
	p := converge(t, st, svc, pods(3), 100)
	if got := counts(p); got != [3]int{0, 1, 1} || p.Delete[0].Name != "web-old" {
		t.Fatalf("plan %v", got)
	}
}

func TestDesired(t *testing.T) {
	svc := testService()
	svc.Spec.Ports = append(svc.Spec.Ports, core.ServicePort{Name: "metrics", Port: 9090, Protocol: core.ProtocolTCP,
		TargetPort: intstr.FromInt32(9091), AppProtocol: meta.Ptr("http")})
	now := meta.Now()
	terminating := testPod(2, true)
	terminating.DeletionTimestamp = &now
	noIP := testPod(3, true)
	noIP.Status.PodIP = ""
	done := testPod(4, true)
	done.Status.Phase = core.PodSucceeded
	otherPort := testPod(5, true)
	otherPort.Spec.Containers[0].Ports[0].ContainerPort = 8081
	noNamedPort := testPod(6, true)
	noNamedPort.Spec.Containers[0].Ports = nil
	v6 := testPod(7, true)
	v6.Status.PodIP = "fd00::7"
	ps := []*core.Pod{testPod(1, false), testPod(0, true), terminating, noIP, done, otherPort, noNamedPort, v6}

	groups := Desired(svc, ps, func(n string) string { return "zone-" + n })
	type ep struct {
		name                        string
		ready, serving, terminating bool
	}
	summary := map[string][]ep{}
	for _, g := range groups {
		var eps []ep
		for _, e := range g.Endpoints {
			eps = append(eps, ep{e.TargetRef.Name, *e.Conditions.Ready, *e.Conditions.Serving, *e.Conditions.Terminating})
			if *e.NodeName != "node-1" || *e.Zone != "zone-node-1" || e.TargetRef.Kind != "Pod" || e.TargetRef.UID == "" {
				t.Errorf("endpoint %+v", e)
			}
		}
		summary[g.key()] = eps
	}
	want := map[string][]ep{
		"IPv4;http/TCP/8080/;metrics/TCP/9091/http": {
			{"web-000", true, true, false}, {"web-001", false, false, false}, {"web-002", false, true, true}},
		"IPv4;http/TCP/8081/;metrics/TCP/9091/http": {{"web-005", true, true, false}},
		"IPv4;metrics/TCP/9091/http":                {{"web-006", true, true, false}},
	}
	if fmt.Sprint(summary) != fmt.Sprint(want) {
		t.Errorf("groups\n got %v\nwant %v", summary, want)
	}

	// publishNotReadyAddresses: every endpoint is ready and serving.
	svc.Spec.PublishNotReadyAddresses = true
	for _, g := range Desired(svc, []*core.Pod{testPod(1, false), terminating}, noZone) {
		for _, e := range g.Endpoints {
			if !*e.Conditions.Ready || !*e.Conditions.Serving {
				t.Errorf("publishNotReadyAddresses: %s conditions %+v", e.TargetRef.Name, e.Conditions)
			}
		}
	}

	// A dual-stack service gets one group per family.
	svc.Spec.IPFamilies = []core.IPFamily{core.IPv6Protocol, core.IPv4Protocol}
	if got := AddressTypes(svc); !slices.Equal(got, []discovery.AddressType{"IPv6", "IPv4"}) {
		t.Errorf("address types %v", got)
	}
	var types []discovery.AddressType
	for _, g := range Desired(svc, []*core.Pod{testPod(0, true), v6}, noZone) {
		types = append(types, g.AddressType)
	}
	if !slices.Equal(types, []discovery.AddressType{"IPv4", "IPv6"}) {
		t.Errorf("dual-stack groups %v", types)
	}
}

func TestSliceLabels(t *testing.T) {
	svc := testService()
	svc.Labels[LabelHeadless] = "x"
	svc.Labels[discovery.LabelServiceName] = "spoofed"
	if l := sliceLabels(svc); l[LabelHeadless] != "" || len(l) != 3 || l[discovery.LabelServiceName] != "web" {
		t.Errorf("labels %v", l)
	}
	if _, ok := sliceLabels(svc)[LabelHeadless]; ok {
		t.Errorf("headless label on a service with a cluster IP")
	}
	svc.Spec.ClusterIP = core.ClusterIPNone
	if l := sliceLabels(svc); l[LabelHeadless] != "" || len(l) != 4 {
		t.Errorf("headless labels %v", l)
	}
}

func TestTracker(t *testing.T) {
	tr := newTracker()
	s := &discovery.EndpointSlice{ObjectMeta: meta.ObjectMeta{Name: "web-1", UID: "u1", ResourceVersion: "10"}}
	if tr.stale("ns/web", nil) {
		t.Fatal("stale with nothing written")
	}
	tr.wrote("ns/web", s)
	older := meta.DeepCopy(s)
	older.ResourceVersion = "9"
	for _, tc := range []struct {
		name   string
		cached []*discovery.EndpointSlice
		want   bool
	}{
		{"not in the cache yet", nil, true},
		{"older copy", []*discovery.EndpointSlice{older}, true},
		{"caught up", []*discovery.EndpointSlice{s}, false},
		{"forgotten once caught up", nil, false},
	} {
		if got := tr.stale("ns/web", tc.cached); got != tc.want {
			t.Errorf("%s: stale = %v", tc.name, got)
		}
	}
	tr.deleted("ns/web", s)
	if !tr.stale("ns/web", []*discovery.EndpointSlice{s}) {
		t.Error("deleted slice still cached: not stale")
	}
	tr.sliceGone("ns/web", "u1")
	if tr.stale("ns/web", []*discovery.EndpointSlice{s}) {
		t.Error("stale after the informer saw the deletion")
	}
}
