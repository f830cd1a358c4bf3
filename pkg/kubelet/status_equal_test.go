package kubelet

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// fullStatus sets every field of a pod status, every optional part present.
func fullStatus() core.PodStatus {
	tm := func(d time.Duration) meta.Time { return meta.NewTime(t0.Add(d)) }
	state := func() core.ContainerState {
		return core.ContainerState{
			Waiting:    &core.ContainerStateWaiting{Reason: "CrashLoopBackOff", Message: "back-off"},
			Running:    &core.ContainerStateRunning{StartedAt: tm(time.Minute)},
			Terminated: &core.ContainerStateTerminated{ExitCode: 3, Signal: 9, Reason: "Error", Message: "boom", StartedAt: tm(2 * time.Minute), FinishedAt: tm(3 * time.Minute), ContainerID: "sim://u/c/0"},
		}
	}
	cs := func(name string) core.ContainerStatus {
		return core.ContainerStatus{Name: name, State: state(), LastTerminationState: state(), Ready: true, RestartCount: 2,
			Image: "img", ImageID: "img@sha", ContainerID: "sim://u/" + name + "/1", Started: meta.Ptr(true)}
	}
	return core.PodStatus{Phase: core.PodRunning, Message: "m", Reason: "r", NominatedNodeName: "n2",
		HostIP: "10.0.0.1", HostIPs: []core.HostIP{{IP: "10.0.0.1"}}, PodIP: "10.0.0.2", PodIPs: []core.PodIP{{IP: "10.0.0.2"}},
		StartTime: meta.Ptr(tm(0)), QOSClass: core.PodQOSBestEffort,
		Conditions: []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue, LastProbeTime: tm(4 * time.Minute),
			LastTransitionTime: tm(5 * time.Minute), Reason: "why", Message: "what"}},
		InitContainerStatuses: []core.ContainerStatus{cs("i")}, ContainerStatuses: []core.ContainerStatus{cs("c")}}
}

var timeType = reflect.TypeFor[meta.Time]()

// mutations returns, for every leaf of v (found by reflection, so a field
// added to a status type is covered without editing this test), a function
// that changes that leaf in a value shaped like v, plus ones that drop each
// pointer and shorten each slice.
func mutations(v reflect.Value, path []int) []func(reflect.Value) {
	at := func(root reflect.Value) reflect.Value {
		for _, i := range path {
			switch root.Kind() {
			case reflect.Pointer:
				root = root.Elem()
			case reflect.Slice:
				root = root.Index(i)
			default:
				root = root.Field(i)
			}
		}
		return root
	}
	var out []func(reflect.Value)
	switch {
	case v.Type() == timeType:
		out = append(out, func(r reflect.Value) {
			t := at(r).Addr().Interface().(*meta.Time)
			t.Time = t.Add(time.Hour)
		})
	case v.Kind() == reflect.String:
		out = append(out, func(r reflect.Value) { f := at(r); f.SetString(f.String() + "x") })
	case v.Kind() == reflect.Bool:
		out = append(out, func(r reflect.Value) { f := at(r); f.SetBool(!f.Bool()) })
	case v.CanInt():
		out = append(out, func(r reflect.Value) { f := at(r); f.SetInt(f.Int() + 1) })
	case v.Kind() == reflect.Pointer:
		out = append(out, func(r reflect.Value) { f := at(r); f.SetZero() })
		out = append(out, mutations(v.Elem(), append(append([]int(nil), path...), 0))...)
	case v.Kind() == reflect.Slice:
		out = append(out, func(r reflect.Value) { f := at(r); f.Set(f.Slice(0, f.Len()-1)) })
		for i := 0; i < v.Len(); i++ {
			out = append(out, mutations(v.Index(i), append(append([]int(nil), path...), i))...)
		}
	case v.Kind() == reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			out = append(out, mutations(v.Field(i), append(append([]int(nil), path...), i))...)
		}
	default:
		panic("status field of unhandled kind " + v.Kind().String())
	}
	return out
}

// TestStatusEqualMatchesJSON holds statusEqual to comparing JSON encodings,
// for a change of every single field and for changes the wire does not see.
func TestStatusEqualMatchesJSON(t *testing.T) {
	base := fullStatus()
	muts := mutations(reflect.ValueOf(base), nil)
	if len(muts) < 50 {
		t.Fatalf("only %d mutations: the walk missed fields", len(muts))
	}
	for i, mutate := range muts {
		changed := meta.DeepCopy(base)
		mutate(reflect.ValueOf(&changed).Elem())
		if jsonEqual(&base, &changed) {
			t.Fatalf("mutation %d does not change the JSON: a bad mutation", i)
		}
		if statusEqual(&base, &changed) || statusEqual(&changed, &base) {
			t.Errorf("mutation %d: statusEqual misses a change the wire shows:\n%+v\n%+v", i, base, changed)
		}
	}
	if !statusEqual(&base, &base) {
		t.Fatal("a status differs from itself")
	}

	same := map[string]func(*core.PodStatus){
		"sub-second times": func(s *core.PodStatus) {
			s.StartTime.Time = s.StartTime.Add(300 * time.Millisecond)
			s.Conditions[0].LastTransitionTime.Time = s.Conditions[0].LastTransitionTime.Add(999 * time.Millisecond)
			s.ContainerStatuses[0].State.Running.StartedAt.Time = s.ContainerStatuses[0].State.Running.StartedAt.Add(time.Millisecond)
		},
		"another time zone": func(s *core.PodStatus) {
			s.Conditions[0].LastProbeTime.Time = s.Conditions[0].LastProbeTime.In(time.FixedZone("x", 3600))
		},
	}
	for name, mutate := range same {
		changed := meta.DeepCopy(base)
		mutate(&changed)
		if !jsonEqual(&base, &changed) || !statusEqual(&base, &changed) {
			t.Errorf("%s: want equal on the wire and by statusEqual", name)
		}
	}

	empty := map[string][2]core.PodStatus{
		"nil and empty slices": {{}, {Conditions: []core.PodCondition{}, HostIPs: []core.HostIP{}, PodIPs: []core.PodIP{},
			InitContainerStatuses: []core.ContainerStatus{}, ContainerStatuses: []core.ContainerStatus{}}},
		"nil and zero start time": {{}, {StartTime: &meta.Time{}}},
		"zero condition times":    {{Conditions: []core.PodCondition{{Type: core.PodReady}}}, {Conditions: []core.PodCondition{{Type: core.PodReady, LastProbeTime: meta.Time{}}}}},
	}
	for name, pair := range empty {
		a, b := pair[0], pair[1]
		if want := jsonEqual(&a, &b); statusEqual(&a, &b) != want || statusEqual(&b, &a) != want {
			t.Errorf("%s: statusEqual disagrees with the JSON (equal: %v)", name, want)
		}
	}
}

func BenchmarkStatusEqual(b *testing.B) {
	x, y := fullStatus(), fullStatus()
	for b.Loop() {
		if !statusEqual(&x, &y) {
			b.Fatal("not equal")
		}
	}
}
