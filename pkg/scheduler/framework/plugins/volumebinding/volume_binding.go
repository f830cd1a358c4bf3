// Package volumebinding is the VolumeBinding plugin, as kube-scheduler's:
// a pod's persistentVolumeClaim volumes decide where it can run. A claim
// bound to a volume with a node affinity limits the pod to those nodes; an
// unbound claim of an Immediate class (or of none) makes the pod wait for
// the persistentvolume-binder ("pod has unbound immediate
// PersistentVolumeClaims"); an unbound claim of a WaitForFirstConsumer
// class fits a node where a matching Available volume is usable or, when
// its class has a provisioner, any node. At PreBind the chosen node is
// written to such claims (volume.kubernetes.io/selected-node) and the
// binding waits, bounded, until the controller has bound them. Unlike
// Kubernetes, the plugin does not bind volumes itself (the
// persistentvolume-binder does, once the node is selected), nor score.
package volumebinding

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/wait"
)

// Name is the plugin's name.
const Name = "VolumeBinding"

// Reasons, as Kubernetes words them.
const (
	ErrReasonUnboundImmediate = "pod has unbound immediate PersistentVolumeClaims"
	ErrReasonNodeConflict     = "node(s) had volume node affinity conflict"
	ErrReasonBindConflict     = "node(s) didn't find available persistent volumes to bind"
	ErrReasonNotFoundPV       = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
)

// DefaultBindTimeout bounds PreBind's wait for the claims to be bound
// (kube-scheduler's bindTimeoutSeconds, 600).
const DefaultBindTimeout = 600 * time.Second

// Lookups is what the plugin reads: claims, volumes, classes.
type Lookups struct {
	Claim      func(ns, name string) (*core.PersistentVolumeClaim, error)
	Volume     func(name string) (*core.PersistentVolume, error)
	Class      func(name string) (*storage.StorageClass, error)
	AllVolumes func() ([]*core.PersistentVolume, error)
}

// VolumeBinding is the plugin.
type VolumeBinding struct {
	lookups Lookups
	// annotate sets the selected-node annotation of a claim (nil: no API,
	// PreBind does nothing).
	annotate    func(ctx context.Context, claim *core.PersistentVolumeClaim, node string) error
	bindTimeout time.Duration
	interval    time.Duration
}

var (
	_ framework.PreFilterPlugin = &VolumeBinding{}
	_ framework.FilterPlugin    = &VolumeBinding{}
	_ framework.PreBindPlugin   = &VolumeBinding{}
)

// New returns the plugin over the handle's informers; without them (unit
// tests of other plugins) it skips every pod.
func New(h framework.Handle) (framework.Plugin, error) {
	f, cs := h.SharedInformerFactory(), h.ClientSet()
	if f == nil || cs == nil {
		return &VolumeBinding{}, nil
	}
	claims, pvs, classes := f.Core().PersistentVolumeClaims().Lister(), f.Core().PersistentVolumes().Lister(), f.Storage().StorageClasses().Lister()
	pl := NewWithLookups(Lookups{
		Claim:      func(ns, name string) (*core.PersistentVolumeClaim, error) { return claims.ByNamespace(ns).Get(name) },
		Volume:     pvs.Get,
		Class:      classes.Get,
		AllVolumes: func() ([]*core.PersistentVolume, error) { return pvs.List(nil) },
	})
	pl.annotate = func(ctx context.Context, claim *core.PersistentVolumeClaim, node string) error {
		patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
			"annotations": map[string]string{core.AnnSelectedNode: node}}})
		if err != nil {
			return err
		}
		_, err = cs.CoreV1().PersistentVolumeClaims(claim.Namespace).Patch(ctx, claim.Name, rest.MergePatchType, patch, meta.PatchOptions{})
		return err
	}
	return pl, nil
}

// NewWithLookups returns the plugin over l (no API writes).
func NewWithLookups(l Lookups) *VolumeBinding {
	return &VolumeBinding{lookups: l, bindTimeout: DefaultBindTimeout, interval: 100 * time.Millisecond}
}

// Name implements framework.Plugin.
func (*VolumeBinding) Name() string { return Name }

// stateData is what PreFilter found for the cycle.
type stateData struct {
	// bound are the volumes of the pod's bound claims.
	bound []*core.PersistentVolume
	// delayed are the unbound WaitForFirstConsumer claims, with their classes.
	delayed []delayedClaim
}

type delayedClaim struct {
	claim *core.PersistentVolumeClaim
	class *storage.StorageClass
}

// Clone implements framework.StateData (read-only after PreFilter).
func (s *stateData) Clone() framework.StateData { return s }

const stateKey framework.StateKey = Name

