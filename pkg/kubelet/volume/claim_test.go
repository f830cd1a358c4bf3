package volume

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestResolveClaim(t *testing.T) {
	bound := func(mut func(*core.PersistentVolumeClaim)) *core.PersistentVolumeClaim {
		c := &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "data", Namespace: "ns", UID: "c1"},
			Spec: core.PersistentVolumeClaimSpec{VolumeName: "pv1"}, Status: core.PersistentVolumeClaimStatus{Phase: core.ClaimBound}}
		if mut != nil {
			mut(c)
		}
		return c
	}
	onNode := func(n string) *core.VolumeNodeAffinity {
		return &core.VolumeNodeAffinity{Required: &core.NodeSelector{NodeSelectorTerms: []core.NodeSelectorTerm{{
			MatchExpressions: []core.NodeSelectorRequirement{{Key: core.LabelHostname, Operator: core.NodeSelectorOpIn, Values: []string{n}}}}}}}
	}
	pv := func(mut func(*core.PersistentVolume)) *core.PersistentVolume {
		p := &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: "pv1"}, Spec: core.PersistentVolumeSpec{
			PersistentVolumeSource: core.PersistentVolumeSource{HostPath: &core.HostPathVolumeSource{Path: "/data/pv1/"}},
			ClaimRef:               &core.ObjectReference{Namespace: "ns", Name: "data", UID: "c1"}}}
		if mut != nil {
			mut(p)
		}
		return p
	}
	nodeA := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "a", Labels: map[string]string{core.LabelHostname: "a"}}}
	src := &core.PersistentVolumeClaimVolumeSource{ClaimName: "data"}
	for _, tc := range []struct {
		name     string
		src      *core.PersistentVolumeClaimVolumeSource
		pvc      *core.PersistentVolumeClaim
		pv       *core.PersistentVolume
		node     *core.Node
		want     HostVolume
		wantErr  string
		affinity bool
	}{
		{name: "hostPath volume", pvc: bound(nil), pv: pv(nil), want: HostVolume{Plugin: PluginHostPath, Path: "/data/pv1"}},
		{name: "read-only claim", src: &core.PersistentVolumeClaimVolumeSource{ClaimName: "data", ReadOnly: true}, pvc: bound(nil), pv: pv(nil),
			want: HostVolume{Plugin: PluginHostPath, Path: "/data/pv1", ReadOnly: true}},
		{name: "local volume on its node", pvc: bound(nil), node: nodeA, pv: pv(func(p *core.PersistentVolume) {
			p.Spec.HostPath, p.Spec.Local, p.Spec.NodeAffinity = nil, &core.LocalVolumeSource{Path: "/mnt/disk"}, onNode("a")
		}), want: HostVolume{Plugin: PluginLocal, Path: "/mnt/disk"}},
		{name: "pending claim", pvc: bound(func(c *core.PersistentVolumeClaim) { c.Status.Phase, c.Spec.VolumeName = core.ClaimPending, "" }),
			wantErr: `PVC ns/data has non-bound phase ("Pending") or empty pvc.Spec.VolumeName ("")`},
		{name: "claim being deleted", pvc: bound(func(c *core.PersistentVolumeClaim) { c.DeletionTimestamp = &meta.Time{} }),
			wantErr: "can't start pod because PVC ns/data is being deleted"},
		{name: "volume not bound back", pvc: bound(nil), pv: pv(func(p *core.PersistentVolume) { p.Spec.ClaimRef = nil }),
			wantErr: `found PV object "pv1" but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`},
		{name: "volume bound to an older claim", pvc: bound(nil), pv: pv(func(p *core.PersistentVolume) { p.Spec.ClaimRef.UID = "old" }),
			wantErr: `found PV object "pv1" but its pv.Spec.ClaimRef.UID ("old") does not point to claim.UID ("c1")`},
		{name: "volume of another node", pvc: bound(nil), node: nodeA, pv: pv(func(p *core.PersistentVolume) { p.Spec.NodeAffinity = onNode("b") }),
			wantErr: `no matching NodeSelectorTerms: persistent volume "pv1" is not accessible from node "a"`, affinity: true},
		{name: "block volume", pvc: bound(nil), pv: pv(func(p *core.PersistentVolume) { p.Spec.VolumeMode = meta.Ptr(core.PersistentVolumeBlock) }),
			wantErr: "volumeMode Block"},
		{name: "no supported source", pvc: bound(nil), pv: pv(func(p *core.PersistentVolume) { p.Spec.HostPath = nil }),
			wantErr: "hostPath and local are"},
	} {
		s := src
		if tc.src != nil {
			s = tc.src
		}
		got, err := ResolveClaim("ns", s, tc.pvc, tc.pv, tc.node)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			var ae *NodeAffinityError
			if errors.As(err, &ae) != tc.affinity {
				t.Errorf("%s: node affinity error %v, want %v", tc.name, ae, tc.affinity)
			}
			continue
		}
		if err != nil || got.HostVolume != tc.want || got.PV != tc.pv {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got.HostVolume, err, tc.want)
		}
	}
}

func TestSetUpErrorNodeAffinity(t *testing.T) {
	err := &SetUpError{Volume: "data", Err: &NodeAffinityError{Volume: "pv1", Node: "a"}}
	if !strings.HasPrefix(err.Error(), `MountVolume.NodeAffinity check failed for volume "data" : no matching NodeSelectorTerms`) {
		t.Errorf("got %q", err.Error())
	}
	err = &SetUpError{Volume: "data", Err: errors.New("x")}
	if err.Error() != `MountVolume.SetUp failed for volume "data" : x` {
		t.Errorf("got %q", err.Error())
	}
}

func TestCheckLocalPath(t *testing.T) {
	dir := t.TempDir()
	if err := checkLocalPath(dir); err != nil {
		t.Errorf("existing dir: %v", err)
	}
	missing := filepath.Join(dir, "gone")
	if err := checkLocalPath(missing); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing: %v", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a local volume's path was created")
	}
}

func TestPlanMountsReadOnlyVolume(t *testing.T) {
	vols := map[string]HostVolume{"data": {Plugin: PluginHostPath, Path: "/d", ReadOnly: true}}
	c := &core.Container{Name: "c", VolumeMounts: []core.VolumeMount{{Name: "data", MountPath: "/m"}}}
	plans, err := PlanMounts(vols, c, nil)
	if err != nil || len(plans) != 1 || !plans[0].ReadOnly || plans[0].Source != "/d" {
		t.Fatalf("plans %+v, %v", plans, err)
	}
}
