package validation

import (
	"encoding/json"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// ValidateStatefulSet checks a new stateful set as Kubernetes does. The
// name is a DNS label (pods are named <name>-<ordinal>).
func ValidateStatefulSet(ss *apps.StatefulSet) field.ErrorList {
	errs := ValidateObjectMeta(&ss.ObjectMeta, true, NameIsDNSLabel, field.NewPath("metadata"))
	return append(errs, validateStatefulSetSpec(ss, field.NewPath("spec"))...)
}

func validateStatefulSetSpec(ss *apps.StatefulSet, p *field.Path) field.ErrorList {
	s := &ss.Spec
	var errs field.ErrorList
	switch s.PodManagementPolicy {
	case "":
		errs = append(errs, field.Required(p.Child("podManagementPolicy"), ""))
	case apps.OrderedReadyPodManagement, apps.ParallelPodManagement:
	default:
		errs = append(errs, field.Invalid(p.Child("podManagementPolicy"), s.PodManagementPolicy, "must be 'OrderedReady' or 'Parallel'"))
	}
	up := p.Child("updateStrategy")
	switch s.UpdateStrategy.Type {
	case "":
		errs = append(errs, field.Required(up, ""))
	case apps.OnDeleteStatefulSetStrategyType:
		if s.UpdateStrategy.RollingUpdate != nil {
			errs = append(errs, field.Invalid(up.Child("rollingUpdate"), s.UpdateStrategy.RollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"))
		}
	case apps.RollingUpdateStatefulSetStrategyType:
		if ru := s.UpdateStrategy.RollingUpdate; ru != nil {
			errs = append(errs, validateStatefulSetRollingUpdate(ru, up.Child("rollingUpdate"))...)
		}
	default:
		errs = append(errs, field.Invalid(up, s.UpdateStrategy, "must be 'RollingUpdate' or 'OnDelete'"))
	}
	if rp := s.PersistentVolumeClaimRetentionPolicy; rp != nil {
		rpp := p.Child("persistentVolumeClaimRetentionPolicy")
		errs = append(errs, validateRetentionPolicyType(rp.WhenDeleted, rpp.Child("whenDeleted"))...)
		errs = append(errs, validateRetentionPolicyType(rp.WhenScaled, rpp.Child("whenScaled"))...)
	}
	errs = append(errs, validateReplicas(s.Replicas, p.Child("replicas"))...)
	errs = append(errs, ValidateNonnegativeField(int64(s.MinReadySeconds), p.Child("minReadySeconds"))...)
	if s.Ordinals != nil {
		errs = append(errs, ValidateNonnegativeField(int64(s.Ordinals.Start), p.Child("ordinals.start"))...)
	}
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*s.RevisionHistoryLimit), p.Child("revisionHistoryLimit"))...)
	}
	for i := range s.VolumeClaimTemplates {
		c := &s.VolumeClaimTemplates[i]
		cp := p.Child("volumeClaimTemplates").Index(i)
		if c.Name == "" {
			errs = append(errs, field.Required(cp.Child("metadata", "name"), "name or generateName is required"))
		} else {
			for _, msg := range NameIsDNSSubdomain(c.Name, false) {
				errs = append(errs, field.Invalid(cp.Child("metadata", "name"), c.Name, msg))
			}
		}
		errs = append(errs, validatePersistentVolumeClaimSpec(&c.Spec, cp.Child("spec"))...)
	}
	tp := p.Child("template")
	errs = append(errs, validateSelectorMatchesTemplate(s.Selector, s.Template.Labels, p.Child("selector"), tp.Child("metadata", "labels"), "statefulset")...)
	// The pod spec is checked with the claim templates' volumes added, as
	// the controller makes the pods, so mounts of a claim resolve.
	errs = append(errs, ValidatePodTemplateSpec(apps.WithClaimVolumes(ss, &s.Template, 0), tp)...)
	if rp := s.Template.Spec.RestartPolicy; rp != core.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), rp, []string{"Always"}))
	}
	if s.Template.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(tp.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in StatefulSet is not Supported"))
	}
	return errs
}

