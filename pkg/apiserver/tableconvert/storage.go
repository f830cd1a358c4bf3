package tableconvert

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/storage"
)

func init() {
	// kubectl's columns for volumes, claims and classes (no volume
	// attributes classes in tinykube: that column reads <unset>).
	register("PersistentVolume", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity."),
			col("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
			col("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
			col("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
			col("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
			col("StorageClass", "string", "StorageClass of the pv"),
			col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
			col("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
			ageColumn,
			wide("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state."),
		},
		Cells: typed(persistentVolumeCells),
	})
	register("PersistentVolumeClaim", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
			col("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."),
			col("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
			col("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has."),
			col("StorageClass", "string", "StorageClass of the pvc"),
			col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
			ageColumn,
			wide("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim."),
		},
		Cells: typed(persistentVolumeClaimCells),
	})
	register("StorageClass", Printer{
		Columns: []ColumnDefinition{
			nameColumn,
			col("Provisioner", "string", "provisioner indicates the type of the provisioner."),
			col("ReclaimPolicy", "string", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."),
			col("VolumeBindingMode", "string", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
			col("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand."),
			ageColumn,
		},
		Cells: typed(storageClassCells),
	})
}

const unset = "<unset>"

func persistentVolumeCells(pv *core.PersistentVolume, now time.Time) []any {
	claim := ""
	if r := pv.Spec.ClaimRef; r != nil {
		claim = r.Namespace + "/" + r.Name
	}
	phase := string(pv.Status.Phase)
	if pv.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	size := pv.Spec.Capacity[core.ResourceStorage]
	return []any{pv.Name, size.String(), AccessModesString(pv.Spec.AccessModes), string(pv.Spec.PersistentVolumeReclaimPolicy),
		phase, claim, pv.Spec.StorageClassName, unset, pv.Status.Reason, Age(pv.CreationTimestamp, now), volumeModeString(pv.Spec.VolumeMode)}
}

func persistentVolumeClaimCells(c *core.PersistentVolumeClaim, now time.Time) []any {
	phase := string(c.Status.Phase)
	if c.DeletionTimestamp != nil {
		phase = "Terminating"
	}
	capacity, modes := "", ""
	if c.Spec.VolumeName != "" {
		modes = AccessModesString(c.Status.AccessModes)
		size := c.Status.Capacity[core.ResourceStorage]
		capacity = size.String()
	}
	return []any{c.Name, phase, c.Spec.VolumeName, capacity, modes, core.StorageClassOfClaim(c), unset,
		Age(c.CreationTimestamp, now), volumeModeString(c.Spec.VolumeMode)}
}

func storageClassCells(sc *storage.StorageClass, now time.Time) []any {
	name := sc.Name
	if storage.IsDefaultAnnotation(sc) {
		name += " (default)"
	}
	reclaim := string(core.PersistentVolumeReclaimDelete)
	if sc.ReclaimPolicy != nil {
		reclaim = string(*sc.ReclaimPolicy)
	}
	expansion := sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion
	return []any{name, sc.Provisioner, reclaim, string(storage.BindingMode(sc)), strconv.FormatBool(expansion), Age(sc.CreationTimestamp, now)}
}

// AccessModesString abbreviates access modes as kubectl does (RWO, ROX,
// RWX, RWOP), in that order, each once.
func AccessModesString(modes []core.PersistentVolumeAccessMode) string {
	var out []string
	for _, m := range []struct {
		mode core.PersistentVolumeAccessMode
		abbr string
	}{{core.ReadWriteOnce, "RWO"}, {core.ReadOnlyMany, "ROX"}, {core.ReadWriteMany, "RWX"}, {core.ReadWriteOncePod, "RWOP"}} {
		if slices.Contains(modes, m.mode) {
			out = append(out, m.abbr)
		}
	}
	return strings.Join(out, ",")
}

func volumeModeString(m *core.PersistentVolumeMode) string {
	if m == nil {
		return unset
	}
	return string(*m)
}
