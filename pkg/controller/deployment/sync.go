package deployment

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller"
)

// sync handles a paused deployment or a change of its size: no rollout,
// only proportional scaling and status.
func (c *Controller) sync(ctx context.Context, d *apps.Deployment, rsList []*apps.ReplicaSet) error {
	newRS, oldRSs, err := c.newAndOld(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	if err := c.scale(ctx, d, newRS, oldRSs); err != nil {
		return err
	}
	if d.Spec.Paused && DeploymentComplete(d, &d.Status) {
		if err := c.cleanup(ctx, d, oldRSs); err != nil {
			return err
		}
	}
	return c.syncRolloutStatus(ctx, d, append(oldRSs, nonNil(newRS)...), newRS)
}

func nonNil(rs *apps.ReplicaSet) []*apps.ReplicaSet {
	if rs == nil {
		return nil
	}
	return []*apps.ReplicaSet{rs}
}

// syncStatusOnly refreshes the status of a deployment being deleted.
func (c *Controller) syncStatusOnly(ctx context.Context, d *apps.Deployment, rsList []*apps.ReplicaSet) error {
	newRS := FindNewReplicaSet(d, rsList)
	st := CalculateStatus(d, rsList, newRS, c.now())
	return c.writeStatus(ctx, d, st)
}

// newAndOld splits rsList into the new ReplicaSet (created when create is
// set and it does not exist) and the old ones, and brings the revision
// annotations up to date.
func (c *Controller) newAndOld(ctx context.Context, d *apps.Deployment, rsList []*apps.ReplicaSet, create bool) (*apps.ReplicaSet, []*apps.ReplicaSet, error) {
	existing := FindNewReplicaSet(d, rsList)
	oldRSs := FindOldReplicaSets(rsList, existing)
	newRevision := strconv.FormatInt(MaxRevision(oldRSs)+1, 10)
	if existing != nil {
		rs, err := c.syncRevision(ctx, d, existing, newRevision)
		return rs, oldRSs, err
	}
	if !create {
		return nil, oldRSs, nil
	}
	rs, err := c.createNewRS(ctx, d, oldRSs, newRevision)
	return rs, oldRSs, err
}

// syncRevision brings the new ReplicaSet's revision (it may be an old
// template rolled back to), copied annotations and minReadySeconds up to
// date, and the deployment's revision annotation.
func (c *Controller) syncRevision(ctx context.Context, d *apps.Deployment, rs *apps.ReplicaSet, revision string) (*apps.ReplicaSet, error) {
	if Revision(rs) < mustInt(revision) || !annotationsUpToDate(d, rs) || rs.Spec.MinReadySeconds != d.Spec.MinReadySeconds {
		cp := meta.DeepCopy(rs)
		setNewRSAnnotations(d, cp, revision)
		cp.Spec.MinReadySeconds = d.Spec.MinReadySeconds
		updated, err := c.client.AppsV1().ReplicaSets(cp.Namespace).Update(ctx, cp, meta.UpdateOptions{})
		if err != nil {
			return nil, fmt.Errorf("update revision of %s: %w", rs.Name, err)
		}
		rs = updated
	}
	if d.Annotations[apps.RevisionAnnotation] != rs.Annotations[apps.RevisionAnnotation] {
		if d.Annotations == nil {
			d.Annotations = map[string]string{}
		}
		d.Annotations[apps.RevisionAnnotation] = rs.Annotations[apps.RevisionAnnotation]
		updated, err := c.client.AppsV1().Deployments(d.Namespace).Update(ctx, d, meta.UpdateOptions{})
		if err != nil {
			return nil, fmt.Errorf("update revision of deployment %s: %w", d.Name, err)
		}
		*d = *updated
	}
	return rs, nil
}

func mustInt(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func annotationsUpToDate(d *apps.Deployment, rs *apps.ReplicaSet) bool {
	for k, v := range d.Annotations {
		if copiedAnnotation(k) && rs.Annotations[k] != v {
			return false
		}
	}
	return true
}

// copiedAnnotation: the deployment's annotations go onto its ReplicaSets,
// except the controller's own bookkeeping.
func copiedAnnotation(k string) bool {
	switch k {
	case apps.RevisionAnnotation, apps.DesiredReplicasAnnotation, apps.MaxReplicasAnnotation,
		"kubectl.kubernetes.io/last-applied-configuration":
		return false
	}
	return true
}

func setNewRSAnnotations(d *apps.Deployment, rs *apps.ReplicaSet, revision string) {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	for k, v := range d.Annotations {
		if copiedAnnotation(k) {
			rs.Annotations[k] = v
		}
	}
	if Revision(rs) < mustInt(revision) {
		rs.Annotations[apps.RevisionAnnotation] = revision
	}
}

func setReplicasAnnotations(d *apps.Deployment, rs *apps.ReplicaSet) {
	if rs.Annotations == nil {
		rs.Annotations = map[string]string{}
	}
	rs.Annotations[apps.DesiredReplicasAnnotation] = strconv.Itoa(int(replicas(d)))
	rs.Annotations[apps.MaxReplicasAnnotation] = strconv.Itoa(int(replicas(d) + MaxSurge(d)))
}

// NewReplicaSetFor builds the ReplicaSet of d's current template with hash.
func NewReplicaSetFor(d *apps.Deployment, hash string, size int32, revision string) *apps.ReplicaSet {
	tmpl := meta.DeepCopy(d.Spec.Template)
	if tmpl.Labels == nil {
		tmpl.Labels = map[string]string{}
	}
	tmpl.Labels[apps.DefaultDeploymentUniqueLabelKey] = hash
	sel := meta.DeepCopy(d.Spec.Selector)
	if sel == nil {
		sel = &meta.LabelSelector{}
	}
	if sel.MatchLabels == nil {
		sel.MatchLabels = map[string]string{}
	}
	sel.MatchLabels[apps.DefaultDeploymentUniqueLabelKey] = hash
	rs := &apps.ReplicaSet{
		ObjectMeta: meta.ObjectMeta{
			Name: d.Name + "-" + hash, Namespace: d.Namespace,
			Labels:          maps.Clone(tmpl.Labels),
			OwnerReferences: []meta.OwnerReference{meta.NewControllerRef(d, apps.APIVersion, "Deployment")},
		},
		Spec: apps.ReplicaSetSpec{Replicas: &size, MinReadySeconds: d.Spec.MinReadySeconds, Selector: sel, Template: tmpl},
	}
	setNewRSAnnotations(d, rs, revision)
	setReplicasAnnotations(d, rs)
	return rs
}

func (c *Controller) createNewRS(ctx context.Context, d *apps.Deployment, oldRSs []*apps.ReplicaSet, revision string) (*apps.ReplicaSet, error) {
	hash := controller.ComputeHash(&d.Spec.Template, d.Status.CollisionCount)
	size := NewRSNewReplicas(d, oldRSs, &apps.ReplicaSet{Spec: apps.ReplicaSetSpec{Replicas: meta.Ptr[int32](0)}})
	rs := NewReplicaSetFor(d, hash, size, revision)
	created, err := c.client.AppsV1().ReplicaSets(d.Namespace).Create(ctx, rs, meta.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return c.handleCollision(ctx, d, rs.Name)
	}
	if err != nil {
		msg := fmt.Sprintf("Failed to create new replica set %q: %v", rs.Name, err)
		c.recorder.Eventf(d, core.EventTypeWarning, "FailedCreate", "%s", msg)
		return nil, fmt.Errorf("create replicaset %s: %w", rs.Name, err)
	}
	if size > 0 {
		c.recorder.Eventf(d, core.EventTypeNormal, "ScalingReplicaSet", "Scaled up replica set %s from 0 to %d", created.Name, size)
	}
	SetCondition(&d.Status, NewCondition(apps.DeploymentProgressing, core.ConditionTrue, NewReplicaSetReason,
		fmt.Sprintf("Created new replica set %q", created.Name), c.now()))
	if err := c.writeStatus(ctx, d, d.Status); err != nil {
		return nil, err
	}
	return created, nil
}

// handleCollision: a ReplicaSet of that name exists. If it is ours with
// the same template the cache only lagged; otherwise bump collisionCount so
// the next sync hashes to another name.
func (c *Controller) handleCollision(ctx context.Context, d *apps.Deployment, name string) (*apps.ReplicaSet, error) {
	rs, err := c.client.AppsV1().ReplicaSets(d.Namespace).Get(ctx, name, meta.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("get colliding replicaset %s: %w", name, err)
	}
	if ref := rs.ControllerRef(); ref != nil && ref.UID == d.UID && EqualIgnoreHash(&rs.Spec.Template, &d.Spec.Template) {
		return rs, nil
	}
	n := int32(0)
	if d.Status.CollisionCount != nil {
		n = *d.Status.CollisionCount
	}
	d.Status.CollisionCount = meta.Ptr(n + 1)
	if err := c.writeStatus(ctx, d, d.Status); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("replicaset name %s collides; collisionCount is now %d", name, n+1)
}

// scaleRS sets rs's size (and its replicas annotations) and records an
// event; rs (a private copy) is updated in place to what was stored.
func (c *Controller) scaleRS(ctx context.Context, d *apps.Deployment, rs *apps.ReplicaSet, size int32) (*apps.ReplicaSet, error) {
	cp := meta.DeepCopy(rs)
	setReplicasAnnotations(d, cp)
	from := rsReplicas(rs)
	if from == size && reflect.DeepEqual(cp.Annotations, rs.Annotations) {
		return rs, nil
	}
	cp.Spec.Replicas = &size
	updated, err := c.client.AppsV1().ReplicaSets(cp.Namespace).Update(ctx, cp, meta.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("scale replicaset %s to %d: %w", rs.Name, size, err)
	}
	if from != size {
		dir := "up"
		if size < from {
			dir = "down"
		}
		c.recorder.Eventf(d, core.EventTypeNormal, "ScalingReplicaSet", "Scaled %s replica set %s from %d to %d", dir, rs.Name, from, size)
	}
	*rs = *updated
	return rs, nil
}

// scale resizes the ReplicaSets when the deployment's size changed: all to
// the only active one, or proportionally in a rollout.
func (c *Controller) scale(ctx context.Context, d *apps.Deployment, newRS *apps.ReplicaSet, oldRSs []*apps.ReplicaSet) error {
	all := append(append([]*apps.ReplicaSet(nil), oldRSs...), nonNil(newRS)...)
	active := FilterActive(all)
	if len(active) <= 1 {
		target := newRS
		if len(active) == 1 {
			target = active[0]
		} else if target == nil && len(oldRSs) > 0 {
			latest := append([]*apps.ReplicaSet(nil), oldRSs...)
			sortByCreation(latest)
			target = latest[len(latest)-1]
		}
		if target == nil {
			return nil
		}
		_, err := c.scaleRS(ctx, d, target, replicas(d))
		return err
	}
	if IsSaturated(d, newRS) {
		var errs []error
		for _, rs := range FilterActive(oldRSs) {
			if _, err := c.scaleRS(ctx, d, rs, 0); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
	if !IsRollingUpdate(d) {
		return nil
	}
	targets := ProportionalTargets(d, active)
	var errs []error
	for _, rs := range active {
		if _, err := c.scaleRS(ctx, d, rs, targets[rs.Name]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// cleanup deletes old ReplicaSets beyond revisionHistoryLimit.
func (c *Controller) cleanup(ctx context.Context, d *apps.Deployment, oldRSs []*apps.ReplicaSet) error {
	var errs []error
	for _, rs := range ReplicaSetsToCleanUp(d, oldRSs) {
		err := c.client.AppsV1().ReplicaSets(rs.Namespace).Delete(ctx, rs.Name,
			meta.DeleteOptions{Preconditions: &meta.Preconditions{UID: &rs.UID}})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete old replicaset %s: %w", rs.Name, err))
		}
	}
	return errors.Join(errs...)
}

// syncRolloutStatus computes and writes the status with the Progressing
// condition, and requeues the deployment to notice its deadline.
func (c *Controller) syncRolloutStatus(ctx context.Context, d *apps.Deployment, allRSs []*apps.ReplicaSet, newRS *apps.ReplicaSet) error {
	now := c.now()
	st := CalculateStatus(d, allRSs, newRS, now)
	RolloutConditions(d, &st, newRS, now)
	if after := RequeueAfter(d, &st, now); after > 0 {
		c.queue.AddAfter(d.GetObjectMeta().Key(), after)
	}
	return c.writeStatus(ctx, d, st)
}

func (c *Controller) writeStatus(ctx context.Context, d *apps.Deployment, st apps.DeploymentStatus) error {
	cur, err := c.dLister.ByNamespace(d.Namespace).Get(d.Name)
	if err == nil && cur.ResourceVersion == d.ResourceVersion && reflect.DeepEqual(meta.DeepCopy(cur.Status), meta.DeepCopy(st)) {
		return nil
	}
	cp := meta.DeepCopy(d)
	cp.Status = st
	updated, err := c.client.AppsV1().Deployments(d.Namespace).UpdateStatus(ctx, cp, meta.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("update status of deployment %s: %w", d.Name, err)
	}
	*d = *updated
	return nil
}
