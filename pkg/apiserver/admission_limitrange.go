package apiserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// admitLimitRanger is Kubernetes' LimitRanger admission on create: a pod's
// containers get the default limits and requests of the namespace's
// LimitRanges where they set none, then pods and claims are checked
// against every range's min, max and maxLimitRequestRatio; a violation is
// a 403 with Kubernetes' message.
func (s *Server) admitLimitRanger(ctx context.Context, res *registry.Resource, obj meta.Object) error {
	pod, isPod := obj.(*core.Pod)
	pvc, isPVC := obj.(*core.PersistentVolumeClaim)
	if res.Group != "" || (!isPod && !isPVC) {
		return nil
	}
	ranges, err := s.limitRanges(ctx, obj.GetObjectMeta().Namespace)
	if err != nil || len(ranges) == 0 {
		return err
	}
	var errs []error
	if isPod {
		DefaultPodLimits(pod, ranges)
		errs = ValidatePodLimits(pod, ranges)
	} else {
		errs = ValidateClaimLimits(pvc, ranges)
	}
	if len(errs) == 0 {
		return nil
	}
	return apierrors.NewForbidden(res.Group, res.Resource, obj.GetObjectMeta().Name, aggregate(errs))
}

// limitRanges reads the namespace's LimitRanges from the watch cache, as
// Kubernetes' LimitRanger reads its informer: no etcd read on the pod
// create path (a range made within the cache's lag, a few milliseconds,
// does not apply yet).
func (s *Server) limitRanges(ctx context.Context, ns string) ([]*core.LimitRange, error) {
	res, ok := s.cfg.Resources.Lookup("", "v1", "limitranges")
	if !ok || s.stores[res] == nil {
		return nil, nil
	}
	list, err := s.stores[res].List(ctx, res.Prefix(ns), storage.ListOptions{ResourceVersion: "0"})
	if err != nil {
		return nil, fmt.Errorf("limit ranges of %s: %w", ns, err)
	}
	out := make([]*core.LimitRange, 0, len(list.Items))
	for _, o := range list.Items {
		if lr, ok := o.(*core.LimitRange); ok {
			out = append(out, lr)
		}
	}
	return out, nil
}

// aggregate renders errors as Kubernetes' aggregate: one alone, several
// as [a, b].
func aggregate(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New("[" + strings.Join(msgs, ", ") + "]")
}

// DefaultPodLimits sets, in every container (init containers too), the
// limits of the ranges' Container defaults and the requests of their
// defaultRequests that the container does not set. A container that sets
// a limit and no request gets the limit as its request (what the pod's own
// defaulting does, which Kubernetes runs before this admission).
func DefaultPodLimits(pod *core.Pod, ranges []*core.LimitRange) {
	lim, req := core.ResourceList{}, core.ResourceList{}
	for _, lr := range ranges {
		for _, it := range lr.Spec.Limits {
			if it.Type != core.LimitTypeContainer {
				continue
			}
			for k, v := range it.Default { // the first range's default wins
				if _, ok := lim[k]; !ok {
					lim[k] = v.DeepCopy()
				}
			}
			for k, v := range it.DefaultRequest {
				if _, ok := req[k]; !ok {
					req[k] = v.DeepCopy()
				}
			}
		}
	}
	for _, cs := range [][]core.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range cs {
			r := &cs[i].Resources
			for k, v := range r.Limits {
				if _, ok := r.Requests[k]; !ok {
					setQuantity(&r.Requests, k, v)
				}
			}
			for k, v := range lim {
				if _, ok := r.Limits[k]; !ok {
					setQuantity(&r.Limits, k, v)
				}
			}
			for k, v := range req {
				if _, ok := r.Requests[k]; !ok {
					setQuantity(&r.Requests, k, v)
				}
			}
		}
	}
}

func setQuantity(l *core.ResourceList, k core.ResourceName, v resource.Quantity) {
	if *l == nil {
		*l = core.ResourceList{}
	}
	(*l)[k] = v.DeepCopy()
}

