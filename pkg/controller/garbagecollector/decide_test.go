package garbagecollector

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
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
