package persistentvolume

import (
	"maps"
	"path"
	"slices"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/storage"
)

// HostPathProvisioner is the provisioner name of tinykube's built-in
// host-path provisioner.
const HostPathProvisioner = "tinykube.io/host-path"

// DefaultVolumeDir is where provisioned host-path volumes live on the
// nodes (--host-path-volume-dir).
const DefaultVolumeDir = "/var/lib/tinykube/volumes"

// VolumeName is the name of the volume provisioned for claim, as
// Kubernetes names them: pvc-<claim uid>.
func VolumeName(claim *core.PersistentVolumeClaim) string { return "pvc-" + claim.UID }

// NewProvisionedVolume is the volume the host-path provisioner makes for
// claim of class: hostPath <dir>/<name> (DirectoryOrCreate), the claim's
// request as capacity and its access modes and volume mode, the class's
// reclaim policy and mount options, pre-bound to the claim, annotated
// provisioned-by, and, when the claim has a selected node
// (WaitForFirstConsumer), a node affinity to that node's hostname.
func NewProvisionedVolume(claim *core.PersistentVolumeClaim, class *storage.StorageClass, dir string) *core.PersistentVolume {
	name := VolumeName(claim)
	reclaim := core.PersistentVolumeReclaimDelete
	if class.ReclaimPolicy != nil {
		reclaim = *class.ReclaimPolicy
	}
	pv := &core.PersistentVolume{
		TypeMeta: meta.TypeMeta{APIVersion: "v1", Kind: "PersistentVolume"},
		ObjectMeta: meta.ObjectMeta{Name: name,
			Annotations: map[string]string{core.AnnDynamicallyProvisioned: class.Provisioner}},
		Spec: core.PersistentVolumeSpec{
			Capacity: core.ResourceList{core.ResourceStorage: claim.StorageRequest()},
			PersistentVolumeSource: core.PersistentVolumeSource{HostPath: &core.HostPathVolumeSource{
				Path: path.Join(dir, name), Type: meta.Ptr(core.HostPathDirectoryOrCreate)}},
			AccessModes:                   slices.Clone(claim.Spec.AccessModes),
			ClaimRef:                      claimRefOf(claim),
			PersistentVolumeReclaimPolicy: reclaim,
			StorageClassName:              class.Name,
			MountOptions:                  slices.Clone(class.MountOptions),
			VolumeMode:                    meta.Ptr(modeOf(claim.Spec.VolumeMode)),
		},
	}
	if node := claim.Annotations[core.AnnSelectedNode]; node != "" {
		pv.Spec.NodeAffinity = &core.VolumeNodeAffinity{Required: &core.NodeSelector{NodeSelectorTerms: []core.NodeSelectorTerm{{
			MatchExpressions: []core.NodeSelectorRequirement{{Key: core.LabelHostname, Operator: core.NodeSelectorOpIn, Values: []string{node}}},
		}}}}
	}
	return pv
}

func claimRefOf(claim *core.PersistentVolumeClaim) *core.ObjectReference {
	return &core.ObjectReference{Kind: "PersistentVolumeClaim", APIVersion: "v1", Namespace: claim.Namespace,
		Name: claim.Name, UID: claim.UID, ResourceVersion: claim.ResourceVersion}
}

// BoundVolume is pv bound to claim: claimRef set (with the claim's uid)
// and, when the controller chose the volume, bound-by-controller.
func BoundVolume(pv *core.PersistentVolume, claim *core.PersistentVolumeClaim) *core.PersistentVolume {
	out := meta.DeepCopy(pv)
	if !claimRefMatches(out.Spec.ClaimRef, claim) || out.Spec.ClaimRef.UID == "" {
		if out.Spec.ClaimRef == nil {
			out.Annotations = withAnnotation(out.Annotations, core.AnnBoundByController, "yes")
		}
		out.Spec.ClaimRef = claimRefOf(claim)
	}
	return out
}

// BoundClaim is claim bound to pv: volumeName set, bind-completed and,
// when the controller chose the volume, bound-by-controller.
func BoundClaim(claim *core.PersistentVolumeClaim, pv *core.PersistentVolume) *core.PersistentVolumeClaim {
	out := meta.DeepCopy(claim)
	if out.Spec.VolumeName == "" {
		out.Annotations = withAnnotation(out.Annotations, core.AnnBoundByController, "yes")
		out.Spec.VolumeName = pv.Name
	}
	out.Annotations = withAnnotation(out.Annotations, core.AnnBindCompleted, "yes")
	return out
}

func withAnnotation(a map[string]string, k, v string) map[string]string {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]string{}
	}
	out[k] = v
	return out
}
