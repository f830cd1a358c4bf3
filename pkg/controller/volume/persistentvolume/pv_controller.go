// Package persistentvolume is the persistentvolume-binder controller, as
// Kubernetes' PersistentVolume controller: it binds claims to matching
// volumes (the smallest that fits; spec.volumeName and claimRef
// pre-binding honoured), keeps the phases of claims (Pending, Bound,
// Lost) and volumes (Available, Bound, Released, Failed) and Kubernetes'
// binding annotations, deletes a released volume whose reclaim policy is
// Delete, and provisions volumes for classes naming the built-in
// tinykube.io/host-path provisioner: a hostPath directory under
// --host-path-volume-dir, pinned to the selected node for
// WaitForFirstConsumer classes. Unlike Kubernetes, the binding of a
// WaitForFirstConsumer claim is also done here (once the scheduler has
// annotated the claim with its selected node), not by the scheduler.
// Removing a deleted volume's data is left to the node (not done yet).
package persistentvolume

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "persistentvolume-binder"

// Queue key prefixes: one queue holds claims and volumes.
const (
	claimPrefix  = "pvc:"
	volumePrefix = "pv:"
)

// Controller is the persistentvolume-binder controller.
type Controller struct {
	client      *clientset.Clientset
	claimLister cache.Lister[*core.PersistentVolumeClaim]
	pvLister    cache.Lister[*core.PersistentVolume]
	classLister cache.Lister[*storage.StorageClass]
	nodeLister  cache.Lister[*core.Node]
	synced      []cache.InformerSynced
	recorder    record.EventRecorder
	queue       workqueue.RateLimitingInterface[string]
	logger      *zap.Logger
	// VolumeDir is the host directory provisioned volumes are made under.
	volumeDir string
	now       func() time.Time
}

// New wires the controller to the claim, volume, class and node informers;
// volumeDir is where host-path volumes are provisioned.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, volumeDir string, logger *zap.Logger) (*Controller, error) {
	claimInf, pvInf, classInf, nodeInf := f.Core().PersistentVolumeClaims(), f.Core().PersistentVolumes(), f.Storage().StorageClasses(), f.Core().Nodes()
	if volumeDir == "" {
		volumeDir = DefaultVolumeDir
	}
	c := &Controller{
		client: cs, claimLister: claimInf.Lister(), pvLister: pvInf.Lister(), classLister: classInf.Lister(), nodeLister: nodeInf.Lister(),
		synced: []cache.InformerSynced{claimInf.Informer().HasSynced, pvInf.Informer().HasSynced,
			classInf.Informer().HasSynced, nodeInf.Informer().HasSynced},
		recorder:  recorder,
		queue:     workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:    logger.With(zap.String("controller", Name)),
		volumeDir: volumeDir,
		now:       time.Now,
	}
	addClaim := func(pvc *core.PersistentVolumeClaim) { c.queue.Add(claimPrefix + pvc.GetObjectMeta().Key()) }
	if _, err := claimInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.PersistentVolumeClaim]{
		AddFunc:    addClaim,
		UpdateFunc: func(_, pvc *core.PersistentVolumeClaim) { addClaim(pvc) },
		// A deleted claim releases its volume.
		DeleteFunc: controller.OnDelete(func(pvc *core.PersistentVolumeClaim) {
			if pvc.Spec.VolumeName != "" {
				c.queue.Add(volumePrefix + pvc.Spec.VolumeName)
			}
		}),
	}); err != nil {
		return nil, fmt.Errorf("persistentvolume claim handler: %w", err)
	}
	addVolume := func(pv *core.PersistentVolume) {
		c.queue.Add(volumePrefix + pv.Name)
		if ref := pv.Spec.ClaimRef; ref != nil {
			c.queue.Add(claimPrefix + ref.Namespace + "/" + ref.Name)
			return
		}
		// A free volume may fit any waiting claim, or be the one a claim
		// names in spec.volumeName (Kubernetes finds them by resyncing
		// claims periodically).
		c.queuePendingClaims(pv.Name)
	}
	if _, err := pvInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*core.PersistentVolume]{
		AddFunc:    addVolume,
		UpdateFunc: func(_, pv *core.PersistentVolume) { addVolume(pv) },
		DeleteFunc: controller.OnDelete(func(pv *core.PersistentVolume) {
			if ref := pv.Spec.ClaimRef; ref != nil {
				c.queue.Add(claimPrefix + ref.Namespace + "/" + ref.Name)
			}
		}),
	}); err != nil {
		return nil, fmt.Errorf("persistentvolume handler: %w", err)
	}
	return c, nil
}

