package coordination

import (
	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// LeaseFieldsSet is the selectable fields of a lease.
func LeaseFieldsSet(l *Lease) fields.Set {
	return fields.Set{"metadata.name": l.Name, "metadata.namespace": l.Namespace}
}

var _ meta.Object = &Lease{}
