package tableconvert

import (
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func init() {
	register("ControllerRevision", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Controller", "string", "Controller of the object"),
			col("Revision", "string", "Revision indicates the revision of the state represented by Data."),
			ageColumn,
		},
		Cells: typed(func(r *apps.ControllerRevision, now time.Time) []any {
			return []any{r.Name, controllerName(r.ControllerRef()), r.Revision, Age(r.CreationTimestamp, now)}
		}),
	})
}

// controllerName is kubectl's CONTROLLER cell: kind.group/name of the
// controller reference in lower case (kind/name for the core group),
// <none> without one.
func controllerName(ref *meta.OwnerReference) string {
	if ref == nil {
		return none
	}
	gk := ref.Kind
	if group, _, ok := strings.Cut(ref.APIVersion, "/"); ok && group != "" {
		gk += "." + group
	}
	return strings.ToLower(gk) + "/" + ref.Name
}
