package endpointslice

import (
	"maps"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Plan is what to write so that a service's slices hold the desired
// endpoints: slices to create (generateName "<service>-"), existing slices
// to update (copies with their new content) and slices to delete.
type Plan struct {
	Create []*discovery.EndpointSlice
	Update []*discovery.EndpointSlice
	Delete []*discovery.EndpointSlice
}

// Empty reports whether the plan writes nothing.
func (p Plan) Empty() bool { return len(p.Create)+len(p.Update)+len(p.Delete) == 0 }

// Reconcile plans the writes that turn existing (the slices the
// controller manages for svc) into slices holding desired, at most
// maxPerSlice endpoints each, with as few writes as it can:
//   - an endpoint stays in the slice it is in; a slice whose endpoints
//     changed or went is updated, or deleted once empty;
//   - new endpoints fill the slices being updated anyway, then slices
//     with room, then new slices;
//   - a slice of a port list or address type no longer wanted, or owned by
//     another service of the same name, is deleted;
//   - a service with no endpoints at all keeps one placeholder slice
//     (no endpoints, no ports) of its first address type, as Kubernetes.
//
// Labels and the owner reference are put right on every slice written and
// on any slice that has drifted.
func Reconcile(svc *core.Service, existing []*discovery.EndpointSlice, desired []Group, maxPerSlice int) Plan {
	maxPerSlice = max(maxPerSlice, 1)
	r := &reconciler{svc: svc, labels: sliceLabels(svc), max: maxPerSlice}
	byKey := map[string][]*discovery.EndpointSlice{}
	for _, s := range sortedByName(existing) {
		if !ownedBy(s, svc) {
			r.plan.Delete = append(r.plan.Delete, s)
			continue
		}
		k := groupKey(s.AddressType, s.Ports)
		byKey[k] = append(byKey[k], s)
	}
	for i := range desired {
		g := &desired[i]
		r.reconcileGroup(g, byKey[g.key()])
		delete(byKey, g.key())
	}
	var unwanted []*discovery.EndpointSlice
	for _, k := range slices.Sorted(maps.Keys(byKey)) {
		unwanted = append(unwanted, byKey[k]...)
	}
	if len(desired) == 0 {
		unwanted = r.keepPlaceholder(unwanted)
	}
	r.plan.Delete = append(r.plan.Delete, unwanted...)
	return r.plan
}

type reconciler struct {
	svc    *core.Service
	labels map[string]string
	max    int
	plan   Plan
}

// reconcileGroup places g's endpoints in the group's existing slices.
func (r *reconciler) reconcileGroup(g *Group, existing []*discovery.EndpointSlice) {
	want := make(map[string]discovery.Endpoint, len(g.Endpoints))
	for _, e := range g.Endpoints {
		want[endpointKey(e)] = e
	}
	placed := map[string]bool{}
	var updates, kept []*discovery.EndpointSlice
	for _, s := range existing {
		eps, changed := make([]discovery.Endpoint, 0, len(s.Endpoints)), false
		for _, e := range s.Endpoints {
			k := endpointKey(e)
			w, ok := want[k]
			if !ok || placed[k] || len(eps) >= r.max {
				changed = true
				continue
			}
			placed[k] = true
			changed = changed || !endpointEqual(e, w)
			eps = append(eps, w)
		}
		switch {
		case len(eps) == 0 && len(s.Endpoints) > 0:
			r.plan.Delete = append(r.plan.Delete, s)
		case changed || r.drifted(s):
			cp := meta.DeepCopy(s)
			cp.Endpoints = eps
			updates = append(updates, cp)
		default:
			kept = append(kept, s)
		}
	}
	var rest []discovery.Endpoint
	for _, e := range g.Endpoints {
		if !placed[endpointKey(e)] {
			rest = append(rest, e)
		}
	}
	// Fill the slices written anyway first, then the fullest of the kept
	// ones (an update each), then new slices.
	rest = r.fill(updates, rest)
	slices.SortStableFunc(kept, func(a, b *discovery.EndpointSlice) int { return len(b.Endpoints) - len(a.Endpoints) })
	for _, s := range kept {
		switch {
		case len(rest) > 0 && len(s.Endpoints) < r.max:
			cp := meta.DeepCopy(s)
			rest = r.fill([]*discovery.EndpointSlice{cp}, rest)
			updates = append(updates, cp)
		case len(s.Endpoints) == 0:
			r.plan.Delete = append(r.plan.Delete, s) // an empty slice beside others
		}
	}
	for _, s := range updates {
		if len(s.Endpoints) == 0 {
			r.plan.Delete = append(r.plan.Delete, s)
			continue
		}
		r.setMeta(s)
		r.plan.Update = append(r.plan.Update, s)
	}
	for len(rest) > 0 {
		n := min(len(rest), r.max)
		r.plan.Create = append(r.plan.Create, r.newSlice(g.AddressType, g.Ports, rest[:n]))
		rest = rest[n:]
	}
}

// fill appends endpoints of rest to the slices up to the limit and
// returns those left.
func (r *reconciler) fill(ss []*discovery.EndpointSlice, rest []discovery.Endpoint) []discovery.Endpoint {
	for _, s := range ss {
		n := min(len(rest), r.max-len(s.Endpoints))
		if n <= 0 {
			continue
		}
		s.Endpoints = append(s.Endpoints, rest[:n]...)
		rest = rest[n:]
	}
	return rest
}

// keepPlaceholder returns unwanted without one placeholder slice it keeps,
// or plans a new placeholder when none is there.
func (r *reconciler) keepPlaceholder(unwanted []*discovery.EndpointSlice) []*discovery.EndpointSlice {
	at := AddressTypes(r.svc)[0]
	for i, s := range unwanted {
		if len(s.Endpoints) == 0 && len(s.Ports) == 0 && s.AddressType == at {
			if r.drifted(s) {
				cp := meta.DeepCopy(s)
				r.setMeta(cp)
				r.plan.Update = append(r.plan.Update, cp)
			}
			return slices.Delete(slices.Clone(unwanted), i, i+1)
		}
	}
	r.plan.Create = append(r.plan.Create, r.newSlice(at, []discovery.EndpointPort{}, nil))
	return unwanted
}

func (r *reconciler) newSlice(at discovery.AddressType, ports []discovery.EndpointPort, eps []discovery.Endpoint) *discovery.EndpointSlice {
	s := &discovery.EndpointSlice{
		ObjectMeta:  meta.ObjectMeta{GenerateName: r.svc.Name + "-", Namespace: r.svc.Namespace},
		AddressType: at,
		Ports:       slices.Clone(ports),
		Endpoints:   slices.Clone(eps),
	}
	r.setMeta(s)
	return s
}

// setMeta puts the wanted labels and owner reference on s.
func (r *reconciler) setMeta(s *discovery.EndpointSlice) {
	s.Labels = maps.Clone(r.labels)
	s.OwnerReferences = []meta.OwnerReference{ownerRef(r.svc)}
}

// drifted reports whether s's labels or owner references differ from the
// wanted ones.
func (r *reconciler) drifted(s *discovery.EndpointSlice) bool {
	want := ownerRef(r.svc)
	return !maps.Equal(s.Labels, r.labels) || len(s.OwnerReferences) != 1 || !ownerRefEqual(s.OwnerReferences[0], want)
}

func ownerRefEqual(a, b meta.OwnerReference) bool {
	return a.APIVersion == b.APIVersion && a.Kind == b.Kind && a.Name == b.Name && a.UID == b.UID &&
		meta.PtrEqual(a.Controller, b.Controller) && meta.PtrEqual(a.BlockOwnerDeletion, b.BlockOwnerDeletion)
}

// ownedBy reports whether s belongs to svc: it has no controller, or svc
// (by uid) is its controller. A slice left by a deleted service of the
// same name is not.
func ownedBy(s *discovery.EndpointSlice, svc *core.Service) bool {
	ref := s.ControllerRef()
	return ref == nil || ref.UID == svc.UID
}

// endpointKey identifies an endpoint across syncs: its pod, or its
// addresses when it names none.
func endpointKey(e discovery.Endpoint) string {
	if e.TargetRef != nil && e.TargetRef.UID != "" {
		return "uid:" + e.TargetRef.UID
	}
	if e.TargetRef != nil && e.TargetRef.Name != "" {
		return "pod:" + e.TargetRef.Namespace + "/" + e.TargetRef.Name
	}
	return "addr:" + strings.Join(e.Addresses, ",")
}

// endpointEqual compares endpoints as the apiserver stores them.
func endpointEqual(a, b discovery.Endpoint) bool {
	return slices.Equal(a.Addresses, b.Addresses) &&
		meta.PtrEqual(a.Conditions.Ready, b.Conditions.Ready) &&
		meta.PtrEqual(a.Conditions.Serving, b.Conditions.Serving) &&
		meta.PtrEqual(a.Conditions.Terminating, b.Conditions.Terminating) &&
		meta.PtrEqual(a.Hostname, b.Hostname) && meta.PtrEqual(a.TargetRef, b.TargetRef) &&
		meta.PtrEqual(a.NodeName, b.NodeName) && meta.PtrEqual(a.Zone, b.Zone) &&
		maps.Equal(a.DeprecatedTopology, b.DeprecatedTopology) && a.Hints == nil && b.Hints == nil
}

func sortedByName(ss []*discovery.EndpointSlice) []*discovery.EndpointSlice {
	out := slices.Clone(ss)
	slices.SortFunc(out, func(a, b *discovery.EndpointSlice) int { return strings.Compare(a.Name, b.Name) })
	return out
}
