package statefulset

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestNewClaimAndOwners(t *testing.T) {
	tmpl := core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "data", Labels: map[string]string{"tier": "db"}},
		Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce}}}
	for _, tc := range []struct {
		name        string
		whenDeleted apps.PersistentVolumeClaimRetentionPolicyType
		wantOwner   bool
	}{
		{"retain", apps.RetainPersistentVolumeClaimRetentionPolicyType, false},
		{"delete", apps.DeletePersistentVolumeClaimRetentionPolicyType, true},
	} {
		s := testSet(2, func(s *apps.StatefulSet) {
			s.Spec.VolumeClaimTemplates = []core.PersistentVolumeClaim{tmpl}
			s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = tc.whenDeleted
		})
		c := NewClaim(s, &s.Spec.VolumeClaimTemplates[0], 1)
		if c.Name != "data-web-1" || c.Namespace != "ns" || c.Labels["app"] != "web" || c.Labels["tier"] != "db" ||
			len(c.Spec.AccessModes) != 1 {
			t.Errorf("%s: claim %+v", tc.name, c)
		}
		if got := c.ControllerRef() != nil && c.ControllerRef().UID == s.UID; got != tc.wantOwner {
			t.Errorf("%s: owned by the set = %v, want %v", tc.name, got, tc.wantOwner)
		}
		// Switching the policy moves the set's reference, other owners stay.
		other := meta.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "other"}
		refs := ClaimOwnerRefs(s, append(c.OwnerReferences, other))
		if n := len(refs); (tc.wantOwner && n != 2) || (!tc.wantOwner && n != 1) {
			t.Errorf("%s: refs %+v", tc.name, refs)
		}
		pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "web-1", UID: "p1"}}
		byPod := PodOwnedClaimRefs(s, pod, refs)
		if len(byPod) != 2 || byPod[1].UID != "p1" || byPod[0].UID != "other" {
			t.Errorf("%s: scaled-down refs %+v", tc.name, byPod)
		}
	}
}