// queuePendingClaims queues every claim not bound yet that volume may
// serve: those naming no volume, and those naming this one whose binding is
// not complete (a claim created before the volume it names).
func (c *Controller) queuePendingClaims(volume string) {
	claims, err := c.claimLister.List(nil)
	if err != nil {
		return
	}
	for _, pvc := range claims {
		if pvc.DeletionTimestamp != nil {
			continue
		}
		if pvc.Spec.VolumeName == "" || (pvc.Spec.VolumeName == volume && pvc.Annotations[core.AnnBindCompleted] != "yes") {
			c.queue.Add(claimPrefix + pvc.GetObjectMeta().Key())
		}
	}
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.sync, c.logger, c.synced...)
}

func (c *Controller) sync(ctx context.Context, key string) error {
	if k, ok := strings.CutPrefix(key, claimPrefix); ok {
		return c.syncClaimKey(ctx, k)
	}
	if k, ok := strings.CutPrefix(key, volumePrefix); ok {
		return c.syncVolumeKey(ctx, k)
	}
	return nil
}

func (c *Controller) syncClaimKey(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	claim, err := c.claimLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get claim %s: %w", key, err)
	}
	if claim.DeletionTimestamp != nil {
		return nil
	}
	if claim.Spec.VolumeName == "" {
		return c.syncUnboundClaim(ctx, claim)
	}
	return c.syncBoundClaim(ctx, claim)
}

// syncUnboundClaim binds the claim to its best match or provisions one.
func (c *Controller) syncUnboundClaim(ctx context.Context, claim *core.PersistentVolumeClaim) error {
	class := c.classOf(claim)
	var node *core.Node
	if class != nil && storage.BindingMode(class) == storage.VolumeBindingWaitForFirstConsumer {
		selected := claim.Annotations[core.AnnSelectedNode]
		if selected == "" {
			c.recorder.Eventf(claim, core.EventTypeNormal, "WaitForFirstConsumer",
				"waiting for first consumer to be created before binding")
			return c.setClaimPhase(ctx, claim, core.ClaimPending)
		}
		if n, err := c.nodeLister.Get(selected); err == nil {
			node = n
		}
	}
	volumes, err := c.pvLister.List(nil)
	if err != nil {
		return fmt.Errorf("list volumes: %w", err)
	}
	if pv := FindBestMatch(claim, volumes, node); pv != nil {
		return c.bind(ctx, claim, pv)
	}
	switch Provision(claim, class, HostPathProvisioner) {
	case ProvisionNow:
		return c.provision(ctx, claim, class)
	case ProvisionExternal:
		c.recorder.Eventf(claim, core.EventTypeNormal, "ExternalProvisioning",
			"Waiting for a volume to be created either by the external provisioner '%s' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.", class.Provisioner)
	case NoClass:
		c.recorder.Eventf(claim, core.EventTypeNormal, "FailedBinding",
			"no persistent volumes available for this claim and no storage class is set")
	}
	return c.setClaimPhase(ctx, claim, core.ClaimPending)
}

