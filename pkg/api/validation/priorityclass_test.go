package validation

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/scheduling"
)

func TestValidatePriorityClass(t *testing.T) {
	bad := core.PreemptionPolicy("Sometimes")
	for _, tc := range []struct {
		name string
		pc   scheduling.PriorityClass
		want string // a substring of the joined messages; "" = valid
	}{
		{"user class", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "high"}, Value: 1000}, ""},
		{"highest user value", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "top"}, Value: 1000000000}, ""},
		{"negative", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "low"}, Value: -10}, ""},
		{"too high", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "top"}, Value: 1000000001},
			"value: Forbidden: maximum allowed value of a user defined priority is 1000000000"},
		{"system class", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "system-node-critical"}, Value: 2000001000}, ""},
		{"system class wrong value", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "system-cluster-critical"}, Value: 5},
			"metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-cluster-critical PriorityClass must be 2000000000"},
		{"unknown system name", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "system-mine"}, Value: 5},
			"system-mine is not a known system priority class"},
		{"system class as default", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "system-node-critical"}, Value: 2000001000, GlobalDefault: true},
			"globalDefault of system-node-critical PriorityClass must be false"},
		{"bad policy", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "p"}, PreemptionPolicy: &bad},
			"preemptionPolicy: Unsupported value: \"Sometimes\""},
		{"bad name", scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "Not_OK"}}, "metadata.name: Invalid value"},
	} {
		errs := ValidatePriorityClass(&tc.pc)
		got := strings.Join(messagesOf(errs), "; ")
		if (tc.want == "") != (len(errs) == 0) || !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
	for _, pc := range scheduling.SystemPriorityClasses() {
		if errs := ValidatePriorityClass(pc); len(errs) > 0 {
			t.Errorf("built-in %s: %v", pc.Name, errs)
		}
	}
}

func TestValidatePriorityClassUpdate(t *testing.T) {
	never := core.PreemptNever
	old := scheduling.PriorityClass{ObjectMeta: meta.ObjectMeta{Name: "high", ResourceVersion: "1"}, Value: 1000}
	scheduling.DefaultPriorityClass(&old)
	for _, tc := range []struct {
		name   string
		mutate func(*scheduling.PriorityClass)
		want   string
	}{
		{"description", func(pc *scheduling.PriorityClass) { pc.Description = "now described" }, ""},
		{"global default", func(pc *scheduling.PriorityClass) { pc.GlobalDefault = true }, ""},
		{"value", func(pc *scheduling.PriorityClass) { pc.Value = 2 }, "value: Forbidden: may not be changed in an update."},
		{"policy", func(pc *scheduling.PriorityClass) { pc.PreemptionPolicy = &never }, "preemptionPolicy: Invalid value: \"Never\": field is immutable"},
	} {
		pc := old
		tc.mutate(&pc)
		errs := ValidatePriorityClassUpdate(&pc, &old)
		got := strings.Join(messagesOf(errs), "; ")
		if (tc.want == "") != (len(errs) == 0) || !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
}
