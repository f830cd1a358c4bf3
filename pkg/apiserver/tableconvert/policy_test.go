package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

func TestPodDisruptionBudgetTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	created := meta.NewTime(now.Add(-90 * time.Second))
	minTwo, maxHalf := intstr.FromInt(2), intstr.FromString("50%")
	p := For("PodDisruptionBudget")
	var names []string
	for _, c := range p.Columns {
		names = append(names, c.Name)
	}
	if want := []string{"Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("columns = %v, want %v", names, want)
	}
	for _, tc := range []struct {
		name string
		pdb  *policy.PodDisruptionBudget
		want []any
	}{
		{"min", &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: "a", CreationTimestamp: created},
			Spec: policy.PodDisruptionBudgetSpec{MinAvailable: &minTwo}, Status: policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 1}},
			[]any{"a", "2", "N/A", int64(1), "90s"}},
		{"max percent", &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: "b", CreationTimestamp: created},
			Spec: policy.PodDisruptionBudgetSpec{MaxUnavailable: &maxHalf}},
			[]any{"b", "N/A", "50%", int64(0), "90s"}},
		{"neither", &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: "c"}},
			[]any{"c", "N/A", "N/A", int64(0), "<unknown>"}},
	} {
		if got := p.Cells(tc.pdb, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, tc.want)
		}
	}
}