// syncBoundClaim finishes or checks the binding to spec.volumeName.
func (c *Controller) syncBoundClaim(ctx context.Context, claim *core.PersistentVolumeClaim) error {
	pv, err := c.pvLister.Get(claim.Spec.VolumeName)
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("get volume %s: %w", claim.Spec.VolumeName, err)
	}
	if pv != nil && (pv.Spec.ClaimRef == nil || (claimRefMatches(pv.Spec.ClaimRef, claim) && pv.Spec.ClaimRef.UID == "")) &&
		VolumeFits(pv, claim, nil) {
		return c.bind(ctx, claim, pv) // pre-bound by the user
	}
	if pv != nil && claimRefMatches(pv.Spec.ClaimRef, claim) && claim.Annotations[core.AnnBindCompleted] != "yes" {
		return c.bind(ctx, claim, pv)
	}
	phase := ClaimPhase(claim, pv)
	if phase == core.ClaimLost && claim.Status.Phase != core.ClaimLost {
		c.recorder.Eventf(claim, core.EventTypeWarning, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
	}
	return c.setClaimStatus(ctx, claim, pv, phase)
}

// bind writes the volume side first (claimRef), then the claim
// (volumeName, annotations), then both statuses, as Kubernetes does.
func (c *Controller) bind(ctx context.Context, claim *core.PersistentVolumeClaim, pv *core.PersistentVolume) error {
	boundPV := BoundVolume(pv, claim)
	if !reflect.DeepEqual(boundPV.Spec.ClaimRef, pv.Spec.ClaimRef) || !reflect.DeepEqual(boundPV.Annotations, pv.Annotations) {
		updated, err := c.client.CoreV1().PersistentVolumes().Update(ctx, boundPV, meta.UpdateOptions{})
		if err != nil {
			return fmt.Errorf("bind volume %s to claim %s/%s: %w", pv.Name, claim.Namespace, claim.Name, err)
		}
		boundPV = updated
	}
	if err := c.setVolumePhase(ctx, boundPV, core.VolumeBound, ""); err != nil {
		return err
	}
	boundClaim := BoundClaim(claim, boundPV)
	if boundClaim.Spec.VolumeName != claim.Spec.VolumeName || !reflect.DeepEqual(boundClaim.Annotations, claim.Annotations) {
		updated, err := c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).Update(ctx, boundClaim, meta.UpdateOptions{})
		if err != nil {
			return fmt.Errorf("bind claim %s/%s to volume %s: %w", claim.Namespace, claim.Name, pv.Name, err)
		}
		boundClaim = updated
	}
	c.logger.Info("bound claim", zap.String("claim", claim.Namespace+"/"+claim.Name), zap.String("volume", pv.Name))
	return c.setClaimStatus(ctx, boundClaim, boundPV, core.ClaimBound)
}

// provision creates the host-path volume for claim (pre-bound to it; its
// creation queues the claim, which then binds).
func (c *Controller) provision(ctx context.Context, claim *core.PersistentVolumeClaim, class *storage.StorageClass) error {
	if claim.Annotations[core.AnnStorageProvisioner] != class.Provisioner {
		cp := meta.DeepCopy(claim)
		cp.Annotations = withAnnotation(cp.Annotations, core.AnnStorageProvisioner, class.Provisioner)
		cp.Annotations[core.AnnBetaStorageProvisioner] = class.Provisioner
		updated, err := c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).Update(ctx, cp, meta.UpdateOptions{})
		if err != nil {
			return fmt.Errorf("annotate claim %s/%s: %w", claim.Namespace, claim.Name, err)
		}
		claim = updated
	}
	pv := NewProvisionedVolume(claim, class, c.volumeDir)
	if _, err := c.client.CoreV1().PersistentVolumes().Create(ctx, pv, meta.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		c.recorder.Eventf(claim, core.EventTypeWarning, "ProvisioningFailed", "failed to provision volume with StorageClass %q: %v", class.Name, err)
		return fmt.Errorf("provision volume for claim %s/%s: %w", claim.Namespace, claim.Name, err)
	}
	c.recorder.Eventf(claim, core.EventTypeNormal, "ProvisioningSucceeded",
		"Successfully provisioned volume %s using %s", pv.Name, class.Provisioner)
	return c.setClaimPhase(ctx, claim, core.ClaimPending)
}

