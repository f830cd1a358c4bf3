package volume

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
)

// NodeAffinityError is a persistent volume whose node affinity this node
// does not match: its data is on another node.
type NodeAffinityError struct {
	Volume, Node string
}

func (e *NodeAffinityError) Error() string {
	return fmt.Sprintf("no matching NodeSelectorTerms: persistent volume %q is not accessible from node %q (spec.nodeAffinity)", e.Volume, e.Node)
}

// ClaimedVolume is what a persistentVolumeClaim volume of a pod resolved to:
// the bound volume and where its data is on the node.
type ClaimedVolume struct {
	HostVolume
	// PV is the bound persistent volume.
	PV *core.PersistentVolume
	// HostPath is the hostPath source to check and create (nil for a
	// local volume, whose path must exist).
	HostPath *core.HostPathVolumeSource
}

// ResolveClaim decides, from the pod's claim, its volume and (when the
// volume has a node affinity) the node, what a persistentVolumeClaim
// volume mounts, with the kubelet's messages of Kubernetes for a claim
// that is not bound (yet), is being deleted, or whose volume does not point
// back at it. node may be nil when pv has no node affinity. It does no I/O.
func ResolveClaim(ns string, src *core.PersistentVolumeClaimVolumeSource, pvc *core.PersistentVolumeClaim,
	pv *core.PersistentVolume, node *core.Node) (ClaimedVolume, error) {
	if pvc.DeletionTimestamp != nil {
		return ClaimedVolume{}, fmt.Errorf("can't start pod because PVC %s/%s is being deleted", ns, src.ClaimName)
	}
	if pvc.Status.Phase != core.ClaimBound || pvc.Spec.VolumeName == "" {
		return ClaimedVolume{}, fmt.Errorf("PVC %s/%s has non-bound phase (%q) or empty pvc.Spec.VolumeName (%q)",
			ns, src.ClaimName, pvc.Status.Phase, pvc.Spec.VolumeName)
	}
	if pv == nil {
		return ClaimedVolume{}, fmt.Errorf("no persistent volume %q", pvc.Spec.VolumeName)
	}
	if pv.Spec.ClaimRef == nil {
		return ClaimedVolume{}, fmt.Errorf("found PV object %q but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim", pv.Name)
	}
	if pv.Spec.ClaimRef.UID != pvc.UID {
		return ClaimedVolume{}, fmt.Errorf("found PV object %q but its pv.Spec.ClaimRef.UID (%q) does not point to claim.UID (%q)",
			pv.Name, pv.Spec.ClaimRef.UID, pvc.UID)
	}
	if pv.Spec.VolumeMode != nil && *pv.Spec.VolumeMode == core.PersistentVolumeBlock {
		return ClaimedVolume{}, fmt.Errorf("persistent volume %q has volumeMode Block, which this kubelet does not support", pv.Name)
	}
	if a := pv.Spec.NodeAffinity; a != nil && a.Required != nil {
		if node == nil {
			return ClaimedVolume{}, fmt.Errorf("persistent volume %q has a node affinity and the node is unknown", pv.Name)
		}
		ok, err := core.MatchNodeSelectorTerms(node, a.Required.NodeSelectorTerms)
		if err != nil {
			return ClaimedVolume{}, fmt.Errorf("node affinity of persistent volume %q: %w", pv.Name, err)
		}
		if !ok {
			return ClaimedVolume{}, &NodeAffinityError{Volume: pv.Name, Node: node.Name}
		}
	}
	out := ClaimedVolume{PV: pv}
	out.ReadOnly = src.ReadOnly
	switch {
	case pv.Spec.HostPath != nil:
		out.Plugin, out.Path, out.HostPath = PluginHostPath, filepath.Clean(pv.Spec.HostPath.Path), pv.Spec.HostPath
	case pv.Spec.Local != nil:
		out.Plugin, out.Path = PluginLocal, filepath.Clean(pv.Spec.Local.Path)
	default:
		return ClaimedVolume{}, fmt.Errorf("persistent volume %q has a source this kubelet does not support (hostPath and local are)", pv.Name)
	}
	return out, nil
}

// needsNode says whether resolving a claim bound to pv needs the node.
func needsNode(pv *core.PersistentVolume) bool {
	return pv != nil && pv.Spec.NodeAffinity != nil && pv.Spec.NodeAffinity.Required != nil
}

// setUpClaim reads the pod's claim, its volume and (for a volume with a
// node affinity) the pod's node, then checks the volume's path on the node
// (a hostPath volume's type, creating it for DirectoryOrCreate; a local
// volume's path must exist).
func (m *Manager) setUpClaim(ctx context.Context, pod *core.Pod, src *core.PersistentVolumeClaimVolumeSource) (ClaimedVolume, error) {
	if m.opts.Getter == nil {
		return ClaimedVolume{}, errors.New("no persistent volume source")
	}
	ns := pod.Namespace
	pvc, err := m.opts.Getter.PersistentVolumeClaim(ctx, ns, src.ClaimName)
	if apierrors.IsNotFound(err) {
		return ClaimedVolume{}, fmt.Errorf("persistentvolumeclaim %q not found", src.ClaimName)
	}
	if err != nil {
		return ClaimedVolume{}, fmt.Errorf("failed to fetch PVC %s/%s from API server: %w", ns, src.ClaimName, err)
	}
	var pv *core.PersistentVolume
	if pvc.Status.Phase == core.ClaimBound && pvc.Spec.VolumeName != "" && pvc.DeletionTimestamp == nil {
		if pv, err = m.opts.Getter.PersistentVolume(ctx, pvc.Spec.VolumeName); err != nil {
			return ClaimedVolume{}, fmt.Errorf("failed to fetch PV %q from API server: %w", pvc.Spec.VolumeName, err)
		}
	}
	var node *core.Node
	if needsNode(pv) {
		if node, err = m.opts.Getter.Node(ctx, pod.Spec.NodeName); err != nil {
			return ClaimedVolume{}, fmt.Errorf("failed to fetch node %q from API server: %w", pod.Spec.NodeName, err)
		}
	}
	cv, err := ResolveClaim(ns, src, pvc, pv, node)
	if err != nil {
		return ClaimedVolume{}, err
	}
	// Recorded before the directory is made, so that no data of a
	// provisioned volume exists here unrecorded (see reclaim.go).
	if err := m.remember(cv.PV); err != nil {
		return ClaimedVolume{}, err
	}
	if cv.HostPath != nil {
		err = setUpHostPath(cv.HostPath)
	} else {
		err = checkLocalPath(cv.Path)
	}
	return cv, err
}

// checkLocalPath checks that a local volume's path exists: unlike a
// hostPath, the kubelet never creates it.
func checkLocalPath(path string) error {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("local volume path %q does not exist", path)
		}
		return fmt.Errorf("local volume path %q: %w", path, err)
	}
	return nil
}
