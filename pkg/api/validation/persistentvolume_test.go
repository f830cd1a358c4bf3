package validation

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

func storageList(q string) core.ResourceList {
	return core.ResourceList{core.ResourceStorage: resource.MustParse(q)}
}

func goodPV() *core.PersistentVolume {
	pv := &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: "pv1"}, Spec: core.PersistentVolumeSpec{
		Capacity: storageList("1Gi"), AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
		PersistentVolumeSource: core.PersistentVolumeSource{HostPath: &core.HostPathVolumeSource{Path: "/data/pv1"}}}}
	core.DefaultPersistentVolume(pv)
	return pv
}

func goodPVC() *core.PersistentVolumeClaim {
	c := &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "data", Namespace: "ns"}, Spec: core.PersistentVolumeClaimSpec{
		AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
		Resources:   core.VolumeResourceRequirements{Requests: storageList("1Gi")}}}
	core.DefaultPersistentVolumeClaim(c)
	return c
}

// errorsString renders an error list, "" when empty.
func errorsString(errs field.ErrorList) string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return strings.Join(out, "; ")
}

func TestValidatePersistentVolume(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*core.PersistentVolume)
		want   string // substring of the errors; "" = valid
	}{
		{"valid", func(*core.PersistentVolume) {}, ""},
		{"no access modes", func(pv *core.PersistentVolume) { pv.Spec.AccessModes = nil },
			"spec.accessModes: Required value: at least 1 access mode is required"},
		{"bad access mode", func(pv *core.PersistentVolume) { pv.Spec.AccessModes = []core.PersistentVolumeAccessMode{"Sometimes"} },
			`spec.accessModes: Unsupported value: "Sometimes"`},
		{"no capacity", func(pv *core.PersistentVolume) { pv.Spec.Capacity = nil }, "spec.capacity: Required value"},
		{"cpu capacity", func(pv *core.PersistentVolume) {
			pv.Spec.Capacity = core.ResourceList{core.ResourceCPU: resource.MustParse("1")}
		},
			`spec.capacity: Unsupported value: [cpu]: supported values: "storage"`},
		{"no source", func(pv *core.PersistentVolume) { pv.Spec.HostPath = nil }, "spec: Required value: must specify a volume type"},
		{"two sources", func(pv *core.PersistentVolume) { pv.Spec.Local = &core.LocalVolumeSource{Path: "/x"} },
			"spec: Forbidden: may not specify more than 1 volume type"},
		{"local without affinity", func(pv *core.PersistentVolume) {
			pv.Spec.HostPath, pv.Spec.Local = nil, &core.LocalVolumeSource{Path: "/mnt/disk"}
		}, "spec.nodeAffinity: Required value: Local volume requires node affinity"},
		{"affinity without required", func(pv *core.PersistentVolume) { pv.Spec.NodeAffinity = &core.VolumeNodeAffinity{} },
			"spec.nodeAffinity.required: Required value: must specify required node constraints"},
		{"bad reclaim policy", func(pv *core.PersistentVolume) { pv.Spec.PersistentVolumeReclaimPolicy = "Keep" },
			`spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep"`},
		{"bad class name", func(pv *core.PersistentVolume) { pv.Spec.StorageClassName = "Fast_Disks" }, "spec.storageClassName: Invalid value"},
		{"claimRef without namespace", func(pv *core.PersistentVolume) { pv.Spec.ClaimRef = &core.ObjectReference{Name: "c"} },
			"spec.claimRef.namespace: Required value"},
	} {
		pv := goodPV()
		tc.mutate(pv)
		got := errorsString(ValidatePersistentVolume(pv))
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestValidatePersistentVolumeUpdate(t *testing.T) {
	old := goodPV()
	grown := goodPV()
	grown.Spec.Capacity = storageList("2Gi")
	grown.Spec.ClaimRef = &core.ObjectReference{Namespace: "ns", Name: "data"}
	if errs := ValidatePersistentVolumeUpdate(grown, old); len(errs) > 0 {
		t.Errorf("capacity and claimRef change: %v", errs)
	}
	moved := goodPV()
	moved.Spec.HostPath.Path = "/elsewhere"
	if got := errorsString(ValidatePersistentVolumeUpdate(moved, old)); !strings.Contains(got, "spec.persistentvolumesource is immutable after creation") {
		t.Errorf("source change: %q", got)
	}
}

func TestValidatePersistentVolumeClaim(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*core.PersistentVolumeClaim)
		want   string
	}{
		{"valid", func(*core.PersistentVolumeClaim) {}, ""},
		{"no request", func(c *core.PersistentVolumeClaim) { c.Spec.Resources.Requests = nil }, "spec.resources[storage]: Required value"},
		{"zero request", func(c *core.PersistentVolumeClaim) { c.Spec.Resources.Requests = storageList("0") },
			`spec.resources[storage]: Invalid value: "0": must be greater than zero`},
		{"no access modes", func(c *core.PersistentVolumeClaim) { c.Spec.AccessModes = nil }, "at least 1 access mode is required"},
		{"once pod with others", func(c *core.PersistentVolumeClaim) {
			c.Spec.AccessModes = append(c.Spec.AccessModes, core.ReadWriteOncePod)
		}, "may not use ReadWriteOncePod with other access modes"},
		{"bad volume mode", func(c *core.PersistentVolumeClaim) { c.Spec.VolumeMode = meta.Ptr(core.PersistentVolumeMode("Tape")) },
			`spec.volumeMode: Unsupported value: "Tape"`},
		{"bad selector", func(c *core.PersistentVolumeClaim) {
			c.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"a b": "c"}}
		}, "spec.selector"},
		{"empty class is fine", func(c *core.PersistentVolumeClaim) { c.Spec.StorageClassName = meta.Ptr("") }, ""},
	} {
		c := goodPVC()
		tc.mutate(c)
		got := errorsString(ValidatePersistentVolumeClaim(c))
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestValidatePersistentVolumeClaimUpdate(t *testing.T) {
	bound := func(c *core.PersistentVolumeClaim) *core.PersistentVolumeClaim {
		c.Status.Phase = core.ClaimBound
		c.Spec.VolumeName = "pv1"
		return c
	}
	immutable := "spec is immutable after creation except resources.requests for bound claims"
	for _, tc := range []struct {
		name     string
		old      *core.PersistentVolumeClaim
		mutate   func(*core.PersistentVolumeClaim)
		wantErrs string
	}{
		{"bind sets volumeName", goodPVC(), func(c *core.PersistentVolumeClaim) { c.Spec.VolumeName = "pv1" }, ""},
		{"volumeName changes once set", bound(goodPVC()), func(c *core.PersistentVolumeClaim) { c.Spec.VolumeName = "pv2" }, immutable},
		{"access modes", goodPVC(), func(c *core.PersistentVolumeClaim) {
			c.Spec.AccessModes = []core.PersistentVolumeAccessMode{core.ReadWriteMany}
		}, immutable},
		{"unbound claim grows", goodPVC(), func(c *core.PersistentVolumeClaim) { c.Spec.Resources.Requests = storageList("2Gi") }, immutable},
		{"bound claim grows", bound(goodPVC()), func(c *core.PersistentVolumeClaim) { c.Spec.Resources.Requests = storageList("2Gi") }, ""},
		{"bound claim shrinks", bound(goodPVC()), func(c *core.PersistentVolumeClaim) { c.Spec.Resources.Requests = storageList("1Mi") },
			"spec.resources.requests.storage: Forbidden: field can not be less than previous value"},
		{"class set later", goodPVC(), func(c *core.PersistentVolumeClaim) { c.Spec.StorageClassName = meta.Ptr("fast") }, immutable},
	} {
		c := meta.DeepCopy(tc.old)
		tc.mutate(c)
		got := errorsString(ValidatePersistentVolumeClaimUpdate(c, tc.old))
		if (tc.wantErrs == "") != (got == "") || !strings.Contains(got, tc.wantErrs) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.wantErrs)
		}
	}
}

