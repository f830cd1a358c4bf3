package tableconvert

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

func init() {
	register("PodDisruptionBudget", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Min Available", "string", "The minimum number of pods that must be available."),
			col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
			col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
			ageColumn,
		},
		Cells: typed(func(p *policy.PodDisruptionBudget, now time.Time) []any {
			return []any{p.Name, intOrPercentOrNA(p.Spec.MinAvailable), intOrPercentOrNA(p.Spec.MaxUnavailable),
				int64(p.Status.DisruptionsAllowed), Age(p.CreationTimestamp, now)}
		}),
	})
}

// intOrPercentOrNA renders a budget bound as kubectl does: the number or
// percentage, "N/A" when unset.
func intOrPercentOrNA(v *intstr.IntOrString) string {
	if v == nil {
		return "N/A"
	}
	return v.String()
}