// claimNames are the claims the pod's volumes name.
func claimNames(pod *core.Pod) []string {
	var out []string
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			out = append(out, v.PersistentVolumeClaim.ClaimName)
		}
	}
	return out
}

// PreFilter implements framework.PreFilterPlugin: it looks up the pod's
// claims, rejects the pod when one is missing, being deleted or unbound
// with an Immediate class, and skips pods without claims.
func (pl *VolumeBinding) PreFilter(_ context.Context, state *framework.CycleState, pod *core.Pod) *framework.Status {
	names := claimNames(pod)
	if len(names) == 0 || pl.lookups.Claim == nil {
		return framework.NewStatus(framework.Skip)
	}
	s := &stateData{}
	for _, name := range names {
		claim, err := pl.lookups.Claim(pod.Namespace, name)
		if apierrors.IsNotFound(err) {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q not found", name))
		}
		if err != nil {
			return framework.AsStatus(err)
		}
		if claim.DeletionTimestamp != nil {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, fmt.Sprintf("persistentvolumeclaim %q is being deleted", name))
		}
		if claim.Spec.VolumeName != "" {
			pv, err := pl.lookups.Volume(claim.Spec.VolumeName)
			if apierrors.IsNotFound(err) {
				return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNotFoundPV)
			}
			if err != nil {
				return framework.AsStatus(err)
			}
			s.bound = append(s.bound, pv)
			continue
		}
		var class *storage.StorageClass
		if cn := core.StorageClassOfClaim(claim); cn != "" {
			if class, err = pl.lookups.Class(cn); err != nil && !apierrors.IsNotFound(err) {
				return framework.AsStatus(err)
			}
		}
		if class == nil || storage.BindingMode(class) != storage.VolumeBindingWaitForFirstConsumer {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonUnboundImmediate)
		}
		s.delayed = append(s.delayed, delayedClaim{claim: claim, class: class})
	}
	state.Write(stateKey, s)
	return nil
}

// Filter implements framework.FilterPlugin.
func (pl *VolumeBinding) Filter(_ context.Context, state *framework.CycleState, _ *core.Pod, ni *framework.NodeInfo) *framework.Status {
	node := ni.Node()
	if node == nil {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, "node not found")
	}
	d, err := state.Read(stateKey)
	if err != nil {
		return framework.AsStatus(err)
	}
	s := d.(*stateData)
	for _, pv := range s.bound {
		if !persistentvolume.VolumeAllowsNode(pv, node) {
			return framework.NewStatus(framework.UnschedulableAndUnresolvable, ErrReasonNodeConflict)
		}
	}
	if len(s.delayed) == 0 {
		return nil
	}
	var volumes []*core.PersistentVolume
	if pl.lookups.AllVolumes != nil {
		if volumes, err = pl.lookups.AllVolumes(); err != nil {
			return framework.AsStatus(err)
		}
	}
	for _, dc := range s.delayed {
		if persistentvolume.FindBestMatch(dc.claim, volumes, node) != nil {
			continue
		}
		if dc.class.Provisioner == storage.NoProvisioner {
			return framework.NewStatus(framework.Unschedulable, ErrReasonBindConflict)
		}
	}
	return nil
}

// PreBind implements framework.PreBindPlugin: it sets the selected node on
// every unbound WaitForFirstConsumer claim of the pod and waits until the
// claims are bound (or the bind timeout passes).
func (pl *VolumeBinding) PreBind(ctx context.Context, state *framework.CycleState, pod *core.Pod, nodeName string) *framework.Status {
	d, err := state.Read(stateKey)
	if err != nil || pl.annotate == nil {
		return nil // the pod has no claims (PreFilter skipped)
	}
	s := d.(*stateData)
	for _, dc := range s.delayed {
		if dc.claim.Annotations[core.AnnSelectedNode] == nodeName {
			continue
		}
		if err := pl.annotate(ctx, dc.claim, nodeName); err != nil {
			return framework.AsStatus(fmt.Errorf("binding volumes: select node for claim %s: %w", dc.claim.Name, err))
		}
	}
	if len(s.delayed) == 0 {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, pl.bindTimeout)
	defer cancel()
	for !pl.allBound(pod, s.delayed) {
		if !wait.Sleep(wctx, pl.interval) {
			return framework.AsStatus(fmt.Errorf("binding volumes: %w", wctx.Err()))
		}
	}
	return nil
}

// allBound reports whether every delayed claim now names a volume.
func (pl *VolumeBinding) allBound(pod *core.Pod, delayed []delayedClaim) bool {
	for _, dc := range delayed {
		c, err := pl.lookups.Claim(pod.Namespace, dc.claim.Name)
		if err != nil || c.Spec.VolumeName == "" || c.Status.Phase != core.ClaimBound {
			return false
		}
	}
	return true
}
