// Package statefulset is the StatefulSet controller: pods with stable
// names <set>-<ordinal>, created in order and each only once the one
// before it is Running and Ready (OrderedReady) or all at once
// (Parallel), removed highest ordinal first, recreated under the same
// name when they fail, and replaced from the highest ordinal down to the
// partition when the template changes. The templates are kept as
// ControllerRevisions, as the daemon set controller keeps them.
// Before a pod is made, each volumeClaimTemplate's claim
// <template>-<set>-<ordinal> is created if missing, and the pod mounts it;
// persistentVolumeClaimRetentionPolicy decides, through owner references
// the garbage collector follows, whether claims go with the set
// (whenDeleted) or with pods removed by a scale down (whenScaled).
package statefulset

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "statefulset"

// Controller is the StatefulSet controller.
type Controller struct {
	client       *clientset.Clientset
	setLister    cache.Lister[*apps.StatefulSet]
	podLister    cache.Lister[*core.Pod]
	revLister    cache.Lister[*apps.ControllerRevision]
	claimLister  cache.Lister[*core.PersistentVolumeClaim]
	synced       []cache.InformerSynced
	recorder     record.EventRecorder
	expectations *controller.Expectations
	queue        workqueue.RateLimitingInterface[string]
	logger       *zap.Logger
	now          func() time.Time
}

// New wires the controller to the statefulset, pod and controllerrevision
// informers.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, logger *zap.Logger) (*Controller, error) {
	setInf, podInf, revInf := f.Apps().StatefulSets(), f.Core().Pods(), f.Apps().ControllerRevisions()
	claimInf := f.Core().PersistentVolumeClaims()
	c := &Controller{
		client: cs, setLister: setInf.Lister(), podLister: podInf.Lister(), revLister: revInf.Lister(),
		claimLister: claimInf.Lister(),
		synced: []cache.InformerSynced{setInf.Informer().HasSynced, podInf.Informer().HasSynced, revInf.Informer().HasSynced,
			claimInf.Informer().HasSynced},
		recorder:     recorder,
		expectations: controller.NewExpectations(),
		queue:        workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:       logger.With(zap.String("controller", Name)),
		now:          time.Now,
	}
	if _, err := setInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*apps.StatefulSet]{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, s *apps.StatefulSet) { c.enqueue(s) },
		DeleteFunc: controller.OnDelete(func(s *apps.StatefulSet) { c.expectations.Delete(s.GetObjectMeta().Key()) }),
	}); err != nil {
		return nil, fmt.Errorf("statefulset handler: %w", err)
	}
	ownerKey := func(p *core.Pod) (string, bool) { return controller.ControllerKey(c.setLister, "StatefulSet", p) }
	adopters := func(p *core.Pod) []string { return controller.AdopterKeys(c.setLister, selectorOf, p) }
	if _, err := podInf.Informer().AddEventHandler(controller.ControlledPodHandlers(c.queue, c.expectations, ownerKey, adopters)); err != nil {
		return nil, fmt.Errorf("statefulset pod handler: %w", err)
	}
	if _, err := revInf.Informer().AddEventHandler(c.revisionHandlers()); err != nil {
		return nil, fmt.Errorf("statefulset controllerrevision handler: %w", err)
	}
	return c, nil
}

func (c *Controller) enqueue(s *apps.StatefulSet) { c.queue.Add(s.GetObjectMeta().Key()) }

func selectorOf(s *apps.StatefulSet) (labels.Selector, error) {
	return labels.LabelSelectorAsSelector(s.Spec.Selector)
}

// revisionHandlers queue the set controlling a revision on every change.
func (c *Controller) revisionHandlers() cache.ResourceEventHandlerFuncs[*apps.ControllerRevision] {
	queue := func(r *apps.ControllerRevision) {
		if key, ok := controller.ControllerKey(c.setLister, "StatefulSet", r); ok {
			c.queue.Add(key)
		}
	}
	return cache.ResourceEventHandlerFuncs[*apps.ControllerRevision]{
		AddFunc:    queue,
		UpdateFunc: func(_, cur *apps.ControllerRevision) { queue(cur) },
		DeleteFunc: controller.OnDelete(queue),
	}
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.sync, c.logger, c.synced...)
}

