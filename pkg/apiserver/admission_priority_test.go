package apiserver

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/scheduling"
)

func TestResolvePodPriority(t *testing.T) {
	never, lower := core.PreemptNever, core.PreemptLowerPriority
	class := func(name string, value int32, def bool, p *core.PreemptionPolicy) *scheduling.PriorityClass {
		return &scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: name}, Value: value, GlobalDefault: def, PreemptionPolicy: p}
	}
	high := class("high", 1000, false, &lower)
	batch := class("batch", 10, false, &never)
	defA, defB := class("def-a", 50, true, &lower), class("def-b", 20, true, &never)
	for _, tc := range []struct {
		name      string
		spec      core.PodSpec
		classes   []*scheduling.PriorityClass
		wantClass string
		wantPrio  int32
		wantPol   core.PreemptionPolicy
		wantErr   string
	}{
		{name: "named class", spec: core.PodSpec{PriorityClassName: "high"}, classes: []*scheduling.PriorityClass{high, batch},
			wantClass: "high", wantPrio: 1000, wantPol: lower},
		{name: "class with Never", spec: core.PodSpec{PriorityClassName: "batch"}, classes: []*scheduling.PriorityClass{high, batch},
			wantClass: "batch", wantPrio: 10, wantPol: never},
		{name: "no class, no default", classes: []*scheduling.PriorityClass{high}, wantPrio: 0, wantPol: lower},
		{name: "no class, lowest global default", classes: []*scheduling.PriorityClass{high, defA, defB},
			wantClass: "def-b", wantPrio: 20, wantPol: never},
		{name: "unknown class", spec: core.PodSpec{PriorityClassName: "nope"}, classes: []*scheduling.PriorityClass{high},
			wantErr: "no PriorityClass with name nope was found"},
		{name: "matching priority given", spec: core.PodSpec{PriorityClassName: "high", Priority: meta.Ptr(int32(1000))},
			classes: []*scheduling.PriorityClass{high}, wantClass: "high", wantPrio: 1000, wantPol: lower},
		{name: "priority given without class", spec: core.PodSpec{Priority: meta.Ptr(int32(7))},
			wantErr: "the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name"},
		{name: "other preemption policy", spec: core.PodSpec{PriorityClassName: "high", PreemptionPolicy: &never},
			classes: []*scheduling.PriorityClass{high},
			wantErr: "the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			err := ResolvePodPriority(&spec, tc.classes)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if spec.PriorityClassName != tc.wantClass || spec.Priority == nil || *spec.Priority != tc.wantPrio ||
				spec.PreemptionPolicy == nil || *spec.PreemptionPolicy != tc.wantPol {
				t.Errorf("got class %q priority %v policy %v, want %q %d %s", spec.PriorityClassName, spec.Priority,
					spec.PreemptionPolicy, tc.wantClass, tc.wantPrio, tc.wantPol)
			}
		})
	}
}

func TestCheckSingleGlobalDefault(t *testing.T) {
	existing := []*scheduling.PriorityClass{
		{ObjectMeta: meta.ObjectMeta{Name: "plain"}, Value: 1},
		{ObjectMeta: meta.ObjectMeta{Name: "def"}, Value: 2, GlobalDefault: true},
	}
	for _, tc := range []struct {
		name    string
		pc      scheduling.PriorityClass
		classes []*scheduling.PriorityClass
		wantErr string
	}{
		{"not default", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "x"}}, existing, ""},
		{"first default", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "x"}, GlobalDefault: true}, existing[:1], ""},
		{"same class again", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "def"}, GlobalDefault: true}, existing, ""},
		{"second default", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "x"}, GlobalDefault: true}, existing,
			"PriorityClass def is already marked as default. Only one default can exist"},
	} {
		err := CheckSingleGlobalDefault(&tc.pc, tc.classes)
		if got := priorityErrString(err); got != tc.wantErr {
			t.Errorf("%s: err = %q, want %q", tc.name, got, tc.wantErr)
		}
	}
}

func priorityErrString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
