package volume

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
)

// fakeGetter serves objects from maps; a missing one is a 404.
type fakeGetter struct {
	mu     sync.Mutex
	claims map[string]*core.PersistentVolumeClaim
	pvs    map[string]*core.PersistentVolume
	nodes  map[string]*core.Node
}

func (f *fakeGetter) CreateToken(_ context.Context, ns, name string, tr *authentication.TokenRequest) (*authentication.TokenRequest, error) {
	out := *tr
	out.Status.Token = ns + "/" + name + "@" + tr.Spec.BoundObjectRef.UID
	out.Status.ExpirationTimestamp = meta.Time{Time: time.Now().Add(time.Duration(*tr.Spec.ExpirationSeconds) * time.Second)}
	return &out, nil
}

func (f *fakeGetter) ConfigMap(context.Context, string, string) (*core.ConfigMap, error) {
	return nil, apierrors.NewNotFound("", "configmaps", "x")
}

func (f *fakeGetter) Secret(context.Context, string, string) (*core.Secret, error) {
	return nil, apierrors.NewNotFound("", "secrets", "x")
}

func (f *fakeGetter) PersistentVolumeClaim(_ context.Context, ns, name string) (*core.PersistentVolumeClaim, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.claims[ns+"/"+name]; ok {
		return c, nil
	}
	return nil, apierrors.NewNotFound("", "persistentvolumeclaims", name)
}

func (f *fakeGetter) PersistentVolume(_ context.Context, name string) (*core.PersistentVolume, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if pv, ok := f.pvs[name]; ok {
		return pv, nil
	}
	return nil, apierrors.NewNotFound("", "persistentvolumes", name)
}

func (f *fakeGetter) Node(_ context.Context, name string) (*core.Node, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n, ok := f.nodes[name]; ok {
		return n, nil
	}
	return nil, apierrors.NewNotFound("", "nodes", name)
}

func TestDecideReclaim(t *testing.T) {
	rec := provisionedRecord{Name: "pvc-1", UID: "u1", Path: "/vols/pvc-1", ReclaimPolicy: core.PersistentVolumeReclaimDelete}
	pv := func(uid string, policy core.PersistentVolumeReclaimPolicy) *core.PersistentVolume {
		return &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: "pvc-1", UID: uid},
			Spec: core.PersistentVolumeSpec{PersistentVolumeReclaimPolicy: policy}}
	}
	retain := rec
	retain.ReclaimPolicy = core.PersistentVolumeReclaimRetain
	odd := rec
	odd.Path = "/etc"
	for _, tc := range []struct {
		name  string
		rec   provisionedRecord
		pv    *core.PersistentVolume
		inUse bool
		want  reclaimAction
	}{
		{"volume still there", rec, pv("u1", core.PersistentVolumeReclaimDelete), false, reclaimKeep},
		{"policy changed", rec, pv("u1", core.PersistentVolumeReclaimRetain), false, reclaimUpdate},
		{"deleted, Delete", rec, nil, false, reclaimRemove},
		{"replaced by another uid", rec, pv("u2", core.PersistentVolumeReclaimDelete), false, reclaimRemove},
		{"deleted but still mounted here", rec, nil, true, reclaimWait},
		{"deleted, Retain", retain, nil, false, reclaimForget},
		{"deleted, path not the provisioner's", odd, nil, false, reclaimForget},
	} {
		if got := decideReclaim(tc.rec, tc.pv, tc.inUse); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestProvisionerPath(t *testing.T) {
	for _, tc := range []struct {
		name, path string
		want       bool
	}{
		{"pvc-1", "/var/lib/tinykube/volumes/pvc-1", true},
		{"pvc-1", "/pvc-1", true},
		{"pvc-1", "/var/lib/tinykube/volumes/other", false},
		{"pvc-1", "volumes/pvc-1", false},
		{"pvc-1", "/a/../pvc-1", false},
		{"", "/", false},
	} {
		if got := provisionerPath(provisionedRecord{Name: tc.name, Path: tc.path}); got != tc.want {
			t.Errorf("%s at %s: %v, want %v", tc.name, tc.path, got, tc.want)
		}
	}
}

// TestReclaim: a pod's provisioned volume is recorded when set up; while
// the pod uses it nothing is removed; torn down and deleted, a Delete
// volume's directory goes, a Retain volume's stays; a hand-made hostPath
// volume is never recorded.
func TestReclaim(t *testing.T) {
	vols := t.TempDir()
	volume := func(name string, policy core.PersistentVolumeReclaimPolicy, provisioned bool) *core.PersistentVolume {
		pv := &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: name, UID: "uid-" + name}, Spec: core.PersistentVolumeSpec{
			PersistentVolumeSource: core.PersistentVolumeSource{HostPath: &core.HostPathVolumeSource{
				Path: filepath.Join(vols, name), Type: meta.Ptr(core.HostPathDirectoryOrCreate)}},
			ClaimRef: &core.ObjectReference{Namespace: "ns", Name: "c-" + name, UID: "c-" + name}, PersistentVolumeReclaimPolicy: policy}}
		if provisioned {
			pv.Annotations = map[string]string{core.AnnDynamicallyProvisioned: persistentvolume.HostPathProvisioner}
		}
		return pv
	}
	g := &fakeGetter{claims: map[string]*core.PersistentVolumeClaim{}, pvs: map[string]*core.PersistentVolume{}}
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "pod-1"}, Spec: core.PodSpec{NodeName: "n"}}
	for _, v := range []*core.PersistentVolume{volume("pvc-del", core.PersistentVolumeReclaimDelete, true),
		volume("pvc-keep", core.PersistentVolumeReclaimRetain, true), volume("static", core.PersistentVolumeReclaimDelete, false)} {
		g.pvs[v.Name] = v
		g.claims["ns/c-"+v.Name] = &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "c-" + v.Name, Namespace: "ns", UID: "c-" + v.Name},
			Spec: core.PersistentVolumeClaimSpec{VolumeName: v.Name}, Status: core.PersistentVolumeClaimStatus{Phase: core.ClaimBound}}
		pod.Spec.Volumes = append(pod.Spec.Volumes, core.Volume{Name: v.Name, VolumeSource: core.VolumeSource{
			PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: "c-" + v.Name}}})
	}
	m := NewManager(Options{RootDir: t.TempDir(), Getter: g})
	ctx := context.Background()
	if err := m.SetUp(ctx, pod, nil); err != nil {
		t.Fatal(err)
	}
	recs, err := m.readRecords()
	if err != nil || len(recs) != 2 {
		t.Fatalf("records %+v, %v", recs, err)
	}
	for _, name := range []string{"pvc-del", "pvc-keep", "static"} {
		if err := os.WriteFile(filepath.Join(vols, name, "f"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(name string) bool { _, err := os.Stat(filepath.Join(vols, name)); return err == nil }
	g.mu.Lock()
	g.pvs = map[string]*core.PersistentVolume{}
	g.mu.Unlock()
	m.Reclaim(ctx)
	if !exists("pvc-del") {
		t.Fatal("a mounted volume's data was removed")
	}
	if err := m.TearDown("pod-1"); err != nil {
		t.Fatal(err)
	}
	m.Reclaim(ctx)
	if exists("pvc-del") || !exists("pvc-keep") || !exists("static") {
		t.Fatalf("after reclaim: pvc-del %v (want gone), pvc-keep %v, static %v", exists("pvc-del"), exists("pvc-keep"), exists("static"))
	}
	if recs, err := m.readRecords(); err != nil || len(recs) != 0 {
		t.Fatalf("records left %+v, %v", recs, err)
	}
}