func TestValidateStorageClass(t *testing.T) {
	good := func() *storage.StorageClass {
		sc := &storage.StorageClass{ObjectMeta: meta.ObjectMeta{Name: "standard"}, Provisioner: "tinykube.io/host-path",
			Parameters: map[string]string{"a": "b"}}
		storage.DefaultStorageClass(sc)
		return sc
	}
	if errs := ValidateStorageClass(good()); len(errs) > 0 {
		t.Fatalf("valid class: %v", errs)
	}
	noProv := good()
	noProv.Provisioner = ""
	recycle := good()
	recycle.ReclaimPolicy = meta.Ptr(core.PersistentVolumeReclaimRecycle)
	mode := good()
	mode.VolumeBindingMode = meta.Ptr(storage.VolumeBindingMode("Later"))
	for _, tc := range []struct {
		name string
		sc   *storage.StorageClass
		want string
	}{
		{"no provisioner", noProv, "provisioner: Required value"},
		{"recycle", recycle, `reclaimPolicy: Unsupported value: "Recycle"`},
		{"binding mode", mode, `volumeBindingMode: Unsupported value: "Later"`},
	} {
		if got := errorsString(ValidateStorageClass(tc.sc)); !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
	changed := good()
	changed.Provisioner, changed.Parameters = "other.io/x", map[string]string{"a": "c"}
	changed.ReclaimPolicy = meta.Ptr(core.PersistentVolumeReclaimRetain)
	changed.VolumeBindingMode = meta.Ptr(storage.VolumeBindingWaitForFirstConsumer)
	changed.AllowVolumeExpansion = meta.Ptr(true)
	got := errorsString(ValidateStorageClassUpdate(changed, good()))
	for _, want := range []string{"updates to parameters are forbidden.", "updates to provisioner are forbidden.",
		"updates to reclaimPolicy are forbidden.", "volumeBindingMode: Invalid value"} {
		if !strings.Contains(got, want) {
			t.Errorf("update errors %q lack %q", got, want)
		}
	}
	if strings.Contains(got, "allowVolumeExpansion") {
		t.Errorf("allowVolumeExpansion is mutable: %q", got)
	}
}

func TestPodPersistentVolumeClaimVolume(t *testing.T) {
	_, errs := validateVolumes([]core.Volume{
		{Name: "ok", VolumeSource: core.VolumeSource{PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: "data", ReadOnly: true}}},
		{Name: "bad", VolumeSource: core.VolumeSource{PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{}}},
	}, field.NewPath("spec", "volumes"))
	if got := errorsString(errs); got != "spec.volumes[1].persistentVolumeClaim.claimName: Required value" {
		t.Errorf("errors = %q", got)
	}
}
