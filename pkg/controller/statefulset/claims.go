package statefulset

import (
	"maps"
	"slices"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// NewClaim is the claim that template tmpl makes for set's pod of ordinal
// ord, as Kubernetes makes it: named <template>-<set>-<ordinal>, the
// template's labels plus the set's matchLabels, the template's spec, and
// an owner reference to the set when whenDeleted is Delete (so the
// garbage collector takes the claims with the set).
func NewClaim(set *apps.StatefulSet, tmpl *core.PersistentVolumeClaim, ord int) *core.PersistentVolumeClaim {
	lbl := maps.Clone(tmpl.Labels)
	if lbl == nil {
		lbl = map[string]string{}
	}
	if set.Spec.Selector != nil {
		maps.Copy(lbl, set.Spec.Selector.MatchLabels)
	}
	c := &core.PersistentVolumeClaim{
		TypeMeta: meta.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: meta.ObjectMeta{Name: apps.ClaimName(set, tmpl, ord), Namespace: set.Namespace, Labels: lbl,
			Annotations: maps.Clone(tmpl.Annotations)},
		Spec: *meta.DeepCopy(&tmpl.Spec),
	}
	c.OwnerReferences = ClaimOwnerRefs(set, c.OwnerReferences)
	return c
}

// deleteWhen reports whether the set's retention policy says Delete for
// whenDeleted (scaled false) or whenScaled (scaled true).
func deleteWhen(set *apps.StatefulSet, scaled bool) bool {
	p := set.Spec.PersistentVolumeClaimRetentionPolicy
	if p == nil {
		return false
	}
	if scaled {
		return p.WhenScaled == apps.DeletePersistentVolumeClaimRetentionPolicyType
	}
	return p.WhenDeleted == apps.DeletePersistentVolumeClaimRetentionPolicyType
}

// ClaimOwnerRefs is refs with the set's reference added when whenDeleted
// is Delete and removed when it is Retain; other owners are kept.
func ClaimOwnerRefs(set *apps.StatefulSet, refs []meta.OwnerReference) []meta.OwnerReference {
	out := slices.DeleteFunc(slices.Clone(refs), func(r meta.OwnerReference) bool { return r.UID == set.UID })
	if deleteWhen(set, false) {
		out = append(out, meta.NewControllerRef(set, apps.APIVersion, "StatefulSet"))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// PodOwnedClaimRefs is refs with an owner reference to pod instead of
// one to set, as Kubernetes does for the claims of a pod removed by a
// scale down when whenScaled is Delete: the garbage collector removes the
// claim once the pod is gone (it would not while the set owned it too).
func PodOwnedClaimRefs(set *apps.StatefulSet, pod *core.Pod, refs []meta.OwnerReference) []meta.OwnerReference {
	out := slices.DeleteFunc(slices.Clone(refs), func(r meta.OwnerReference) bool { return r.UID == set.UID || r.UID == pod.UID })
	return append(out, meta.OwnerReference{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: pod.UID})
}
