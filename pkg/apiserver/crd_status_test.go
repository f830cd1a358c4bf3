package apiserver

import (
	"slices"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

func testCRD(name, group, plural, kind string, short ...string) *apiextensions.CustomResourceDefinition {
	return &apiextensions.CustomResourceDefinition{
		ObjectMeta: meta.ObjectMeta{Name: plural + "." + group},
		Spec: apiextensions.CustomResourceDefinitionSpec{Group: group, Scope: apiextensions.NamespaceScoped,
			Names:    apiextensions.CustomResourceDefinitionNames{Plural: plural, Kind: kind, ShortNames: short},
			Versions: []apiextensions.CustomResourceDefinitionVersion{{Name: "v1", Served: true, Storage: true}}},
	}
}

func accepted(crd *apiextensions.CustomResourceDefinition) *apiextensions.CustomResourceDefinition {
	crd.Status.AcceptedNames = requestedNames(crd)
	return crd
}

func renamed(crd *apiextensions.CustomResourceDefinition, name string) *apiextensions.CustomResourceDefinition {
	crd.Name = name
	return crd
}

func singular(crd *apiextensions.CustomResourceDefinition, s string) *apiextensions.CustomResourceDefinition {
	crd.Status.AcceptedNames.Singular = s
	return crd
}

func TestDesiredStatus(t *testing.T) {
	now := meta.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	builtins := registry.Default().All()
	tests := []struct {
		name        string
		crd         *apiextensions.CustomResourceDefinition
		others      []*apiextensions.CustomResourceDefinition
		wantNames   core.ConditionStatus
		wantReason  string
		established core.ConditionStatus
	}{
		{name: "no conflicts", crd: testCRD("", "stable.example.com", "crontabs", "CronTab", "ct"),
			wantNames: core.ConditionTrue, wantReason: "NoConflicts", established: core.ConditionTrue},
		{name: "plural taken by another CRD", crd: testCRD("", "stable.example.com", "crontabs", "CronTab"),
			others:    []*apiextensions.CustomResourceDefinition{renamed(accepted(testCRD("", "stable.example.com", "crontabs", "Other")), "old.stable.example.com")},
			wantNames: core.ConditionFalse, wantReason: "PluralConflict", established: core.ConditionFalse},
		{name: "short name taken", crd: testCRD("", "stable.example.com", "crontabs", "CronTab", "ct"),
			others:    []*apiextensions.CustomResourceDefinition{accepted(testCRD("", "stable.example.com", "others", "Other", "ct"))},
			wantNames: core.ConditionFalse, wantReason: "ShortNamesConflict", established: core.ConditionFalse},
		{name: "kind taken", crd: testCRD("", "stable.example.com", "crontabs", "CronTab"),
			others:    []*apiextensions.CustomResourceDefinition{singular(accepted(testCRD("", "stable.example.com", "others", "CronTab")), "other")},
			wantNames: core.ConditionFalse, wantReason: "KindConflict", established: core.ConditionFalse},
		{name: "another group does not conflict", crd: testCRD("", "stable.example.com", "crontabs", "CronTab"),
			others:    []*apiextensions.CustomResourceDefinition{accepted(testCRD("", "other.example.com", "crontabs", "CronTab"))},
			wantNames: core.ConditionTrue, wantReason: "NoConflicts", established: core.ConditionTrue},
		{name: "built-in plural of the group", crd: testCRD("", "apps", "deployments", "MyDeployment"),
			wantNames: core.ConditionFalse, wantReason: "PluralConflict", established: core.ConditionFalse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := desiredStatus(tc.crd, namesTaken(tc.crd, builtins, tc.others), now)
			c := st.Condition(apiextensions.NamesAccepted)
			if c == nil || c.Status != tc.wantNames || c.Reason != tc.wantReason {
				t.Fatalf("NamesAccepted = %+v, want %s %s", c, tc.wantNames, tc.wantReason)
			}
			if e := st.Condition(apiextensions.Established); e == nil || e.Status != tc.established {
				t.Fatalf("Established = %+v, want %s", e, tc.established)
			}
			if tc.wantNames == core.ConditionTrue && (st.AcceptedNames.ListKind != tc.crd.Spec.Names.Kind+"List" || st.AcceptedNames.Singular == "") {
				t.Errorf("acceptedNames %+v lack the defaults", st.AcceptedNames)
			}
			if !slices.Equal(st.StoredVersions, []string{"v1"}) {
				t.Errorf("storedVersions %v", st.StoredVersions)
			}
		})
	}
}

func TestDesiredStatusKeepsTransitionTimesAndEstablished(t *testing.T) {
	t0 := meta.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := meta.NewTime(t0.Add(time.Hour))
	crd := testCRD("", "stable.example.com", "crontabs", "CronTab")
	crd.Status = desiredStatus(crd, namesTaken(crd, nil, nil), t0)
	// Later another CRD takes the kind: names are no longer accepted, but
	// the resource stays established, and the time of Established stays.
	other := accepted(testCRD("", "stable.example.com", "others", "CronTab"))
	st := desiredStatus(crd, namesTaken(crd, nil, []*apiextensions.CustomResourceDefinition{other}), t1)
	if c := st.Condition(apiextensions.NamesAccepted); c.Status != core.ConditionFalse || !c.LastTransitionTime.Equal(t1.Time) {
		t.Errorf("NamesAccepted %+v", c)
	}
	if e := st.Condition(apiextensions.Established); e.Status != core.ConditionTrue || !e.LastTransitionTime.Equal(t0.Time) {
		t.Errorf("Established %+v", e)
	}
	if st.AcceptedNames.Kind != "CronTab" || st.AcceptedNames.Plural != "crontabs" {
		t.Errorf("accepted names changed: %+v", st.AcceptedNames)
	}
	crd.DeletionTimestamp = &t1
	st = desiredStatus(crd, namesTaken(crd, nil, nil), t1)
	if c := st.Condition(apiextensions.Terminating); c == nil || c.Reason != "InstanceDeletionInProgress" {
		t.Errorf("Terminating %+v", c)
	}
}

func TestCompareKubeAwareVersions(t *testing.T) {
	in := []string{"foo10", "v1alpha1", "v1", "v11alpha2", "v2", "foo1", "v1beta1", "v10beta3", "v3beta1", "v12alpha1", "v10", "v11beta2"}
	slices.SortFunc(in, func(a, b string) int { return CompareKubeAwareVersions(b, a) })
	want := []string{"v10", "v2", "v1", "v11beta2", "v10beta3", "v3beta1", "v1beta1", "v12alpha1", "v11alpha2", "v1alpha1", "foo1", "foo10"}
	if !slices.Equal(in, want) {
		t.Errorf("order %v, want %v", in, want)
	}
}
