package persistentvolume

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/storage"
)

func pv(name, size string, mut ...func(*core.PersistentVolume)) *core.PersistentVolume {
	v := &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: name}, Spec: core.PersistentVolumeSpec{
		Capacity:    core.ResourceList{core.ResourceStorage: resource.MustParse(size)},
		AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce, core.ReadOnlyMany}, StorageClassName: "sc"},
		Status: core.PersistentVolumeStatus{Phase: core.VolumeAvailable}}
	for _, m := range mut {
		m(v)
	}
	return v
}

func claim(size string, mut ...func(*core.PersistentVolumeClaim)) *core.PersistentVolumeClaim {
	c := &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "c", Namespace: "ns", UID: "u1"}, Spec: core.PersistentVolumeClaimSpec{
		AccessModes:      []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
		Resources:        core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse(size)}},
		StorageClassName: meta.Ptr("sc")}}
	for _, m := range mut {
		m(c)
	}
	return c
}

func onNode(n string) func(*core.PersistentVolume) {
	return func(v *core.PersistentVolume) {
		v.Spec.NodeAffinity = &core.VolumeNodeAffinity{Required: &core.NodeSelector{NodeSelectorTerms: []core.NodeSelectorTerm{{
			MatchExpressions: []core.NodeSelectorRequirement{{Key: core.LabelHostname, Operator: core.NodeSelectorOpIn, Values: []string{n}}}}}}}
	}
}

func refTo(ns, name, uid string) func(*core.PersistentVolume) {
	return func(v *core.PersistentVolume) {
		v.Spec.ClaimRef = &core.ObjectReference{Namespace: ns, Name: name, UID: uid}
	}
}

