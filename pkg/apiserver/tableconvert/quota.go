package tableconvert

import (
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
)

func init() {
	// kubectl's columns: a quota's REQUEST and LIMIT read "used/hard" per
	// resource; a limit range prints only when it was created.
	register("ResourceQuota", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			ageColumn,
			col("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
			col("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
		},
		Cells: typed(resourceQuotaCells),
	})
	register("LimitRange", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Created At", "date", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
		},
		Cells: typed(func(lr *core.LimitRange, _ time.Time) []any {
			return []any{lr.Name, lr.CreationTimestamp.UTC().Format(time.RFC3339)}
		}),
	})
}

// resourceQuotaCells: "pods: 1/10, requests.cpu: 500m/1" over status.hard
// sorted by name, limits.* resources in the LIMIT column.
func resourceQuotaCells(q *core.ResourceQuota, now time.Time) []any {
	names := make([]string, 0, len(q.Status.Hard))
	for n := range q.Status.Hard {
		names = append(names, string(n))
	}
	slices.Sort(names)
	var req, lim []string
	for _, n := range names {
		used, hard := q.Status.Used[core.ResourceName(n)], q.Status.Hard[core.ResourceName(n)]
		cell := n + ": " + used.String() + "/" + hard.String()
		if strings.HasPrefix(n, "limits.") {
			lim = append(lim, cell)
		} else {
			req = append(req, cell)
		}
	}
	return []any{q.Name, Age(q.CreationTimestamp, now), strings.Join(req, ", "), strings.Join(lim, ", ")}
}
