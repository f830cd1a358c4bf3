package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// The eviction subresource honours PodDisruptionBudgets as Kubernetes'
// pod eviction REST does: a pod covered by one budget is deleted only
// after the apiserver took one of the budget's allowed disruptions (a
// status write conditional on the budget's resourceVersion, so two racing
// evictions cannot both take the last one) and recorded the pod in
// status.disruptedPods for the disruption controller.

const (
	// maxDisruptedPods bounds status.disruptedPods: past it the controller
	// is not keeping up and evictions are refused.
	maxDisruptedPods = 2000
	// evictionRetries is how many times an eviction re-reads a pod or a
	// budget that changed under it before giving up.
	evictionRetries = 5

	msgViolatesBudget = "Cannot evict pod as it would violate the pod's disruption budget."
	msgTooManyBudgets = "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
)

// evictionAction is what an eviction does once its budgets were checked.
type evictionAction int

const (
	// evictDelete deletes the pod; no budget is involved.
	evictDelete evictionAction = iota
	// evictDeleteUnhealthy deletes a Running pod that is not Ready without
	// taking a disruption, on the condition that the pod did not change
	// (become Ready) since it was read.
	evictDeleteUnhealthy
	// evictTakeDisruption takes one disruption from the budget, then
	// deletes the pod.
	evictTakeDisruption
)

// canIgnoreBudgets reports whether a pod is evicted without looking at
// budgets: it is terminal or Pending (not counted as healthy by any
// budget) or already being deleted.
func canIgnoreBudgets(pod *core.Pod) bool {
	switch pod.Status.Phase {
	case core.PodSucceeded, core.PodFailed, core.PodPending:
		return true
	}
	return pod.DeletionTimestamp != nil
}

// enforcePodVersion reports whether deleting an ignorable pod is made
// conditional on its resourceVersion: a Pending pod may become Running and
// Ready meanwhile and then count for its budgets.
func enforcePodVersion(pod *core.Pod) bool {
	switch pod.Status.Phase {
	case core.PodSucceeded, core.PodFailed:
		return false
	}
	return pod.DeletionTimestamp == nil
}

// decideEviction decides the eviction of a Running pod given the budgets
// that select it: no budget, delete; more than one, a 500 Status; a pod
// that is not Ready is deleted without taking a disruption when the
// budget's unhealthyPodEvictionPolicy is AlwaysAllow, or (IfHealthyBudget,
// the default) when the budget has its desired healthy pods; otherwise one
// disruption must be taken from the budget (takeDisruption).
func decideEviction(pod *core.Pod, budgets []*policy.PodDisruptionBudget) (evictionAction, *policy.PodDisruptionBudget, error) {
	switch len(budgets) {
	case 0:
		return evictDelete, nil, nil
	case 1:
	default:
		return 0, nil, apierrors.FromStatus(meta.Status{Status: meta.StatusFailure,
			Code: http.StatusInternalServerError, Message: msgTooManyBudgets})
	}
	b := budgets[0]
	if !core.IsPodReady(pod) {
		if p := b.Spec.UnhealthyPodEvictionPolicy; p != nil && *p == policy.AlwaysAllow {
			return evictDeleteUnhealthy, b, nil
		}
		if b.Status.CurrentHealthy >= b.Status.DesiredHealthy && b.Status.DesiredHealthy > 0 {
			return evictDeleteUnhealthy, b, nil
		}
	}
	return evictTakeDisruption, b, nil
}

// budgetStillProcessing is the 429 of a budget whose status is behind its
// spec (or that kept changing under the eviction).
func budgetStillProcessing(name string) error {
	err := apierrors.NewTooManyRequests(msgViolatesBudget, 0)
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, meta.StatusCause{Type: policy.DisruptionBudgetCause,
		Message: fmt.Sprintf("The disruption budget %s is still being processed by the server.", name)})
	return err
}

// takeDisruption checks that budget b allows evicting podName now and
// returns a copy of b with one disruption taken: disruptionsAllowed
// decremented (the DisruptionAllowed condition False once it reaches 0)
// and the pod recorded in disruptedPods at now. b is not modified.
func takeDisruption(b *policy.PodDisruptionBudget, podName string, now time.Time) (*policy.PodDisruptionBudget, error) {
	switch {
	case b.Status.ObservedGeneration < b.Generation:
		return nil, budgetStillProcessing(b.Name)
	case b.Status.DisruptionsAllowed < 0:
		return nil, apierrors.NewForbidden(policy.GroupName, "poddisruptionbudget", b.Name,
			errors.New("pdb disruptions allowed is negative"))
	case len(b.Status.DisruptedPods) > maxDisruptedPods:
		return nil, apierrors.NewForbidden(policy.GroupName, "poddisruptionbudget", b.Name,
			errors.New("DisruptedPods map too big - too many evictions not confirmed by PDB controller"))
	case b.Status.DisruptionsAllowed == 0:
		err := apierrors.NewTooManyRequests(msgViolatesBudget, 0)
		err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, meta.StatusCause{Type: policy.DisruptionBudgetCause,
			Message: fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently",
				b.Name, b.Status.DesiredHealthy, b.Status.CurrentHealthy)})
		return nil, err
	}
	out := meta.DeepCopy(b)
	out.Status.DisruptionsAllowed--
	if out.Status.DisruptionsAllowed == 0 {
		out.Status.Conditions = meta.SetStatusCondition(out.Status.Conditions, meta.Condition{Type: policy.DisruptionAllowedCondition, Status: string(core.ConditionFalse),
			Reason: policy.InsufficientPodsReason, ObservedGeneration: out.Status.ObservedGeneration}, now)
	}
	if out.Status.DisruptedPods == nil {
		out.Status.DisruptedPods = map[string]meta.Time{}
	}
	out.Status.DisruptedPods[podName] = meta.NewTime(now.UTC().Truncate(time.Second))
	return out, nil
}

