package tableconvert

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
)

func init() {
	register("ServiceAccount", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
			ageColumn,
		},
		Cells: typed(func(sa *core.ServiceAccount, now time.Time) []any {
			return []any{sa.Name, int64(len(sa.Secrets)), Age(sa.CreationTimestamp, now)}
		}),
	})
}
