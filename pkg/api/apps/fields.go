package apps

import (
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/fields"
)

// DeploymentFieldsSet is the selectable fields of a deployment.
func DeploymentFieldsSet(d *Deployment) fields.Set {
	return core.ObjectMetaFieldsSet(&d.ObjectMeta, true)
}

// ReplicaSetFieldsSet is the selectable fields of a replica set.
func ReplicaSetFieldsSet(rs *ReplicaSet) fields.Set {
	s := core.ObjectMetaFieldsSet(&rs.ObjectMeta, true)
	s["status.replicas"] = strconv.Itoa(int(rs.Status.Replicas))
	return s
}

// DaemonSetFieldsSet is the selectable fields of a daemon set.
func DaemonSetFieldsSet(ds *DaemonSet) fields.Set {
	return core.ObjectMetaFieldsSet(&ds.ObjectMeta, true)
}
