package tableconvert

import (
	"fmt"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
)

func init() {
	// kubectl's StatefulSet columns: no selector among the wide ones.
	register("StatefulSet", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Ready", "string", "Number of the pod with ready state"),
			ageColumn,
			templateColumns[0], templateColumns[1],
		},
		Cells: typed(func(ss *apps.StatefulSet, now time.Time) []any {
			c, i := containersAndImages(ss.Spec.Template.Spec)
			return []any{ss.Name, fmt.Sprintf("%d/%d", ss.Status.ReadyReplicas, replicas(ss.Spec.Replicas)),
				Age(ss.CreationTimestamp, now), c, i}
		}),
	})
}
