package garbagecollector

import (
	"reflect"
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/discovery"
)

func refs(uids ...string) []meta.OwnerReference {
	out := make([]meta.OwnerReference, len(uids))
	for i, u := range uids {
		out[i] = meta.OwnerReference{UID: u, Name: u, Kind: "ReplicaSet", APIVersion: "apps/v1"}
	}
	return out
}

func TestDecideDependent(t *testing.T) {
	tests := []struct {
		name          string
		states        []OwnerState
		finalizers    []string
		hasDependents bool
		want          Action
	}{
		{"owner alive", []OwnerState{OwnerSolid}, nil, false, Action{}},
		{"unknown owner kind is kept", []OwnerState{OwnerUnknown}, nil, false, Action{}},
		{"owner gone", []OwnerState{OwnerDangling}, nil, false,
			Action{Delete: true, Policy: meta.DeletePropagationBackground}},
		{"one of two owners gone: drop its ref", []OwnerState{OwnerSolid, OwnerDangling}, nil, false,
			Action{RemoveRefs: []string{"b"}}},
		{"waiting owner and a solid one: drop the waiting ref", []OwnerState{OwnerWaiting, OwnerSolid}, nil, true,
			Action{RemoveRefs: []string{"a"}}},
		{"waiting owner, dependent with dependents: foreground", []OwnerState{OwnerWaiting}, nil, true,
			Action{Delete: true, Policy: meta.DeletePropagationForeground}},
		{"waiting owner, leaf dependent: background", []OwnerState{OwnerWaiting}, nil, false,
			Action{Delete: true, Policy: meta.DeletePropagationBackground}},
		{"dependent's own orphan finalizer", []OwnerState{OwnerDangling}, []string{meta.FinalizerOrphanDependents}, true,
			Action{Delete: true, Policy: meta.DeletePropagationOrphan}},
	}
	for _, tt := range tests {
		uids := []string{"a", "b"}[:len(tt.states)]
		got := DecideDependent(refs(uids...), tt.states, tt.finalizers, tt.hasDependents)
		if got.Delete != tt.want.Delete || got.Policy != tt.want.Policy || !slices.Equal(got.RemoveRefs, tt.want.RemoveRefs) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestDecideOwner(t *testing.T) {
	now := meta.Now()
	tests := []struct {
		m    meta.ObjectMeta
		want OwnerPhase
	}{
		{meta.ObjectMeta{Finalizers: []string{meta.FinalizerOrphanDependents}}, OwnerNothing}, // not deleting yet
		{meta.ObjectMeta{DeletionTimestamp: &now}, OwnerNothing},
		{meta.ObjectMeta{DeletionTimestamp: &now, Finalizers: []string{"x", meta.FinalizerOrphanDependents}}, OwnerOrphan},
		{meta.ObjectMeta{DeletionTimestamp: &now, Finalizers: []string{meta.FinalizerDeleteDependents}}, OwnerForeground},
		{meta.ObjectMeta{DeletionTimestamp: &now, Finalizers: []string{meta.FinalizerDeleteDependents, meta.FinalizerOrphanDependents}}, OwnerOrphan},
	}
	for i, tt := range tests {
		if got := DecideOwner(&tt.m); got != tt.want {
			t.Errorf("case %d: DecideOwner = %v, want %v", i, got, tt.want)
		}
	}
}

func TestBlocksAndFinalizers(t *testing.T) {
	m := meta.ObjectMeta{OwnerReferences: []meta.OwnerReference{
		{UID: "a", BlockOwnerDeletion: meta.Ptr(true)}, {UID: "b"}, {UID: "c", BlockOwnerDeletion: meta.Ptr(false)}}}
	if !Blocks(&m, "a") || Blocks(&m, "b") || Blocks(&m, "c") || Blocks(&m, "z") {
		t.Error("Blocks must be true only for blockOwnerDeletion=true")
	}
	if got := WithoutFinalizer([]string{"x", "orphan", "y"}, "orphan"); !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf("WithoutFinalizer = %v", got)
	}
	dropOwnerRefs(&m, "a", "c")
	if len(m.OwnerReferences) != 1 || m.OwnerReferences[0].UID != "b" {
		t.Errorf("dropOwnerRefs left %+v", m.OwnerReferences)
	}
}

func TestUpdateWork(t *testing.T) {
	now := meta.Now()
	base := meta.ObjectMeta{OwnerReferences: refs("a", "b"), Finalizers: []string{"x"}}
	with := func(f func(m *meta.ObjectMeta)) meta.ObjectMeta {
		m := base
		m.OwnerReferences = slices.Clone(base.OwnerReferences)
		m.Finalizers = slices.Clone(base.Finalizers)
		f(&m)
		return m
	}
	tests := []struct {
		name        string
		cur         meta.ObjectMeta
		wantSync    bool
		wantDropped []string
	}{
		{"status-only change asks nothing", with(func(m *meta.ObjectMeta) { m.Labels = map[string]string{"l": "v"} }), false, nil},
		{"owner added", with(func(m *meta.ObjectMeta) { m.OwnerReferences = refs("a", "b", "c") }), true, nil},
		{"owner dropped: its owner is looked at", with(func(m *meta.ObjectMeta) { m.OwnerReferences = refs("b") }), true, []string{"a"}},
		{"all owners dropped", with(func(m *meta.ObjectMeta) { m.OwnerReferences = nil }), true, []string{"a", "b"}},
		{"blockOwnerDeletion flipped", with(func(m *meta.ObjectMeta) { m.OwnerReferences[1].BlockOwnerDeletion = meta.Ptr(true) }), true, nil},
		{"deletion started", with(func(m *meta.ObjectMeta) { m.DeletionTimestamp = &now }), true, nil},
		{"finalizer added", with(func(m *meta.ObjectMeta) { m.Finalizers = append(m.Finalizers, meta.FinalizerOrphanDependents) }), true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := base
			sync, dropped := UpdateWork(&old, &tt.cur)
			var got []string
			for _, r := range dropped {
				got = append(got, r.UID)
			}
			if sync != tt.wantSync || !slices.Equal(got, tt.wantDropped) {
				t.Errorf("UpdateWork = %v, %v; want %v, %v", sync, got, tt.wantSync, tt.wantDropped)
			}
		})
	}
}