func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	set, err := c.setLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.expectations.Delete(key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("get statefulset %s: %w", key, err)
	}
	selector, err := selectorOf(set)
	if err != nil || selector.Empty() {
		return nil
	}
	pods, err := c.claimPods(ctx, set, selector)
	if err != nil {
		return err
	}
	rc := c.revisionControl(set)
	revs, err := rc.Claim(ctx, selector)
	if err != nil {
		return err
	}
	if set.DeletionTimestamp != nil {
		return nil // the garbage collector takes the pods and revisions with it
	}
	current, update, old, err := revisions(ctx, rc, set, revs)
	if err != nil {
		return err
	}
	now := c.now()
	errs := []error{c.syncClaimOwners(ctx, set)}
	if c.expectations.Satisfied(key) {
		actions := Plan(Input{Set: set, Pods: pods, CurrentRevision: current.Name, UpdateRevision: update.Name, Now: now})
		errs = append(errs, c.execute(ctx, set, key, actions, current, update))
		errs = append(errs, cleanupHistory(ctx, rc, set, pods, old, current, update))
	}
	st := Status(set, pods, current.Name, update.Name, now)
	if set.Spec.MinReadySeconds > 0 && st.ReadyReplicas != st.AvailableReplicas {
		c.queue.AddAfter(key, time.Duration(set.Spec.MinReadySeconds)*time.Second)
	}
	errs = append(errs, c.writeStatus(ctx, set, st))
	return errors.Join(errs...)
}

func (c *Controller) claimPods(ctx context.Context, set *apps.StatefulSet, selector labels.Selector) ([]*core.Pod, error) {
	all, err := c.podLister.ByNamespace(set.Namespace).List(nil)
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	// As Kubernetes, only pods named <set>-<ordinal> are the set's.
	var members []*core.Pod
	for _, p := range all {
		if Ordinal(set, p.Name) >= 0 {
			members = append(members, p)
		}
	}
	rm := &controller.RefManager[*core.Pod]{
		Owner: set, Ref: meta.NewControllerRef(set, apps.APIVersion, "StatefulSet"), Selector: selector,
		CanAdopt: controller.RecheckOwner(set.UID, func(ctx context.Context) (*apps.StatefulSet, error) {
			return c.client.AppsV1().StatefulSets(set.Namespace).Get(ctx, set.Name, meta.GetOptions{})
		}),
		Update: func(ctx context.Context, p *core.Pod) error {
			_, err := c.client.CoreV1().Pods(p.Namespace).Update(ctx, p, meta.UpdateOptions{})
			return err
		},
	}
	claimed, err := rm.Claim(ctx, members)
	if err != nil {
		return nil, fmt.Errorf("claim pods of statefulset %s: %w", set.Name, err)
	}
	return claimed, nil
}

// revisionControl is the apiserver side of set's history.
func (c *Controller) revisionControl(set *apps.StatefulSet) *controller.RevisionControl[*apps.StatefulSet] {
	return &controller.RevisionControl[*apps.StatefulSet]{
		Client: c.client, Lister: c.revLister, Owner: set, Kind: "StatefulSet",
		Get: func(ctx context.Context) (*apps.StatefulSet, error) {
			return c.client.AppsV1().StatefulSets(set.Namespace).Get(ctx, set.Name, meta.GetOptions{})
		},
		CollisionCount: func(s *apps.StatefulSet) *int32 { return s.Status.CollisionCount },
		WriteCollisionCount: func(ctx context.Context, fresh *apps.StatefulSet, n int32) error {
			fresh.Status.CollisionCount = &n
			_, err := c.client.AppsV1().StatefulSets(fresh.Namespace).UpdateStatus(ctx, fresh, meta.UpdateOptions{})
			return err
		},
	}
}

// revisions makes sure the current template has its revision (the update
// revision), numbered above every other, and finds the current revision
// (status.currentRevision, the update revision when there is none).
func revisions(ctx context.Context, rc *controller.RevisionControl[*apps.StatefulSet], set *apps.StatefulSet, revs []*apps.ControllerRevision) (current, update *apps.ControllerRevision, old []*apps.ControllerRevision, err error) {
	data, err := controller.TemplateRevisionData(&set.Spec.Template)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("statefulset %s: %w", set.Name, err)
	}
	h := controller.SplitHistory(data, revs)
	update = h.Current
	if update == nil {
		hash := controller.ComputeHash(&set.Spec.Template, set.Status.CollisionCount)
		rev := controller.NewControllerRevision(set, "StatefulSet", set.Spec.Template.Labels, hash, data, h.Next)
		if update, err = rc.Create(ctx, rev, data); err != nil {
			return nil, nil, nil, err
		}
	} else if update.Revision < h.Next {
		if update, err = rc.Renumber(ctx, update, h.Next); err != nil {
			return nil, nil, nil, err
		}
	}
	current = update
	for _, r := range revs {
		if r.Name == set.Status.CurrentRevision {
			current = r
		}
	}
	return current, update, h.Old, nil
}

