package validation

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// validateControllerTemplate checks the selector/template pair of a
// Deployment, ReplicaSet or DaemonSet: selector present and matching the
// template labels, restartPolicy Always, no activeDeadlineSeconds.
func validateControllerTemplate(sel *meta.LabelSelector, tmpl *core.PodTemplateSpec, p *field.Path, kind string) field.ErrorList {
	tp := p.Child("template")
	errs := validateSelectorMatchesTemplate(sel, tmpl.Labels, p.Child("selector"), tp.Child("metadata", "labels"), kind)
	errs = append(errs, ValidatePodTemplateSpec(tmpl, tp)...)
	if rp := tmpl.Spec.RestartPolicy; rp != core.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), rp, []string{"Always"}))
	}
	if tmpl.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(tp.Child("spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in "+kind+" is not Supported"))
	}
	return errs
}

func validateReplicas(r *int32, p *field.Path) field.ErrorList {
	if r == nil {
		return nil
	}
	return ValidateNonnegativeField(int64(*r), p)
}

// validateIntOrPercent requires a non-negative int or "N%" with N >= 0.
func validateIntOrPercent(v *intstr.IntOrString, p *field.Path) field.ErrorList {
	if v == nil {
		return nil
	}
	if v.Type == intstr.Int {
		return ValidateNonnegativeField(int64(v.IntVal), p)
	}
	n, ok := strings.CutSuffix(v.StrVal, "%")
	i, err := strconv.Atoi(n)
	if !ok || err != nil {
		return field.ErrorList{field.Invalid(p, v.StrVal, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")}
	}
	if i < 0 {
		return field.ErrorList{field.Invalid(p, v.StrVal, "must be greater than or equal to 0")}
	}
	if i > 100 {
		return field.ErrorList{field.Invalid(p, v.StrVal, "must not be greater than 100%")}
	}
	return nil
}

func isZeroIntOrPercent(v *intstr.IntOrString) bool {
	if v == nil {
		return true
	}
	val, err := intstr.GetScaledValueFromIntOrPercent(v, 100, true)
	return err == nil && val == 0
}

func validateRollingUpdate(maxUnavailable, maxSurge *intstr.IntOrString, p *field.Path) field.ErrorList {
	errs := validateIntOrPercent(maxUnavailable, p.Child("maxUnavailable"))
	errs = append(errs, validateIntOrPercent(maxSurge, p.Child("maxSurge"))...)
	if isZeroIntOrPercent(maxUnavailable) && isZeroIntOrPercent(maxSurge) {
		errs = append(errs, field.Invalid(p.Child("maxUnavailable"), printable(maxUnavailable), "may not be 0 when `maxSurge` is 0"))
	}
	return errs
}

// ValidateDeployment checks a new deployment.
func ValidateDeployment(d *apps.Deployment) field.ErrorList {
	errs := ValidateObjectMeta(&d.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateDeploymentSpec(&d.Spec, field.NewPath("spec"))...)
}

func validateDeploymentSpec(s *apps.DeploymentSpec, p *field.Path) field.ErrorList {
	errs := validateReplicas(s.Replicas, p.Child("replicas"))
	errs = append(errs, validateControllerTemplate(s.Selector, &s.Template, p, "deployment")...)
	sp := p.Child("strategy")
	switch s.Strategy.Type {
	case apps.RecreateDeploymentStrategyType:
		if s.Strategy.RollingUpdate != nil {
			errs = append(errs, field.Forbidden(sp.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"))
		}
	case apps.RollingUpdateDeploymentStrategyType:
		if s.Strategy.RollingUpdate == nil {
			errs = append(errs, field.Required(sp.Child("rollingUpdate"), "this should be defaulted and never be nil"))
		} else {
			errs = append(errs, validateRollingUpdate(s.Strategy.RollingUpdate.MaxUnavailable, s.Strategy.RollingUpdate.MaxSurge, sp.Child("rollingUpdate"))...)
		}
	default:
		errs = append(errs, field.NotSupported(sp.Child("type"), s.Strategy.Type, []string{"Recreate", "RollingUpdate"}))
	}
	errs = append(errs, ValidateNonnegativeField(int64(s.MinReadySeconds), p.Child("minReadySeconds"))...)
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*s.RevisionHistoryLimit), p.Child("revisionHistoryLimit"))...)
	}
	if pd := s.ProgressDeadlineSeconds; pd != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*pd), p.Child("progressDeadlineSeconds"))...)
		if *pd <= s.MinReadySeconds {
			errs = append(errs, field.Invalid(p.Child("progressDeadlineSeconds"), *pd, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

// ValidateDeploymentUpdate checks a deployment update; the selector is immutable.
func ValidateDeploymentUpdate(newD, oldD *apps.Deployment) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newD.ObjectMeta, &oldD.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateDeploymentSpec(&newD.Spec, field.NewPath("spec"))...)
	return append(errs, ValidateImmutableField(newD.Spec.Selector, oldD.Spec.Selector, field.NewPath("spec", "selector"))...)
}

// ValidateDeploymentStatusUpdate checks a deployments/status write.
func ValidateDeploymentStatusUpdate(newD, oldD *apps.Deployment) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newD.ObjectMeta, &oldD.ObjectMeta, field.NewPath("metadata"))
	s := newD.Status
	p := field.NewPath("status")
	errs = append(errs, validateCounts(p, map[string]int64{
		"observedGeneration": s.ObservedGeneration, "replicas": int64(s.Replicas), "updatedReplicas": int64(s.UpdatedReplicas),
		"readyReplicas": int64(s.ReadyReplicas), "availableReplicas": int64(s.AvailableReplicas), "unavailableReplicas": int64(s.UnavailableReplicas),
	})...)
	if s.AvailableReplicas > s.Replicas {
		errs = append(errs, field.Invalid(p.Child("availableReplicas"), s.AvailableReplicas, "cannot be greater than status.replicas"))
	}
	if s.ReadyReplicas > s.Replicas {
		errs = append(errs, field.Invalid(p.Child("readyReplicas"), s.ReadyReplicas, "cannot be greater than status.replicas"))
	}
	if s.CollisionCount != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*s.CollisionCount), p.Child("collisionCount"))...)
	}
	return errs
}