func discovered(group, version, name, kind string, preferred bool, verbs ...string) discovery.Resource {
	return discovery.Resource{Group: group, Version: version, Preferred: preferred,
		APIResource: meta.APIResource{Name: name, Kind: kind, Verbs: verbs}}
}

func TestMonitorable(t *testing.T) {
	all := []string{"create", "delete", "get", "list", "patch", "update", "watch"}
	rs := []discovery.Resource{
		discovered("", "v1", "pods", "Pod", true, all...),
		discovered("", "v1", "secrets", "Secret", true, all...),
		discovered("", "v1", "events", "Event", true, all...),
		discovered("events.k8s.io", "v1", "events", "Event", true, all...),
		discovered("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", true, "create"),
		discovered("stable.example.com", "v1", "crontabs", "CronTab", true, all...),
		discovered("stable.example.com", "v1beta1", "crontabs", "CronTab", false, all...),
		discovered("x.io", "v1", "nowatch", "NoWatch", true, "get", "list", "delete"),
	}
	got := Monitorable(rs, map[string]bool{"v1/Pod": true})
	var keys []string
	for _, r := range got {
		keys = append(keys, APIVersionKind(r.GroupVersion(), r.Kind))
	}
	if want := []string{"v1/Secret", "stable.example.com/v1/CronTab"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("Monitorable = %v, want %v", keys, want)
	}
}