// evictPod runs an eviction of the pod of r with the eviction's delete
// options: budgets checked and, when one covers the pod, a disruption
// taken before the pod is deleted.
func (s *Server) evictPod(ctx context.Context, r *request, opts *meta.DeleteOptions) error {
	userVersion := opts.Preconditions != nil && opts.Preconditions.ResourceVersion != nil
	var pod *core.Pod
	for attempt := 0; ; attempt++ {
		var err error
		if pod, err = s.getEvictedPod(ctx, r); err != nil {
			return err
		}
		ignore := canIgnoreBudgets(pod)
		if !ignore {
			if ignore, err = s.namespaceTerminating(ctx, pod.Namespace); err != nil {
				return err
			}
		}
		if !ignore {
			break
		}
		del := opts
		if enforcePodVersion(pod) && !userVersion {
			del = withPodVersion(opts, pod)
		}
		err = s.deleteEvicted(ctx, r, del)
		if apierrors.IsConflict(err) && !userVersion && attempt < evictionRetries {
			continue // the pod changed (maybe it runs now): decide again
		}
		return err
	}

	budgets, err := s.podBudgets(ctx, pod.Namespace)
	if err != nil {
		return err
	}
	action, budget, err := decideEviction(pod, policy.MatchingBudgets(budgets, pod.Namespace, pod.Labels))
	if err != nil {
		return err
	}
	switch action {
	case evictDeleteUnhealthy:
		del := opts
		if !userVersion {
			del = withPodVersion(opts, pod)
		}
		err := s.deleteEvicted(ctx, r, del)
		if apierrors.IsConflict(err) && !userVersion {
			return budgetStillProcessing(budget.Name)
		}
		return err
	case evictTakeDisruption:
		if err := s.takeBudgetDisruption(ctx, budget, pod.Name, len(opts.DryRun) > 0); err != nil {
			return err
		}
	}
	return s.deleteEvicted(ctx, r, opts)
}

// withPodVersion returns a copy of opts conditional on pod's resourceVersion.
func withPodVersion(opts *meta.DeleteOptions, pod *core.Pod) *meta.DeleteOptions {
	out := *opts
	p := meta.Preconditions{}
	if opts.Preconditions != nil {
		p = *opts.Preconditions
	}
	rv := pod.ResourceVersion
	p.ResourceVersion = &rv
	out.Preconditions = &p
	return &out
}

func (s *Server) getEvictedPod(ctx context.Context, r *request) (*core.Pod, error) {
	obj, err := r.store.Get(ctx, r.res.Key(r.ri.Namespace, r.ri.Name), storage.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("eviction: get pod: %w", err)
	}
	pod, ok := obj.(*core.Pod)
	if !ok {
		return nil, apierrors.NewInternalError(fmt.Errorf("eviction: stored object is %T", obj))
	}
	return pod, nil
}

// deleteEvicted marks the pod as a DisruptionTarget, as Kubernetes does
// before it deletes an evicted pod, so that whoever watches the pod (its
// controller, kubectl describe) can tell an eviction from a failure; then
// it deletes the pod with opts. The mark honours opts' preconditions, and
// a resourceVersion precondition moves to the version the mark wrote. A
// dry run marks nothing.
func (s *Server) deleteEvicted(ctx context.Context, r *request, opts *meta.DeleteOptions) error {
	if len(opts.DryRun) == 0 {
		rv, err := s.markDisruptionTarget(ctx, r, opts.Preconditions)
		if err != nil {
			return err
		}
		if p := opts.Preconditions; p != nil && p.ResourceVersion != nil {
			next, pre := *opts, *p
			pre.ResourceVersion = &rv
			next.Preconditions = &pre
			opts = &next
		}
	}
	if _, err := s.deleteObject(ctx, r.res, r.store, r.ri.Namespace, r.ri.Name, opts); err != nil {
		return fmt.Errorf("eviction: %w", err)
	}
	return nil
}

