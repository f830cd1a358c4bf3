package pvcprotection

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func claim(deleting bool, finalizers ...string) *core.PersistentVolumeClaim {
	c := &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Namespace: "ns", Name: "data", Finalizers: finalizers}}
	if deleting {
		c.DeletionTimestamp = &meta.Time{Time: time.Unix(1, 0)}
	}
	return c
}

func pod(ns, claimName string, phase core.PodPhase) *core.Pod {
	return &core.Pod{
		ObjectMeta: meta.ObjectMeta{Namespace: ns, Name: "p"},
		Spec: core.PodSpec{Volumes: []core.Volume{{Name: "v", VolumeSource: core.VolumeSource{
			PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: claimName}}}}},
		Status: core.PodStatus{Phase: phase},
	}
}

func TestNeedsFinalizer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		claim *core.PersistentVolumeClaim
		want  bool
	}{
		{"new claim", claim(false), true},
		{"has it", claim(false, core.PVCProtectionFinalizer), false},
		{"other finalizer only", claim(false, "x"), true},
		{"being deleted", claim(true), false},
	} {
		if got := NeedsFinalizer(tc.claim); got != tc.want {
			t.Errorf("%s: NeedsFinalizer = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCanRemoveFinalizer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		claim *core.PersistentVolumeClaim
		pods  []*core.Pod
		want  bool
	}{
		{"not deleted", claim(false, core.PVCProtectionFinalizer), nil, false},
		{"no finalizer", claim(true), nil, false},
		{"unused", claim(true, core.PVCProtectionFinalizer), nil, true},
		{"running pod", claim(true, core.PVCProtectionFinalizer), []*core.Pod{pod("ns", "data", core.PodRunning)}, false},
		{"pending pod", claim(true, core.PVCProtectionFinalizer), []*core.Pod{pod("ns", "data", core.PodPending)}, false},
		{"finished pods", claim(true, core.PVCProtectionFinalizer), []*core.Pod{pod("ns", "data", core.PodSucceeded), pod("ns", "data", core.PodFailed)}, true},
		{"other claim", claim(true, core.PVCProtectionFinalizer), []*core.Pod{pod("ns", "other", core.PodRunning)}, true},
		{"other namespace", claim(true, core.PVCProtectionFinalizer), []*core.Pod{pod("ns2", "data", core.PodRunning)}, true},
	} {
		if got := CanRemoveFinalizer(tc.claim, tc.pods); got != tc.want {
			t.Errorf("%s: CanRemoveFinalizer = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestClaimKeys(t *testing.T) {
	p := pod("ns", "a", core.PodRunning)
	p.Spec.Volumes = append(p.Spec.Volumes, core.Volume{Name: "e", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}},
		core.Volume{Name: "b", VolumeSource: core.VolumeSource{PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: "b"}}})
	if got := ClaimKeys(p); len(got) != 2 || got[0] != "ns/a" || got[1] != "ns/b" {
		t.Errorf("ClaimKeys = %v", got)
	}
}