func TestPlanMonitors(t *testing.T) {
	all := []string{"delete", "list", "watch"}
	crontab := discovered("stable.example.com", "v1", "crontabs", "CronTab", true, all...)
	widget := discovered("x.io", "v1", "widgets", "Widget", true, all...)
	gvOf := func(r discovery.Resource) meta.GroupVersion { return r.GroupVersion() }
	gone := meta.GroupVersion{Group: "gone.io", Version: "v1"}
	flaky := meta.GroupVersion{Group: "flaky.io", Version: "v1"}
	for _, tc := range []struct {
		name      string
		running   map[string]meta.GroupVersion
		wanted    []discovery.Resource
		failed    map[meta.GroupVersion]bool
		wantStart []string
		wantStop  []string
	}{
		{name: "first discovery starts all", wanted: []discovery.Resource{crontab, widget},
			wantStart: []string{"crontabs", "widgets"}},
		{name: "steady state", running: map[string]meta.GroupVersion{"stable.example.com/v1/CronTab": gvOf(crontab)},
			wanted: []discovery.Resource{crontab}},
		{name: "a new definition starts, a removed one stops",
			running: map[string]meta.GroupVersion{"stable.example.com/v1/CronTab": gvOf(crontab), "gone.io/v1/Gone": gone},
			wanted:  []discovery.Resource{crontab, widget}, wantStart: []string{"widgets"}, wantStop: []string{"gone.io/v1/Gone"}},
		{name: "a group that failed discovery keeps its monitor",
			running: map[string]meta.GroupVersion{"flaky.io/v1/Flaky": flaky, "gone.io/v1/Gone": gone},
			failed:  map[meta.GroupVersion]bool{flaky: true}, wantStop: []string{"gone.io/v1/Gone"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, stop := PlanMonitors(tc.running, tc.wanted, tc.failed)
			var names []string
			for _, r := range start {
				names = append(names, r.Name)
			}
			if !reflect.DeepEqual(names, tc.wantStart) || !reflect.DeepEqual(stop, tc.wantStop) {
				t.Errorf("start %v stop %v, want start %v stop %v", names, stop, tc.wantStart, tc.wantStop)
			}
		})
	}
}

func TestSameGroupKind(t *testing.T) {
	for _, tc := range []struct {
		key, apiVersion, kind string
		want                  bool
	}{
		{"stable.example.com/v1/CronTab", "stable.example.com/v1beta1", "CronTab", true},
		{"stable.example.com/v1/CronTab", "other.example.com/v1", "CronTab", false},
		{"stable.example.com/v1/CronTab", "stable.example.com/v1", "Widget", false},
		{"v1/Pod", "v1", "Pod", true},
		{"v1/Pod", "apps/v1", "Pod", false},
		{"apps/v1/Deployment", "v1", "Deployment", false},
	} {
		if got := SameGroupKind(tc.key, tc.apiVersion, tc.kind); got != tc.want {
			t.Errorf("SameGroupKind(%q, %q, %q) = %v", tc.key, tc.apiVersion, tc.kind, got)
		}
	}
}

func TestNamesKind(t *testing.T) {
	cronTab := meta.OwnerReference{APIVersion: "stable.example.com/v1beta1", Kind: "CronTab", Name: "c", UID: "1"}
	deployment := meta.OwnerReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "d", UID: "2"}
	started := []string{"stable.example.com/v1/CronTab", "example.com/v1/Widget"}
	for _, tc := range []struct {
		name string
		refs []meta.OwnerReference
		keys []string
		want bool
	}{
		{"no owners", nil, started, false},
		{"nothing started", []meta.OwnerReference{cronTab}, nil, false},
		{"owner of a started kind, another version", []meta.OwnerReference{cronTab}, started, true},
		{"owner of a kind followed all along", []meta.OwnerReference{deployment}, started, false},
		{"one of two owners of a started kind", []meta.OwnerReference{deployment, cronTab}, started, true},
		{"same kind, another group", []meta.OwnerReference{{APIVersion: "other.example.com/v1", Kind: "CronTab"}}, started, false},
	} {
		if got := NamesKind(tc.refs, tc.keys); got != tc.want {
			t.Errorf("%s: NamesKind = %v, want %v", tc.name, got, tc.want)
		}
	}
}
