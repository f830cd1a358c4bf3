package persistentvolume

import (
	"slices"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/storage"
)

// claimRefMatches reports whether ref names claim (by namespace and name,
// and by uid when ref has one).
func claimRefMatches(ref *core.ObjectReference, claim *core.PersistentVolumeClaim) bool {
	return ref != nil && ref.Namespace == claim.Namespace && ref.Name == claim.Name &&
		(ref.UID == "" || ref.UID == claim.UID)
}

// VolumeFits reports whether pv can hold claim, as Kubernetes' matching
// does: the same storage class and volume mode, every access mode the
// claim asks for, capacity at least the request, the claim's label
// selector, and, when node is given, a node affinity that admits node.
// Binding state (claimRef, phase) is not looked at here.
func VolumeFits(pv *core.PersistentVolume, claim *core.PersistentVolumeClaim, node *core.Node) bool {
	if pv.Spec.StorageClassName != core.StorageClassOfClaim(claim) || pv.DeletionTimestamp != nil {
		return false
	}
	if modeOf(pv.Spec.VolumeMode) != modeOf(claim.Spec.VolumeMode) {
		return false
	}
	for _, m := range claim.Spec.AccessModes {
		if !slices.Contains(pv.Spec.AccessModes, m) {
			return false
		}
	}
	size, req := pv.Spec.Capacity[core.ResourceStorage], claim.StorageRequest()
	if size.Cmp(req) < 0 {
		return false
	}
	if claim.Spec.Selector != nil {
		sel, err := labels.LabelSelectorAsSelector(claim.Spec.Selector)
		if err != nil || !sel.Matches(labels.Set(pv.Labels)) {
			return false
		}
	}
	return node == nil || VolumeAllowsNode(pv, node)
}

// VolumeAllowsNode reports whether pv's node affinity admits node (a
// volume without one is usable everywhere).
func VolumeAllowsNode(pv *core.PersistentVolume, node *core.Node) bool {
	na := pv.Spec.NodeAffinity
	if na == nil || na.Required == nil {
		return true
	}
	ok, err := core.MatchNodeSelectorTerms(node, na.Required.NodeSelectorTerms)
	return err == nil && ok
}

func modeOf(m *core.PersistentVolumeMode) core.PersistentVolumeMode {
	if m == nil {
		return core.PersistentVolumeFilesystem
	}
	return *m
}

// FindBestMatch picks the volume to bind claim to among volumes: the one
// claim.spec.volumeName names (if it fits and is free or pre-bound to the
// claim), else a fitting volume pre-bound to the claim through its
// claimRef, else the smallest fitting volume that is Available and bound
// to nothing (ties by name). node, when not nil, is the node the volume
// must be usable from (WaitForFirstConsumer). Nil when nothing fits.
func FindBestMatch(claim *core.PersistentVolumeClaim, volumes []*core.PersistentVolume, node *core.Node) *core.PersistentVolume {
	var best *core.PersistentVolume
	for _, pv := range volumes {
		if !VolumeFits(pv, claim, node) {
			continue
		}
		free := pv.Spec.ClaimRef == nil
		prebound := claimRefMatches(pv.Spec.ClaimRef, claim)
		if claim.Spec.VolumeName != "" {
			if pv.Name == claim.Spec.VolumeName && (free || prebound) {
				return pv
			}
			continue
		}
		if prebound {
			return pv
		}
		if !free || pv.Status.Phase == core.VolumeReleased || pv.Status.Phase == core.VolumeFailed {
			continue
		}
		if best == nil || smaller(pv, best) {
			best = pv
		}
	}
	return best
}

func smaller(a, b *core.PersistentVolume) bool {
	qa, qb := a.Spec.Capacity[core.ResourceStorage], b.Spec.Capacity[core.ResourceStorage]
	if c := qa.Cmp(qb); c != 0 {
		return c < 0
	}
	return a.Name < b.Name
}

// ClaimPhase is the phase claim should have given the volume its
// spec.volumeName names (nil: not found): Pending while unbound or while
// the volume is not yet bound back, Bound when the volume's claimRef is
// the claim, Lost when a claim once bound lost its volume.
func ClaimPhase(claim *core.PersistentVolumeClaim, pv *core.PersistentVolume) core.PersistentVolumeClaimPhase {
	switch {
	case claim.Spec.VolumeName == "":
		return core.ClaimPending
	case pv != nil && claimRefMatches(pv.Spec.ClaimRef, claim) && pv.Spec.ClaimRef.UID != "":
		return core.ClaimBound
	case claim.Annotations[core.AnnBindCompleted] == "yes":
		return core.ClaimLost
	}
	return core.ClaimPending
}

// VolumePhase is the phase pv should have given the claim its claimRef
// names (nil: not found): Available when bound to nothing or pre-bound to
// a claim not yet bound, Bound when the claim names the volume back,
// Released when the claim is gone (or is another object of that name),
// a Failed volume stays Failed.
func VolumePhase(pv *core.PersistentVolume, claim *core.PersistentVolumeClaim) core.PersistentVolumePhase {
	ref := pv.Spec.ClaimRef
	switch {
	case pv.Status.Phase == core.VolumeFailed:
		return core.VolumeFailed
	case ref == nil:
		return core.VolumeAvailable
	case ref.UID == "":
		return core.VolumeAvailable
	case claim == nil || claim.UID != ref.UID:
		return core.VolumeReleased
	case claim.Spec.VolumeName == pv.Name:
		return core.VolumeBound
	}
	// The claim exists but does not name the volume (yet): binding in
	// progress, the volume is already promised.
	return core.VolumeBound
}

// ReclaimAction is what to do with a Released volume.
type ReclaimAction string

// Reclaim actions.
const (
	ReclaimNone   ReclaimAction = ""       // Retain: stays Released
	ReclaimDelete ReclaimAction = "delete" // delete the volume object
	ReclaimFail   ReclaimAction = "fail"   // Recycle: not supported, Failed
)

// Reclaim decides for a Released volume from its reclaim policy.
func Reclaim(pv *core.PersistentVolume) ReclaimAction {
	switch pv.Spec.PersistentVolumeReclaimPolicy {
	case core.PersistentVolumeReclaimDelete:
		return ReclaimDelete
	case core.PersistentVolumeReclaimRecycle:
		return ReclaimFail
	}
	return ReclaimNone
}

// ProvisionDecision says whether a claim without a matching volume gets
// one made, or waits.
type ProvisionDecision string

// Provisioning decisions.
const (
	// ProvisionNow: the class names the host-path provisioner and the claim
	// is ready (Immediate, or WaitForFirstConsumer with a selected node).
	ProvisionNow ProvisionDecision = "provision"
	// WaitForConsumer: WaitForFirstConsumer and no node selected yet.
	WaitForConsumer ProvisionDecision = "wait-for-consumer"
	// ProvisionExternal: another provisioner's class; nothing to do here.
	ProvisionExternal ProvisionDecision = "external"
	// NoClass: no class (or the class is missing): only static volumes bind.
	NoClass ProvisionDecision = "no-class"
)

// Provision decides for an unbound claim with no matching volume; class
// is its storage class (nil when it names none or the class is missing).
func Provision(claim *core.PersistentVolumeClaim, class *storage.StorageClass, provisioner string) ProvisionDecision {
	switch {
	case class == nil:
		return NoClass
	case storage.BindingMode(class) == storage.VolumeBindingWaitForFirstConsumer && claim.Annotations[core.AnnSelectedNode] == "":
		return WaitForConsumer
	case class.Provisioner != provisioner:
		return ProvisionExternal
	}
	return ProvisionNow
}