// execute creates and deletes the planned pods, recording Kubernetes'
// events (SuccessfulCreate "create Pod web-0 in StatefulSet web
// successful", SuccessfulDelete, FailedCreate, FailedDelete).
func (c *Controller) execute(ctx context.Context, set *apps.StatefulSet, key string, actions []Action, current, update *apps.ControllerRevision) error {
	creates := 0
	var delKeys []string
	for _, a := range actions {
		if a.Type == Create {
			creates++
		} else {
			delKeys = append(delKeys, a.Pod.GetObjectMeta().Key())
		}
	}
	c.expectations.Expect(key, creates, delKeys)
	pods := c.client.CoreV1().Pods(set.Namespace)
	var errs []error
	for _, a := range actions {
		switch a.Type {
		case Create:
			rev := update
			if a.Revision == current.Name {
				rev = current
			}
			tmpl, err := TemplateOf(rev)
			if err != nil {
				c.expectations.CreationObserved(key)
				errs = append(errs, err)
				continue
			}
			pod := NewPod(set, tmpl, rev.Name, a.Ordinal)
			if err := c.createClaims(ctx, set, a.Ordinal); err != nil {
				c.expectations.CreationObserved(key)
				c.recorder.Eventf(set, core.EventTypeWarning, controller.FailedCreateReason,
					"create Pod %s in StatefulSet %s failed error: %v", pod.Name, set.Name, err)
				errs = append(errs, err)
				continue
			}
			if _, err := pods.Create(ctx, pod, meta.CreateOptions{}); err != nil {
				c.expectations.CreationObserved(key)
				c.recorder.Eventf(set, core.EventTypeWarning, controller.FailedCreateReason,
					"create Pod %s in StatefulSet %s failed error: %v", pod.Name, set.Name, err)
				errs = append(errs, fmt.Errorf("create pod %s: %w", pod.Name, err))
				continue
			}
			c.recorder.Eventf(set, core.EventTypeNormal, controller.SuccessfulCreateReason,
				"create Pod %s in StatefulSet %s successful", pod.Name, set.Name)
		case Delete:
			if condemned(set, a.Ordinal) && deleteWhen(set, true) {
				if err := c.giveClaimsToPod(ctx, set, a.Pod, a.Ordinal); err != nil {
					c.expectations.DeletionObserved(key, a.Pod.GetObjectMeta().Key())
					errs = append(errs, err)
					continue
				}
			}
			if err := pods.Delete(ctx, a.Pod.Name, meta.DeleteOptions{}); err != nil {
				c.expectations.DeletionObserved(key, a.Pod.GetObjectMeta().Key())
				if apierrors.IsNotFound(err) {
					continue
				}
				c.recorder.Eventf(set, core.EventTypeWarning, controller.FailedDeleteReason,
					"delete Pod %s in StatefulSet %s failed error: %v", a.Pod.Name, set.Name, err)
				errs = append(errs, fmt.Errorf("delete pod %s: %w", a.Pod.Name, err))
				continue
			}
			c.recorder.Eventf(set, core.EventTypeNormal, controller.SuccessfulDeleteReason,
				"delete Pod %s in StatefulSet %s successful", a.Pod.Name, set.Name)
		}
	}
	return errors.Join(errs...)
}

// cleanupHistory deletes the old revisions beyond revisionHistoryLimit
// that neither a pod nor the current or update revision holds.
func cleanupHistory(ctx context.Context, rc *controller.RevisionControl[*apps.StatefulSet], set *apps.StatefulSet, pods []*core.Pod, old []*apps.ControllerRevision, current, update *apps.ControllerRevision) error {
	live := map[string]bool{current.Labels[controller.RevisionHashLabel]: true, update.Labels[controller.RevisionHashLabel]: true}
	names := map[string]string{}
	for _, r := range old {
		names[r.Name] = r.Labels[controller.RevisionHashLabel]
	}
	for _, p := range pods {
		// A pod's label is the revision's name; the revision's label its hash.
		if h, ok := names[Revision(p)]; ok {
			live[h] = true
		}
	}
	limit := int32(10)
	if set.Spec.RevisionHistoryLimit != nil {
		limit = *set.Spec.RevisionHistoryLimit
	}
	victims := slices.DeleteFunc(controller.HistoryVictims(old, limit, live), func(r *apps.ControllerRevision) bool {
		return r.Name == current.Name
	})
	return rc.Delete(ctx, victims...)
}

