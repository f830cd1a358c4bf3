package apiserver

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/api/validation"
)

// addDefaultTolerations adds the not-ready and unreachable NoExecute
// tolerations a pod lacks, as the DefaultTolerationSeconds admission plugin.
func addDefaultTolerations(pod *core.Pod, notReady, unreachable int64) {
	var hasNotReady, hasUnreachable bool
	for _, t := range pod.Spec.Tolerations {
		if t.Effect != "" && t.Effect != core.TaintEffectNoExecute {
			continue
		}
		if t.Key == "" && t.Operator == core.TolerationOpExists {
			return // tolerates every taint
		}
		switch t.Key {
		case core.TaintNodeNotReady:
			hasNotReady = true
		case core.TaintNodeUnreachable:
			hasUnreachable = true
		}
	}
	if !hasNotReady && notReady >= 0 {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, core.Toleration{Key: core.TaintNodeNotReady,
			Operator: core.TolerationOpExists, Effect: core.TaintEffectNoExecute, TolerationSeconds: meta.Ptr(notReady)})
	}
	if !hasUnreachable && unreachable >= 0 {
		pod.Spec.Tolerations = append(pod.Spec.Tolerations, core.Toleration{Key: core.TaintNodeUnreachable,
			Operator: core.TolerationOpExists, Effect: core.TaintEffectNoExecute, TolerationSeconds: meta.Ptr(unreachable)})
	}
}

// bind serves POST pods/{name}/binding: it sets spec.nodeName once (409 if
// the pod is already bound) and the PodScheduled=True condition.
func (s *Server) bind(w http.ResponseWriter, req *http.Request, r *request) error {
	if err := s.admitNodeBinding(req.Context(), r); err != nil {
		return err
	}
	body, err := bodyJSON(req)
	if err != nil {
		return err
	}
	var b core.Binding
	if err := decodeInto(body, &b, "Binding"); err != nil {
		return err
	}
	if b.Name != "" && b.Name != r.ri.Name {
		return apierrors.NewBadRequest(fmt.Sprintf("the name of the binding (%s) does not match the pod (%s)", b.Name, r.ri.Name))
	}
	if b.Namespace != "" && b.Namespace != r.ri.Namespace {
		return apierrors.NewBadRequest("the namespace of the binding does not match the namespace of the request")
	}
	if errs := validation.ValidatePodBinding(&b); len(errs) > 0 {
		return apierrors.NewInvalid("", "Binding", r.ri.Name, errs.Causes())
	}
	var precond *meta.Preconditions
	if b.UID != "" {
		precond = &meta.Preconditions{UID: &b.UID}
	}
	key := r.res.Key(r.ri.Namespace, r.ri.Name)
	_, err = r.store.GuaranteedUpdate(req.Context(), key, precond, false, func(cur meta.Object) (meta.Object, error) {
		pod, ok := cur.(*core.Pod) // a private copy (storage contract): no DeepCopy
		if !ok {
			return nil, apierrors.NewInternalError(fmt.Errorf("binding: stored object is %T", cur))
		}
		if pod.DeletionTimestamp != nil {
			return nil, apierrors.NewConflict("", "pods", pod.Name, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", pod.Name))
		}
		if pod.Spec.NodeName != "" {
			return nil, apierrors.NewConflict("", "pods", pod.Name,
				fmt.Errorf("pod %s is already assigned to node %q", pod.Name, pod.Spec.NodeName))
		}
		pod.Spec.NodeName = b.Target.Name
		setPodScheduled(pod, s.now())
		for k, v := range b.Annotations {
			if pod.Annotations == nil {
				pod.Annotations = map[string]string{}
			}
			pod.Annotations[k] = v
		}
		return pod, nil
	})
	if err != nil {
		return fmt.Errorf("bind pod: %w", err)
	}
	st := successStatus(nil)
	st.Code = http.StatusCreated
	writeJSON(w, req, http.StatusCreated, st)
	return nil
}

// setPodScheduled sets the PodScheduled condition to True.
func setPodScheduled(pod *core.Pod, now time.Time) {
	c := core.PodCondition{Type: core.PodScheduled, Status: core.ConditionTrue,
		LastTransitionTime: meta.NewTime(now.UTC().Truncate(time.Second))}
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == core.PodScheduled {
			if pod.Status.Conditions[i].Status != core.ConditionTrue {
				pod.Status.Conditions[i] = c
			}
			return
		}
	}
	pod.Status.Conditions = append(pod.Status.Conditions, c)
}

// evict serves POST pods/{name}/eviction: the pod is deleted with the
// eviction's delete options if its PodDisruptionBudget allows it
// (eviction.go); the answer is a 201 Status.
func (s *Server) evict(w http.ResponseWriter, req *http.Request, r *request) error {
	body, err := bodyJSON(req)
	if err != nil {
		return err
	}
	var ev policy.Eviction
	if err := decodeInto(body, &ev, "Eviction"); err != nil {
		return err
	}
	if ev.Name != "" && ev.Name != r.ri.Name {
		return apierrors.NewBadRequest(fmt.Sprintf("name in URL does not match name in Eviction object (%s != %s)", r.ri.Name, ev.Name))
	}
	wo, err := parseWriteOptions(req.URL.Query())
	if err != nil {
		return err
	}
	opts := ev.DeleteOptions
	if opts == nil {
		opts = &meta.DeleteOptions{}
	}
	if wo.DryRun && len(opts.DryRun) == 0 {
		// ?dryRun=All on the eviction makes its delete a dry run too.
		cp := *opts
		cp.DryRun = []string{"All"}
		opts = &cp
	}
	if err := validateDeleteOptions(opts); err != nil {
		return err
	}
	if err := s.evictPod(req.Context(), r, opts); err != nil {
		return err
	}
	st := successStatus(nil)
	st.Code = http.StatusCreated
	writeJSON(w, req, http.StatusCreated, st)
	return nil
}
