package tableconvert

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func init() {
	// CustomResourceDefinitions print as Kubernetes' apiextensions-apiserver
	// prints them, with the generic columns of a resource that has no
	// printer of its own: NAME and CREATED AT (RFC 3339, UTC).
	register("CustomResourceDefinition", Printer{
		Columns: []ColumnDefinition{createdAtNameColumn, createdAtColumn},
		Cells:   createdAtCells,
	})
}

var (
	createdAtNameColumn = ColumnDefinition{Name: "Name", Type: "string", Format: "name",
		Description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"}
	createdAtColumn = ColumnDefinition{Name: "Created At", Type: "date",
		Description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"}
)

// createdAtCells: the name and the creation time in RFC 3339.
func createdAtCells(obj meta.Object, _ time.Time) []any {
	m := obj.GetObjectMeta()
	return []any{m.Name, m.CreationTimestamp.UTC().Format(time.RFC3339)}
}
