package apiserver

import (
	"slices"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestAdmitStorageObjectInUseProtection(t *testing.T) {
	pvc := &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Finalizers: []string{"x"}}}
	pv := &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Finalizers: []string{core.PVProtectionFinalizer}}}
	pod := &core.Pod{}
	for _, o := range []meta.Object{pvc, pv, pod} {
		admitStorageObjectInUseProtection(o)
	}
	if !slices.Equal(pvc.Finalizers, []string{"x", core.PVCProtectionFinalizer}) {
		t.Errorf("claim finalizers = %v", pvc.Finalizers)
	}
	if !slices.Equal(pv.Finalizers, []string{core.PVProtectionFinalizer}) {
		t.Errorf("volume finalizers = %v (added twice?)", pv.Finalizers)
	}
	if pod.Finalizers != nil {
		t.Errorf("pod finalizers = %v", pod.Finalizers)
	}
}
