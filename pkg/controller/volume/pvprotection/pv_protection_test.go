package pvprotection

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestDecisions(t *testing.T) {
	pv := func(deleting bool, phase core.PersistentVolumePhase, finalizers ...string) *core.PersistentVolume {
		v := &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: "v", Finalizers: finalizers}, Status: core.PersistentVolumeStatus{Phase: phase}}
		if deleting {
			v.DeletionTimestamp = &meta.Time{Time: time.Unix(1, 0)}
		}
		return v
	}
	f := core.PVProtectionFinalizer
	for _, tc := range []struct {
		name        string
		pv          *core.PersistentVolume
		need, canRm bool
	}{
		{"new", pv(false, core.VolumeAvailable), true, false},
		{"protected", pv(false, core.VolumeBound, f), false, false},
		{"deleted while bound", pv(true, core.VolumeBound, f), false, false},
		{"deleted released", pv(true, core.VolumeReleased, f), false, true},
		{"deleted available", pv(true, core.VolumeAvailable, f), false, true},
		{"deleted without finalizer", pv(true, core.VolumeReleased), false, false},
	} {
		if got := NeedsFinalizer(tc.pv); got != tc.need {
			t.Errorf("%s: NeedsFinalizer = %v", tc.name, got)
		}
		if got := CanRemoveFinalizer(tc.pv); got != tc.canRm {
			t.Errorf("%s: CanRemoveFinalizer = %v", tc.name, got)
		}
	}
}