func TestFindBestMatch(t *testing.T) {
	node := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1", Labels: map[string]string{core.LabelHostname: "n1"}}}
	for _, tc := range []struct {
		name    string
		claim   *core.PersistentVolumeClaim
		volumes []*core.PersistentVolume
		node    *core.Node
		want    string
	}{
		{"smallest that fits", claim("1Gi"), []*core.PersistentVolume{pv("big", "10Gi"), pv("tiny", "100Mi"), pv("ok", "2Gi"), pv("ok2", "2Gi")}, nil, "ok"},
		{"exact size", claim("1Gi"), []*core.PersistentVolume{pv("a", "1Gi")}, nil, "a"},
		{"other class", claim("1Gi"), []*core.PersistentVolume{pv("a", "1Gi", func(v *core.PersistentVolume) { v.Spec.StorageClassName = "x" })}, nil, ""},
		{"no class claim takes classless volume", claim("1Gi", func(c *core.PersistentVolumeClaim) { c.Spec.StorageClassName = meta.Ptr("") }),
			[]*core.PersistentVolume{pv("a", "1Gi"), pv("b", "5Gi", func(v *core.PersistentVolume) { v.Spec.StorageClassName = "" })}, nil, "b"},
		{"access mode missing", claim("1Gi", func(c *core.PersistentVolumeClaim) {
			c.Spec.AccessModes = []core.PersistentVolumeAccessMode{core.ReadWriteMany}
		}), []*core.PersistentVolume{pv("a", "1Gi")}, nil, ""},
		{"bound elsewhere", claim("1Gi"), []*core.PersistentVolume{pv("a", "1Gi", refTo("ns", "other", "u9"))}, nil, ""},
		{"released not reused", claim("1Gi"), []*core.PersistentVolume{pv("a", "1Gi", func(v *core.PersistentVolume) { v.Status.Phase = core.VolumeReleased })}, nil, ""},
		{"claimRef pre-binding wins over smaller", claim("1Gi"), []*core.PersistentVolume{pv("small", "1Gi"), pv("mine", "5Gi", refTo("ns", "c", ""))}, nil, "mine"},
		{"volumeName pre-binding", claim("1Gi", func(c *core.PersistentVolumeClaim) { c.Spec.VolumeName = "big" }),
			[]*core.PersistentVolume{pv("small", "1Gi"), pv("big", "5Gi")}, nil, "big"},
		{"volumeName too small", claim("1Gi", func(c *core.PersistentVolumeClaim) { c.Spec.VolumeName = "small" }),
			[]*core.PersistentVolume{pv("small", "100Mi"), pv("big", "5Gi")}, nil, ""},
		{"selector", claim("1Gi", func(c *core.PersistentVolumeClaim) {
			c.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"disk": "ssd"}}
		}), []*core.PersistentVolume{pv("hdd", "1Gi"), pv("ssd", "9Gi", func(v *core.PersistentVolume) { v.Labels = map[string]string{"disk": "ssd"} })}, nil, "ssd"},
		{"node affinity", claim("1Gi"), []*core.PersistentVolume{pv("elsewhere", "1Gi", onNode("n2")), pv("here", "3Gi", onNode("n1"))}, node, "here"},
		{"block vs filesystem", claim("1Gi", func(c *core.PersistentVolumeClaim) { c.Spec.VolumeMode = meta.Ptr(core.PersistentVolumeBlock) }),
			[]*core.PersistentVolume{pv("a", "1Gi")}, nil, ""},
	} {
		got := ""
		if v := FindBestMatch(tc.claim, tc.volumes, tc.node); v != nil {
			got = v.Name
		}
		if got != tc.want {
			t.Errorf("%s: match = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPhases(t *testing.T) {
	c := claim("1Gi", func(c *core.PersistentVolumeClaim) { c.Spec.VolumeName = "a" })
	completed := claim("1Gi", func(c *core.PersistentVolumeClaim) {
		c.Spec.VolumeName = "a"
		c.Annotations = map[string]string{core.AnnBindCompleted: "yes"}
	})
	for _, tc := range []struct {
		name  string
		claim *core.PersistentVolumeClaim
		pv    *core.PersistentVolume
		want  core.PersistentVolumeClaimPhase
	}{
		{"unbound", claim("1Gi"), nil, core.ClaimPending},
		{"bound both ways", c, pv("a", "1Gi", refTo("ns", "c", "u1")), core.ClaimBound},
		{"volume not yet bound back", c, pv("a", "1Gi"), core.ClaimPending},
		{"volume gone after binding", completed, nil, core.ClaimLost},
		{"volume bound to another after binding", completed, pv("a", "1Gi", refTo("ns", "x", "u2")), core.ClaimLost},
	} {
		if got := ClaimPhase(tc.claim, tc.pv); got != tc.want {
			t.Errorf("claim %s: phase %s, want %s", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		name  string
		pv    *core.PersistentVolume
		claim *core.PersistentVolumeClaim
		want  core.PersistentVolumePhase
	}{
		{"free", pv("a", "1Gi"), nil, core.VolumeAvailable},
		{"pre-bound", pv("a", "1Gi", refTo("ns", "c", "")), nil, core.VolumeAvailable},
		{"bound", pv("a", "1Gi", refTo("ns", "c", "u1")), c, core.VolumeBound},
		{"claim deleted", pv("a", "1Gi", refTo("ns", "c", "u1")), nil, core.VolumeReleased},
		{"claim recreated", pv("a", "1Gi", refTo("ns", "c", "old")), c, core.VolumeReleased},
		{"failed stays", pv("a", "1Gi", func(v *core.PersistentVolume) { v.Status.Phase = core.VolumeFailed }), nil, core.VolumeFailed},
	} {
		if got := VolumePhase(tc.pv, tc.claim); got != tc.want {
			t.Errorf("volume %s: phase %s, want %s", tc.name, got, tc.want)
		}
	}
	for policy, want := range map[core.PersistentVolumeReclaimPolicy]ReclaimAction{
		core.PersistentVolumeReclaimDelete: ReclaimDelete, core.PersistentVolumeReclaimRetain: ReclaimNone, core.PersistentVolumeReclaimRecycle: ReclaimFail,
	} {
		if got := Reclaim(pv("a", "1Gi", func(v *core.PersistentVolume) { v.Spec.PersistentVolumeReclaimPolicy = policy })); got != want {
			t.Errorf("reclaim %s = %q, want %q", policy, got, want)
		}
	}
}

func TestProvision(t *testing.T) {
	wffc := &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: "sc"}, Provisioner: HostPathProvisioner,
		VolumeBindingMode: meta.Ptr(storage.VolumeBindingWaitForFirstConsumer)}
	immediate := &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: "sc"}, Provisioner: HostPathProvisioner}
	external := &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: "sc"}, Provisioner: "ebs.csi.aws.com"}
	selected := claim("1Gi", func(c *core.PersistentVolumeClaim) { c.Annotations = map[string]string{core.AnnSelectedNode: "n1"} })
	for _, tc := range []struct {
		name  string
		claim *core.PersistentVolumeClaim
		class *storage.StorageClass
		want  ProvisionDecision
	}{
		{"no class", claim("1Gi"), nil, NoClass},
		{"immediate", claim("1Gi"), immediate, ProvisionNow},
		{"wffc without node", claim("1Gi"), wffc, WaitForConsumer},
		{"wffc with node", selected, wffc, ProvisionNow},
		{"external", claim("1Gi"), external, ProvisionExternal},
	} {
		if got := Provision(tc.claim, tc.class, HostPathProvisioner); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	v := NewProvisionedVolume(selected, wffc, "/v")
	if v.Name != "pvc-u1" || v.Spec.HostPath.Path != "/v/pvc-u1" || v.Spec.ClaimRef.UID != "u1" ||
		v.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0].Values[0] != "n1" {
		t.Errorf("provisioned = %+v", v.Spec)
	}
	if !VolumeFits(v, selected, &core.Node{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{core.LabelHostname: "n1"}}}) {
		t.Errorf("the provisioned volume does not fit its claim")
	}
}