func (c *Controller) writeStatus(ctx context.Context, set *apps.StatefulSet, st apps.StatefulSetStatus) error {
	if reflect.DeepEqual(meta.DeepCopy(set.Status), meta.DeepCopy(st)) {
		return nil
	}
	cp := meta.DeepCopy(set)
	cp.Status = st
	if _, err := c.client.AppsV1().StatefulSets(set.Namespace).UpdateStatus(ctx, cp, meta.UpdateOptions{}); err != nil {
		return fmt.Errorf("update status of statefulset %s: %w", set.Name, err)
	}
	return nil
}

// condemned reports whether ord is outside the set's replicas.
func condemned(set *apps.StatefulSet, ord int) bool {
	start := StartOrdinal(set)
	return ord < start || ord >= start+desiredReplicas(set)
}

// createClaims creates the claims of ordinal ord that do not exist yet,
// recording Kubernetes' events; a claim being deleted is an error (the
// pod waits for it to go).
func (c *Controller) createClaims(ctx context.Context, set *apps.StatefulSet, ord int) error {
	var errs []error
	for i := range set.Spec.VolumeClaimTemplates {
		want := NewClaim(set, &set.Spec.VolumeClaimTemplates[i], ord)
		got, err := c.claimLister.ByNamespace(set.Namespace).Get(want.Name)
		switch {
		case err == nil && got.DeletionTimestamp != nil:
			errs = append(errs, fmt.Errorf("claim %s/%s is being deleted", want.Namespace, want.Name))
			continue
		case err == nil:
			continue
		case !apierrors.IsNotFound(err):
			errs = append(errs, fmt.Errorf("get claim %s: %w", want.Name, err))
			continue
		}
		_, err = c.client.CoreV1().PersistentVolumeClaims(set.Namespace).Create(ctx, want, meta.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			c.recorder.Eventf(set, core.EventTypeWarning, controller.FailedCreateReason,
				"create Claim %s for Pod %s in StatefulSet %s failed error: %v", want.Name, PodName(set, ord), set.Name, err)
			errs = append(errs, fmt.Errorf("create claim %s: %w", want.Name, err))
			continue
		}
		c.recorder.Eventf(set, core.EventTypeNormal, controller.SuccessfulCreateReason,
			"create Claim %s Pod %s in StatefulSet %s success", want.Name, PodName(set, ord), set.Name)
	}
	return errors.Join(errs...)
}

// syncClaimOwners keeps the set's owner reference on the claims of its
// replicas as whenDeleted says.
func (c *Controller) syncClaimOwners(ctx context.Context, set *apps.StatefulSet) error {
	var errs []error
	start, n := StartOrdinal(set), desiredReplicas(set)
	for ord := start; ord < start+n; ord++ {
		for i := range set.Spec.VolumeClaimTemplates {
			name := apps.ClaimName(set, &set.Spec.VolumeClaimTemplates[i], ord)
			claim, err := c.claimLister.ByNamespace(set.Namespace).Get(name)
			if err != nil || claim.DeletionTimestamp != nil {
				continue
			}
			refs := ClaimOwnerRefs(set, claim.OwnerReferences)
			if reflect.DeepEqual(refs, claim.OwnerReferences) || (len(refs) == 0 && len(claim.OwnerReferences) == 0) {
				continue
			}
			errs = append(errs, c.updateClaimOwners(ctx, claim, refs))
		}
	}
	return errors.Join(errs...)
}

// giveClaimsToPod makes pod (being removed by a scale down, whenScaled
// Delete) the owner of its claims instead of the set: they go with it.
func (c *Controller) giveClaimsToPod(ctx context.Context, set *apps.StatefulSet, pod *core.Pod, ord int) error {
	var errs []error
	for i := range set.Spec.VolumeClaimTemplates {
		name := apps.ClaimName(set, &set.Spec.VolumeClaimTemplates[i], ord)
		claim, err := c.claimLister.ByNamespace(set.Namespace).Get(name)
		if err != nil {
			continue
		}
		if refs := PodOwnedClaimRefs(set, pod, claim.OwnerReferences); !reflect.DeepEqual(refs, claim.OwnerReferences) {
			errs = append(errs, c.updateClaimOwners(ctx, claim, refs))
		}
	}
	return errors.Join(errs...)
}

func (c *Controller) updateClaimOwners(ctx context.Context, claim *core.PersistentVolumeClaim, refs []meta.OwnerReference) error {
	cp := meta.DeepCopy(claim)
	cp.OwnerReferences = refs
	if _, err := c.client.CoreV1().PersistentVolumeClaims(cp.Namespace).Update(ctx, cp, meta.UpdateOptions{}); err != nil {
		return fmt.Errorf("update owners of claim %s/%s: %w", cp.Namespace, cp.Name, err)
	}
	return nil
}
