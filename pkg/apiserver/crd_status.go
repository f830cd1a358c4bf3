package apiserver

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// The pure part of the CRD controller: from a definition and what else is
// served, the status it should have. Kubernetes splits this over its naming
// and establishing controllers; the conditions, reasons and messages are
// theirs.

// takenNames are the names a group's other resources hold.
type takenNames struct {
	resources, kinds map[string]bool // plural, singular and short names; kinds and list kinds
}

// namesTaken collects the names held in crd's group by the built-in
// resources of the table and by the accepted names of the other CRDs.
func namesTaken(crd *apiextensions.CustomResourceDefinition, builtins []*registry.Resource, others []*apiextensions.CustomResourceDefinition) takenNames {
	t := takenNames{resources: map[string]bool{}, kinds: map[string]bool{}}
	group := crd.Spec.Group
	for _, r := range builtins {
		if r.Custom != nil || r.Group != group {
			continue
		}
		t.resources[r.Resource] = true
		t.resources[r.Singular] = true
		for _, s := range r.ShortNames {
			t.resources[s] = true
		}
		t.kinds[r.Kind] = true
		t.kinds[r.Kind+"List"] = true
	}
	for _, o := range others {
		if o.Name == crd.Name || o.Spec.Group != group {
			continue
		}
		n := o.Status.AcceptedNames
		for _, s := range append([]string{n.Plural, n.Singular}, n.ShortNames...) {
			if s != "" {
				t.resources[s] = true
			}
		}
		for _, k := range []string{n.Kind, n.ListKind} {
			if k != "" {
				t.kinds[k] = true
			}
		}
	}
	return t
}

// requestedNames are spec.names with Kubernetes' defaults (singular: the
// kind in lower case, listKind: <kind>List).
func requestedNames(crd *apiextensions.CustomResourceDefinition) apiextensions.CustomResourceDefinitionNames {
	n := crd.Spec.Names
	if n.Singular == "" {
		n.Singular = strings.ToLower(n.Kind)
	}
	if n.ListKind == "" && n.Kind != "" {
		n.ListKind = n.Kind + "List"
	}
	return n
}

// acceptNames decides the NamesAccepted condition: the requested names are
// accepted when none is taken; otherwise the names accepted before stay,
// with the first conflict as reason.
func acceptNames(crd *apiextensions.CustomResourceDefinition, taken takenNames) (apiextensions.CustomResourceDefinitionNames, apiextensions.CustomResourceDefinitionCondition) {
	want := requestedNames(crd)
	conflict := func(reason, name string) (apiextensions.CustomResourceDefinitionNames, apiextensions.CustomResourceDefinitionCondition) {
		return crd.Status.AcceptedNames, apiextensions.CustomResourceDefinitionCondition{
			Type: apiextensions.NamesAccepted, Status: core.ConditionFalse,
			Reason: reason, Message: fmt.Sprintf("%q is already in use", name)}
	}
	if taken.resources[want.Plural] {
		return conflict("PluralConflict", want.Plural)
	}
	if taken.resources[want.Singular] {
		return conflict("SingularConflict", want.Singular)
	}
	for _, s := range want.ShortNames {
		if taken.resources[s] {
			return conflict("ShortNamesConflict", s)
		}
	}
	if taken.kinds[want.Kind] {
		return conflict("KindConflict", want.Kind)
	}
	if taken.kinds[want.ListKind] {
		return conflict("ListKindConflict", want.ListKind)
	}
	return want, apiextensions.CustomResourceDefinitionCondition{
		Type: apiextensions.NamesAccepted, Status: core.ConditionTrue,
		Reason: "NoConflicts", Message: "no conflicts found"}
}

// desiredStatus is the status crd should have given the names others hold:
// acceptedNames and NamesAccepted; Established once the names are accepted
// (it then stays); the storage version in storedVersions; Terminating while
// it is being deleted.
func desiredStatus(crd *apiextensions.CustomResourceDefinition, taken takenNames, now meta.Time) apiextensions.CustomResourceDefinitionStatus {
	st := meta.DeepCopy(crd.Status)
	names, cond := acceptNames(crd, taken)
	st.AcceptedNames = names
	setCondition(&st, cond, now)
	if cond.Status == core.ConditionTrue {
		setCondition(&st, apiextensions.CustomResourceDefinitionCondition{
			Type: apiextensions.Established, Status: core.ConditionTrue,
			Reason: "InitialNamesAccepted", Message: "the initial names have been accepted"}, now)
	} else if c := st.Condition(apiextensions.Established); c == nil || c.Status != core.ConditionTrue {
		setCondition(&st, apiextensions.CustomResourceDefinitionCondition{
			Type: apiextensions.Established, Status: core.ConditionFalse,
			Reason: "NotAccepted", Message: "not all names are accepted"}, now)
	}
	if v := crd.StorageVersion(); v != "" && !slices.Contains(st.StoredVersions, v) {
		st.StoredVersions = append(st.StoredVersions, v)
	}
	if crd.DeletionTimestamp != nil {
		setCondition(&st, terminatingCondition(), now)
	}
	return st
}

func terminatingCondition() apiextensions.CustomResourceDefinitionCondition {
	return apiextensions.CustomResourceDefinitionCondition{
		Type: apiextensions.Terminating, Status: core.ConditionTrue,
		Reason: "InstanceDeletionInProgress", Message: "CustomResource deletion is in progress"}
}

// setCondition sets c in st; the transition time changes only when the
// status does, as Kubernetes' SetCRDCondition keeps it.
func setCondition(st *apiextensions.CustomResourceDefinitionStatus, c apiextensions.CustomResourceDefinitionCondition, now meta.Time) {
	if cur := st.Condition(c.Type); cur != nil {
		if cur.Status != c.Status {
			cur.LastTransitionTime = now
		}
		cur.Status, cur.Reason, cur.Message = c.Status, c.Reason, c.Message
		return
	}
	c.LastTransitionTime = now
	st.Conditions = append(st.Conditions, c)
}

// crdTerminating reports whether crd is being deleted.
func crdTerminating(crd *apiextensions.CustomResourceDefinition) bool {
	if crd.DeletionTimestamp != nil {
		return true
	}
	c := crd.Status.Condition(apiextensions.Terminating)
	return c != nil && c.Status == core.ConditionTrue
}