// ValidatePodLimits checks pod against the ranges' Container items (each
// container, init containers too) and Pod items (the pod's totals), in
// the ranges' order and by resource name.
func ValidatePodLimits(pod *core.Pod, ranges []*core.LimitRange) []error {
	var errs []error
	for _, lr := range ranges {
		for _, it := range lr.Spec.Limits {
			switch it.Type {
			case core.LimitTypeContainer:
				for _, cs := range [][]core.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
					for i := range cs {
						errs = append(errs, checkItem(&it, cs[i].Resources.Requests, cs[i].Resources.Limits)...)
					}
				}
			case core.LimitTypePod:
				errs = append(errs, checkItem(&it, core.PodRequests(pod), core.PodLimits(pod))...)
			}
		}
	}
	return errs
}

// ValidateClaimLimits checks a claim's storage request against the
// ranges' PersistentVolumeClaim items.
func ValidateClaimLimits(pvc *core.PersistentVolumeClaim, ranges []*core.LimitRange) []error {
	var errs []error
	req := pvc.Spec.Resources.Requests
	for _, lr := range ranges {
		for _, it := range lr.Spec.Limits {
			if it.Type != core.LimitTypePersistentVolumeClaim {
				continue
			}
			t := string(it.Type)
			for _, k := range sortedNames(it.Min) {
				if err := minConstraint(t, k, it.Min[k], req, nil); err != nil {
					errs = append(errs, err)
				}
			}
			for _, k := range sortedNames(it.Max) {
				if err := maxConstraint(t, k, it.Max[k], nil, req); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errs
}

func checkItem(it *core.LimitRangeItem, req, lim core.ResourceList) []error {
	var errs []error
	t := string(it.Type)
	for _, k := range sortedNames(it.Min) {
		if err := minConstraint(t, k, it.Min[k], req, lim); err != nil {
			errs = append(errs, err)
		}
	}
	for _, k := range sortedNames(it.Max) {
		if err := maxConstraint(t, k, it.Max[k], req, lim); err != nil {
			errs = append(errs, err)
		}
	}
	for _, k := range sortedNames(it.MaxLimitRequestRatio) {
		if err := ratioConstraint(t, k, it.MaxLimitRequestRatio[k], req, lim); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func sortedNames(l core.ResourceList) []core.ResourceName {
	out := make([]core.ResourceName, 0, len(l))
	for k := range l {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func minConstraint(t string, k core.ResourceName, bound resource.Quantity, req, lim core.ResourceList) error {
	r, okR := req[k]
	l, okL := lim[k]
	switch {
	case !okR:
		return fmt.Errorf("minimum %s usage per %s is %s.  No request is specified", k, t, bound.String())
	case r.Cmp(bound) < 0:
		return fmt.Errorf("minimum %s usage per %s is %s, but request is %s", k, t, bound.String(), r.String())
	case okL && l.Cmp(bound) < 0:
		return fmt.Errorf("minimum %s usage per %s is %s, but limit is %s", k, t, bound.String(), l.String())
	}
	return nil
}

func maxConstraint(t string, k core.ResourceName, bound resource.Quantity, req, lim core.ResourceList) error {
	r, okR := req[k]
	l, okL := lim[k]
	switch {
	case !okL:
		return fmt.Errorf("maximum %s usage per %s is %s.  No limit is specified", k, t, bound.String())
	case l.Cmp(bound) > 0:
		return fmt.Errorf("maximum %s usage per %s is %s, but limit is %s", k, t, bound.String(), l.String())
	case okR && r.Cmp(bound) > 0:
		return fmt.Errorf("maximum %s usage per %s is %s, but request is %s", k, t, bound.String(), r.String())
	}
	return nil
}

func ratioConstraint(t string, k core.ResourceName, bound resource.Quantity, req, lim core.ResourceList) error {
	r, okR := req[k]
	l, okL := lim[k]
	if !okR || r.IsZero() {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no request is specified or request is 0", k, t, bound.String())
	}
	if !okL || l.IsZero() {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but no limit is specified or limit is 0", k, t, bound.String())
	}
	ratio := l.AsApproximateFloat64() / r.AsApproximateFloat64()
	if ratio > bound.AsApproximateFloat64() {
		return fmt.Errorf("%s max limit to request ratio per %s is %s, but provided ratio is %f", k, t, bound.String(), ratio)
	}
	return nil
}
