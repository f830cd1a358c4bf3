package apiserver

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/quota"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// admitResourceQuota is Kubernetes' ResourceQuota admission on create, run
// on the defaulted and validated object: for every quota of the namespace
// that constrains it (pkg/quota.Admit), the object's usage is charged to
// the quota's status.used by a guarded read-modify-write of the quota, so
// two concurrent creates cannot both take its last unit (the loser re-reads
// and is refused). A refusal is a 403; quotas charged before a refusal are
// given back. A dry run checks without charging. The charge stays if the
// create then fails; the resourcequota controller recomputes usage.
func (s *Server) admitResourceQuota(ctx context.Context, res *registry.Resource, obj meta.Object, dryRun bool) error {
	if !quota.IsCounted(res.Group, res.Resource) {
		return nil
	}
	qres, ok := s.cfg.Resources.Lookup("", "v1", "resourcequotas")
	if !ok || s.stores[qres] == nil {
		return nil
	}
	st := s.stores[qres]
	m := obj.GetObjectMeta()
	quotas, err := s.resourceQuotas(ctx, qres, st, m.Namespace)
	if err != nil {
		return err
	}
	slices.SortFunc(quotas, func(a, b *core.ResourceQuota) int { return cmp.Compare(a.Name, b.Name) })
	forbidden := func(err error) error { return apierrors.NewForbidden(res.Group, res.Resource, m.Name, err) }
	var charged []chargedQuota
	for _, q := range quotas {
		if dryRun {
			if _, err := quota.Admit(q, res.Resource, obj, s.now()); err != nil {
				return forbidden(err)
			}
			continue
		}
		c, err := s.chargeQuota(ctx, qres, st, q, res.Resource, obj)
		if err != nil {
			s.refundQuotas(ctx, qres, st, m.Namespace, charged)
			var refusal quotaRefusal
			if errors.As(err, &refusal) {
				return forbidden(refusal.err)
			}
			return fmt.Errorf("charge resource quota %s: %w", q.Name, err)
		}
		if c != nil {
			charged = append(charged, *c)
		}
	}
	return nil
}

// resourceQuotas lists the quotas of namespace ns. The watch cache answers
// for a namespace without quotas (most of them), so that a create there
// costs no etcd read; where the cache shows quotas, they are read again
// from etcd, so that a quota created a moment ago constrains the next
// create. (A namespace's first quota, created within the cache's lag of a
// few milliseconds, is not yet enforced, as with Kubernetes' informer.)
func (s *Server) resourceQuotas(ctx context.Context, qres *registry.Resource, st storage.Interface, ns string) ([]*core.ResourceQuota, error) {
	list, err := st.List(ctx, qres.Prefix(ns), storage.ListOptions{ResourceVersion: "0"})
	if err == nil && len(list.Items) > 0 {
		list, err = st.List(ctx, qres.Prefix(ns), storage.ListOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("resource quotas of %s: %w", ns, err)
	}
	quotas := make([]*core.ResourceQuota, 0, len(list.Items))
	for _, o := range list.Items {
		if q, ok := o.(*core.ResourceQuota); ok {
			quotas = append(quotas, q)
		}
	}
	return quotas, nil
}

// quotaRefusal carries pkg/quota's refusal out of GuaranteedUpdate.
type quotaRefusal struct{ err error }

func (r quotaRefusal) Error() string { return r.err.Error() }

// chargedQuota remembers what a create charged to one quota.
type chargedQuota struct {
	name  string
	delta core.ResourceList
}

// chargeQuota charges obj to quota q (as read) with a resourceVersion
// guarded update, re-deciding on the quota as stored after each conflict.
// Nil when the quota does not constrain obj.
func (s *Server) chargeQuota(ctx context.Context, qres *registry.Resource, st storage.Interface, q *core.ResourceQuota, resName string, obj meta.Object) (*chargedQuota, error) {
	// The quota as just read decides whether it constrains obj at all.
	if newUsed, err := quota.Admit(q, resName, obj, s.now()); err != nil {
		return nil, quotaRefusal{err}
	} else if newUsed == nil {
		return nil, nil
	}
	var out *chargedQuota
	_, err := st.GuaranteedUpdate(ctx, qres.Key(q.Namespace, q.Name), nil, false, func(cur meta.Object) (meta.Object, error) {
		cq, ok := cur.(*core.ResourceQuota)
		if !ok {
			return nil, fmt.Errorf("resource quota %s: unexpected %T", q.Name, cur)
		}
		newUsed, err := quota.Admit(cq, resName, obj, s.now())
		if err != nil {
			return nil, quotaRefusal{err}
		}
		if newUsed == nil {
			return nil, errNoCharge
		}
		delta := core.ResourceList{}
		for n, v := range newUsed {
			d := v.DeepCopy()
			d.Sub(cq.Status.Used[n])
			if d.Sign() != 0 {
				delta[n] = d
			}
		}
		out = &chargedQuota{name: cq.Name, delta: delta}
		cq.Status.Used = newUsed
		return cq, nil
	})
	if errors.Is(err, errNoCharge) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

var errNoCharge = errors.New("quota does not constrain the object")

// refundQuotas takes back the charges of a create that a later quota
// refused (best effort: the controller corrects what is left).
func (s *Server) refundQuotas(ctx context.Context, qres *registry.Resource, st storage.Interface, ns string, charged []chargedQuota) {
	for _, c := range charged {
		_, _ = st.GuaranteedUpdate(ctx, qres.Key(ns, c.name), nil, false, func(cur meta.Object) (meta.Object, error) {
			cq, ok := cur.(*core.ResourceQuota)
			if !ok {
				return nil, fmt.Errorf("resource quota %s: unexpected %T", c.name, cur)
			}
			cq.Status.Used = cq.Status.Used.DeepCopy()
			for n, d := range c.delta {
				if v, ok := cq.Status.Used[n]; ok {
					v.Sub(d)
					cq.Status.Used[n] = v
				}
			}
			return cq, nil
		})
	}
}