func validateStatefulSetRollingUpdate(ru *apps.RollingUpdateStatefulSetStrategy, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if ru.Partition != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*ru.Partition), p.Child("partition"))...)
	}
	if mu := ru.MaxUnavailable; mu != nil {
		mp := p.Child("maxUnavailable")
		errs = append(errs, validateIntOrPercent(mu, mp)...)
		if v, err := intstr.GetScaledValueFromIntOrPercent(mu, 100, true); err == nil && v == 0 {
			errs = append(errs, field.Invalid(mp, printable(mu), "cannot be 0"))
		}
	}
	return errs
}

func validateRetentionPolicyType(t apps.PersistentVolumeClaimRetentionPolicyType, p *field.Path) field.ErrorList {
	switch t {
	case apps.RetainPersistentVolumeClaimRetentionPolicyType, apps.DeletePersistentVolumeClaimRetentionPolicyType:
		return nil
	}
	return field.ErrorList{field.NotSupported(p, t, []string{"Retain", "Delete"})}
}

// ValidateStatefulSetUpdate checks a stateful set update: the new spec
// must be valid and only replicas, ordinals, template, updateStrategy,
// revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and
// minReadySeconds may change.
func ValidateStatefulSetUpdate(newSS, oldSS *apps.StatefulSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newSS.ObjectMeta, &oldSS.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateStatefulSetSpec(newSS, field.NewPath("spec"))...)
	clone := meta.DeepCopy(newSS.Spec)
	o := &oldSS.Spec
	clone.Replicas, clone.Template, clone.UpdateStrategy = o.Replicas, o.Template, o.UpdateStrategy
	clone.MinReadySeconds, clone.Ordinals, clone.RevisionHistoryLimit = o.MinReadySeconds, o.Ordinals, o.RevisionHistoryLimit
	clone.PersistentVolumeClaimRetentionPolicy = o.PersistentVolumeClaimRetentionPolicy
	if !sameSpecJSON(&clone, o) {
		errs = append(errs, field.Forbidden(field.NewPath("spec"), "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
	}
	return errs
}

// ValidateStatefulSetStatusUpdate checks a statefulsets/status write.
func ValidateStatefulSetStatusUpdate(newSS, oldSS *apps.StatefulSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newSS.ObjectMeta, &oldSS.ObjectMeta, field.NewPath("metadata"))
	s := newSS.Status
	p := field.NewPath("status")
	errs = append(errs, validateCounts(p, map[string]int64{
		"replicas": int64(s.Replicas), "readyReplicas": int64(s.ReadyReplicas), "currentReplicas": int64(s.CurrentReplicas),
		"updatedReplicas": int64(s.UpdatedReplicas), "availableReplicas": int64(s.AvailableReplicas), "observedGeneration": s.ObservedGeneration,
	})...)
	if s.CollisionCount != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*s.CollisionCount), p.Child("collisionCount"))...)
	}
	for _, c := range []struct {
		name string
		v    int32
	}{{"readyReplicas", s.ReadyReplicas}, {"currentReplicas", s.CurrentReplicas}, {"updatedReplicas", s.UpdatedReplicas}} {
		if c.v > s.Replicas {
			errs = append(errs, field.Invalid(p.Child(c.name), c.v, "cannot be greater than status.replicas"))
		}
	}
	if s.AvailableReplicas > s.ReadyReplicas {
		errs = append(errs, field.Invalid(p.Child("availableReplicas"), s.AvailableReplicas, "cannot be greater than status.readyReplicas"))
	}
	return errs
}

// sameSpecJSON compares two specs by their JSON (the raw claim templates
// may be spelled differently once stored).
func sameSpecJSON(a, b *apps.StatefulSetSpec) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && meta.SameJSON(ja, jb)
}