func (c *Controller) syncVolumeKey(ctx context.Context, name string) error {
	pv, err := c.pvLister.Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get volume %s: %w", name, err)
	}
	var claim *core.PersistentVolumeClaim
	if ref := pv.Spec.ClaimRef; ref != nil {
		claim, err = c.claimLister.ByNamespace(ref.Namespace).Get(ref.Name)
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("get claim %s/%s: %w", ref.Namespace, ref.Name, err)
		}
		if claim != nil && claim.UID != ref.UID && ref.UID != "" {
			claim = nil // another claim of the same name
		}
	}
	phase := VolumePhase(pv, claim)
	if phase != core.VolumeReleased {
		return c.setVolumePhase(ctx, pv, phase, "")
	}
	if err := c.setVolumePhase(ctx, pv, core.VolumeReleased, ""); err != nil {
		return err
	}
	if pv.DeletionTimestamp != nil {
		// Deleted while bound: Released lets the pv-protection controller
		// let it go; there is nothing left to reclaim.
		return nil
	}
	switch Reclaim(pv) {
	case ReclaimDelete:
		err := c.client.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, meta.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			c.recorder.Eventf(pv, core.EventTypeWarning, "VolumeFailedDelete", "%v", err)
			return fmt.Errorf("delete released volume %s: %w", pv.Name, err)
		}
		c.logger.Info("deleted released volume", zap.String("volume", pv.Name))
	case ReclaimFail:
		c.recorder.Eventf(pv, core.EventTypeWarning, "VolumeFailedRecycle", "recycling is not supported")
		return c.setVolumePhase(ctx, pv, core.VolumeFailed, "recycling is not supported")
	}
	return nil
}

func (c *Controller) classOf(claim *core.PersistentVolumeClaim) *storage.StorageClass {
	name := core.StorageClassOfClaim(claim)
	if name == "" {
		return nil
	}
	sc, err := c.classLister.Get(name)
	if err != nil {
		return nil
	}
	return sc
}

func (c *Controller) setClaimPhase(ctx context.Context, claim *core.PersistentVolumeClaim, phase core.PersistentVolumeClaimPhase) error {
	if claim.Status.Phase == phase {
		return nil
	}
	cp := meta.DeepCopy(claim)
	cp.Status.Phase = phase
	return c.writeClaimStatus(ctx, cp)
}

// setClaimStatus sets phase and, when Bound, the volume's capacity and
// access modes.
func (c *Controller) setClaimStatus(ctx context.Context, claim *core.PersistentVolumeClaim, pv *core.PersistentVolume, phase core.PersistentVolumeClaimPhase) error {
	cp := meta.DeepCopy(claim)
	cp.Status.Phase = phase
	if phase == core.ClaimBound && pv != nil {
		cp.Status.Capacity = meta.DeepCopy(pv.Spec.Capacity)
		cp.Status.AccessModes = append([]core.PersistentVolumeAccessMode(nil), pv.Spec.AccessModes...)
	}
	if reflect.DeepEqual(meta.DeepCopy(cp.Status), meta.DeepCopy(claim.Status)) {
		return nil
	}
	return c.writeClaimStatus(ctx, cp)
}

func (c *Controller) writeClaimStatus(ctx context.Context, claim *core.PersistentVolumeClaim) error {
	if _, err := c.client.CoreV1().PersistentVolumeClaims(claim.Namespace).UpdateStatus(ctx, claim, meta.UpdateOptions{}); err != nil {
		return fmt.Errorf("update status of claim %s/%s: %w", claim.Namespace, claim.Name, err)
	}
	return nil
}

func (c *Controller) setVolumePhase(ctx context.Context, pv *core.PersistentVolume, phase core.PersistentVolumePhase, msg string) error {
	if pv.Status.Phase == phase && pv.Status.Message == msg {
		return nil
	}
	cp := meta.DeepCopy(pv)
	if cp.Status.Phase != phase {
		t := meta.NewTime(c.now())
		cp.Status.LastPhaseTransitionTime = &t
	}
	cp.Status.Phase, cp.Status.Message = phase, msg
	if _, err := c.client.CoreV1().PersistentVolumes().UpdateStatus(ctx, cp, meta.UpdateOptions{}); err != nil {
		return fmt.Errorf("update status of volume %s: %w", pv.Name, err)
	}
	return nil
}