// validateCounts requires every named count to be >= 0, in name order.
func validateCounts(p *field.Path, counts map[string]int64) field.ErrorList {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs field.ErrorList
	for _, k := range keys {
		errs = append(errs, ValidateNonnegativeField(counts[k], p.Child(k))...)
	}
	return errs
}

// ValidateReplicaSet checks a new replica set.
func ValidateReplicaSet(rs *apps.ReplicaSet) field.ErrorList {
	errs := ValidateObjectMeta(&rs.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateReplicaSetSpec(&rs.Spec, field.NewPath("spec"))...)
}

func validateReplicaSetSpec(s *apps.ReplicaSetSpec, p *field.Path) field.ErrorList {
	errs := validateReplicas(s.Replicas, p.Child("replicas"))
	errs = append(errs, ValidateNonnegativeField(int64(s.MinReadySeconds), p.Child("minReadySeconds"))...)
	return append(errs, validateControllerTemplate(s.Selector, &s.Template, p, "replicaset")...)
}

// ValidateReplicaSetUpdate checks a replica set update; the selector is immutable.
func ValidateReplicaSetUpdate(newRS, oldRS *apps.ReplicaSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newRS.ObjectMeta, &oldRS.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateReplicaSetSpec(&newRS.Spec, field.NewPath("spec"))...)
	return append(errs, ValidateImmutableField(newRS.Spec.Selector, oldRS.Spec.Selector, field.NewPath("spec", "selector"))...)
}

// ValidateReplicaSetStatusUpdate checks a replicasets/status write.
func ValidateReplicaSetStatusUpdate(newRS, oldRS *apps.ReplicaSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newRS.ObjectMeta, &oldRS.ObjectMeta, field.NewPath("metadata"))
	s := newRS.Status
	p := field.NewPath("status")
	errs = append(errs, validateCounts(p, map[string]int64{
		"replicas": int64(s.Replicas), "fullyLabeledReplicas": int64(s.FullyLabeledReplicas), "readyReplicas": int64(s.ReadyReplicas),
		"availableReplicas": int64(s.AvailableReplicas), "observedGeneration": s.ObservedGeneration,
	})...)
	for _, c := range []struct {
		name string
		v    int32
	}{{"fullyLabeledReplicas", s.FullyLabeledReplicas}, {"readyReplicas", s.ReadyReplicas}, {"availableReplicas", s.AvailableReplicas}} {
		if c.v > s.Replicas {
			errs = append(errs, field.Invalid(p.Child(c.name), c.v, "cannot be greater than status.replicas"))
		}
	}
	if s.AvailableReplicas > s.ReadyReplicas {
		errs = append(errs, field.Invalid(p.Child("availableReplicas"), s.AvailableReplicas, "cannot be greater than readyReplicas"))
	}
	return errs
}