// markDisruptionTarget sets the pod's DisruptionTarget condition (True,
// EvictionByEvictionAPI) if it is not set yet and returns the pod's
// resourceVersion after the write.
func (s *Server) markDisruptionTarget(ctx context.Context, r *request, pre *meta.Preconditions) (string, error) {
	out, err := r.store.GuaranteedUpdate(ctx, r.res.Key(r.ri.Namespace, r.ri.Name), pre, false,
		func(current meta.Object) (meta.Object, error) {
			pod, ok := current.(*core.Pod)
			if !ok {
				return nil, apierrors.NewInternalError(fmt.Errorf("eviction: stored object is %T", current))
			}
			core.SetPodCondition(&pod.Status, core.PodCondition{Type: core.DisruptionTarget, Status: core.ConditionTrue,
				Reason: "EvictionByEvictionAPI", Message: "Eviction API: evicting",
				LastTransitionTime: meta.NewTime(s.now().UTC().Truncate(time.Second))})
			return pod, nil
		})
	if err != nil {
		return "", fmt.Errorf("eviction: mark pod as a disruption target: %w", err)
	}
	return out.GetObjectMeta().ResourceVersion, nil
}

// namespaceTerminating reports whether ns is being deleted: its pods are
// evicted without regard to budgets, since they go anyway.
func (s *Server) namespaceTerminating(ctx context.Context, ns string) (bool, error) {
	res, st := s.namespaces()
	if st == nil {
		return false, nil
	}
	obj, err := st.Get(ctx, res.Key("", ns), storage.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("eviction: get namespace %s: %w", ns, err)
	}
	n, ok := obj.(*core.Namespace)
	return ok && (n.DeletionTimestamp != nil || n.Status.Phase == core.NamespaceTerminating), nil
}

// budgetStore returns the poddisruptionbudgets resource and its storage
// (nil when the table does not serve them).
func (s *Server) budgetStore() (*registry.Resource, storage.Interface) {
	res, ok := s.cfg.Resources.Lookup(policy.GroupName, policy.Version, "poddisruptionbudgets")
	if !ok {
		return nil, nil
	}
	return res, s.stores[res]
}

// podBudgets lists the budgets of namespace ns from etcd (a quorum read:
// an eviction must not act on a stale budget).
func (s *Server) podBudgets(ctx context.Context, ns string) ([]*policy.PodDisruptionBudget, error) {
	res, st := s.budgetStore()
	if st == nil {
		return nil, nil
	}
	l, err := st.List(ctx, res.Prefix(ns), storage.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("eviction: list poddisruptionbudgets: %w", err)
	}
	out := make([]*policy.PodDisruptionBudget, 0, len(l.Items))
	for _, o := range l.Items {
		if b, ok := o.(*policy.PodDisruptionBudget); ok {
			out = append(out, b)
		}
	}
	return out, nil
}

// takeBudgetDisruption takes one disruption of budget b for podName: the
// status write succeeds only if b is still at the resourceVersion it was
// checked at; on a conflict the budget is read and checked again, and
// after evictionRetries conflicts the eviction gets a 429. A dry run
// checks and writes nothing.
func (s *Server) takeBudgetDisruption(ctx context.Context, b *policy.PodDisruptionBudget, podName string, dryRun bool) error {
	res, st := s.budgetStore()
	for attempt := 0; ; attempt++ {
		next, err := takeDisruption(b, podName, s.now())
		if err != nil {
			return err
		}
		if dryRun {
			return nil
		}
		err = s.writeBudgetStatus(ctx, res, st, next)
		if err == nil {
			return nil
		}
		if !apierrors.IsConflict(err) {
			return err
		}
		if attempt >= evictionRetries {
			s.log.Info("eviction: budget kept changing", zap.String("namespace", b.Namespace),
				zap.String("budget", b.Name), zap.String("pod", podName), zap.Int("attempts", attempt+1))
			return budgetStillProcessing(b.Name)
		}
		obj, err := st.Get(ctx, res.Key(b.Namespace, b.Name), storage.GetOptions{})
		if err != nil {
			return fmt.Errorf("eviction: get poddisruptionbudget %s: %w", b.Name, err)
		}
		var ok bool
		if b, ok = obj.(*policy.PodDisruptionBudget); !ok {
			return apierrors.NewInternalError(fmt.Errorf("eviction: stored budget is %T", obj))
		}
	}
}

// writeBudgetStatus writes next's status over the stored budget if the
// stored one still has next's resourceVersion (else 409 Conflict).
func (s *Server) writeBudgetStatus(ctx context.Context, res *registry.Resource, st storage.Interface, next *policy.PodDisruptionBudget) error {
	rv := next.ResourceVersion
	_, err := st.GuaranteedUpdate(ctx, res.Key(next.Namespace, next.Name), &meta.Preconditions{UID: &next.UID}, false,
		func(cur meta.Object) (meta.Object, error) {
			b, ok := cur.(*policy.PodDisruptionBudget)
			if !ok {
				return nil, apierrors.NewInternalError(fmt.Errorf("eviction: stored budget is %T", cur))
			}
			if b.ResourceVersion != rv {
				return nil, apierrors.NewConflict(res.Group, res.Resource, b.Name,
					errors.New("the object has been modified; please apply your changes to the latest version and try again"))
			}
			b.Status = next.Status
			return b, nil
		})
	if err != nil {
		return fmt.Errorf("eviction: update poddisruptionbudget %s status: %w", next.Name, err)
	}
	return nil
}