// ValidateDaemonSet checks a new daemon set.
func ValidateDaemonSet(ds *apps.DaemonSet) field.ErrorList {
	errs := ValidateObjectMeta(&ds.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateDaemonSetSpec(&ds.Spec, field.NewPath("spec"))...)
}

func validateDaemonSetSpec(s *apps.DaemonSetSpec, p *field.Path) field.ErrorList {
	errs := validateControllerTemplate(s.Selector, &s.Template, p, "daemonset")
	errs = append(errs, ValidateNonnegativeField(int64(s.MinReadySeconds), p.Child("minReadySeconds"))...)
	if s.RevisionHistoryLimit != nil {
		errs = append(errs, ValidateNonnegativeField(int64(*s.RevisionHistoryLimit), p.Child("revisionHistoryLimit"))...)
	}
	up := p.Child("updateStrategy")
	switch s.UpdateStrategy.Type {
	case apps.OnDeleteDaemonSetStrategyType:
	case apps.RollingUpdateDaemonSetStrategyType:
		if ru := s.UpdateStrategy.RollingUpdate; ru == nil {
			errs = append(errs, field.Required(up.Child("rollingUpdate"), ""))
		} else {
			errs = append(errs, validateRollingUpdate(ru.MaxUnavailable, ru.MaxSurge, up.Child("rollingUpdate"))...)
		}
	default:
		errs = append(errs, field.NotSupported(up.Child("type"), s.UpdateStrategy.Type, []string{"OnDelete", "RollingUpdate"}))
	}
	return errs
}

// ValidateDaemonSetUpdate checks a daemon set update; the selector is immutable.
func ValidateDaemonSetUpdate(newDS, oldDS *apps.DaemonSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newDS.ObjectMeta, &oldDS.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateDaemonSetSpec(&newDS.Spec, field.NewPath("spec"))...)
	return append(errs, ValidateImmutableField(newDS.Spec.Selector, oldDS.Spec.Selector, field.NewPath("spec", "selector"))...)
}

// ValidateDaemonSetStatusUpdate checks a daemonsets/status write.
func ValidateDaemonSetStatusUpdate(newDS, oldDS *apps.DaemonSet) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newDS.ObjectMeta, &oldDS.ObjectMeta, field.NewPath("metadata"))
	s := newDS.Status
	return append(errs, validateCounts(field.NewPath("status"), map[string]int64{
		"currentNumberScheduled": int64(s.CurrentNumberScheduled), "numberMisscheduled": int64(s.NumberMisscheduled),
		"desiredNumberScheduled": int64(s.DesiredNumberScheduled), "numberReady": int64(s.NumberReady),
		"observedGeneration": s.ObservedGeneration, "updatedNumberScheduled": int64(s.UpdatedNumberScheduled),
		"numberAvailable": int64(s.NumberAvailable), "numberUnavailable": int64(s.NumberUnavailable),
	})...)
}

// ValidateControllerRevision checks a controller revision as Kubernetes
// does: a DNS subdomain name, data present, a non-negative revision.
func ValidateControllerRevision(r *apps.ControllerRevision) field.ErrorList {
	errs := ValidateObjectMeta(&r.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	if isNullJSON(r.Data) {
		errs = append(errs, field.Required(field.NewPath("data"), "data is mandatory"))
	}
	return append(errs, ValidateNonnegativeField(r.Revision, field.NewPath("revision"))...)
}

// ValidateControllerRevisionUpdate checks a controller revision update:
// its data is immutable (the revision number may change: a daemon set
// rolled back to an older template bumps that revision).
func ValidateControllerRevisionUpdate(newR, oldR *apps.ControllerRevision) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newR.ObjectMeta, &oldR.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidateControllerRevision(newR)...)
	if !meta.SameJSON(newR.Data, oldR.Data) {
		errs = append(errs, field.Invalid(field.NewPath("data"), string(newR.Data), "field is immutable"))
	}
	return errs
}

// isNullJSON says whether raw holds no value (absent or null).
func isNullJSON(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}
