package validation

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// TotalAnnotationSizeLimitB is the most bytes all annotations of an object may take.
const TotalAnnotationSizeLimitB = 256 * 1024

// Standard finalizer names that need no domain prefix.
var standardFinalizers = map[string]bool{
	"kubernetes": true, meta.FinalizerOrphanDependents: true, meta.FinalizerDeleteDependents: true,
}

// ValidateObjectMeta checks the metadata of a new object: name (or
// generateName) by nameFn, namespace required for namespaced kinds and
// forbidden otherwise, generation, labels, annotations, owner references
// and finalizers.
func ValidateObjectMeta(m *meta.ObjectMeta, namespaced bool, nameFn ValidateNameFunc, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if m.GenerateName != "" {
		errs = invalidEach(errs, fldPath.Child("generateName"), m.GenerateName, nameFn(m.GenerateName, true))
	}
	if m.Name == "" {
		errs = append(errs, field.Required(fldPath.Child("name"), "name or generateName is required"))
	} else {
		errs = invalidEach(errs, fldPath.Child("name"), m.Name, nameFn(m.Name, false))
	}
	if namespaced {
		if m.Namespace == "" {
			errs = append(errs, field.Required(fldPath.Child("namespace"), ""))
		} else {
			errs = invalidEach(errs, fldPath.Child("namespace"), m.Namespace, names.IsDNS1123Label(m.Namespace))
		}
	} else if m.Namespace != "" {
		errs = append(errs, field.Forbidden(fldPath.Child("namespace"), "not allowed on this type"))
	}
	errs = append(errs, ValidateNonnegativeField(m.Generation, fldPath.Child("generation"))...)
	errs = append(errs, ValidateLabels(m.Labels, fldPath.Child("labels"))...)
	errs = append(errs, ValidateAnnotations(m.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(m.OwnerReferences, fldPath.Child("ownerReferences"))...)
	errs = append(errs, validateFinalizers(m.Finalizers, fldPath.Child("finalizers"))...)
	return errs
}

// ValidateObjectMetaUpdate checks an update's metadata: the new metadata is
// valid, name, namespace, uid and creationTimestamp are unchanged,
// generation does not go down, and no finalizer is added once deletion began.
func ValidateObjectMetaUpdate(newMeta, oldMeta *meta.ObjectMeta, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, ValidateImmutableField(newMeta.Name, oldMeta.Name, fldPath.Child("name"))...)
	errs = append(errs, ValidateImmutableField(newMeta.Namespace, oldMeta.Namespace, fldPath.Child("namespace"))...)
	errs = append(errs, ValidateImmutableField(newMeta.UID, oldMeta.UID, fldPath.Child("uid"))...)
	if !newMeta.CreationTimestamp.Equal(oldMeta.CreationTimestamp.Time) {
		errs = append(errs, field.Invalid(fldPath.Child("creationTimestamp"), newMeta.CreationTimestamp.String(), "field is immutable"))
	}
	if newMeta.Generation < oldMeta.Generation {
		errs = append(errs, field.Invalid(fldPath.Child("generation"), newMeta.Generation, "must not be decremented"))
	}
	if oldMeta.DeletionTimestamp != nil {
		old := map[string]bool{}
		for _, f := range oldMeta.Finalizers {
			old[f] = true
		}
		for _, f := range newMeta.Finalizers {
			if !old[f] {
				errs = append(errs, field.Forbidden(fldPath.Child("finalizers"), fmt.Sprintf("no new finalizers can be added if the object is being deleted, found new finalizers %q", f)))
			}
		}
	}
	errs = append(errs, ValidateLabels(newMeta.Labels, fldPath.Child("labels"))...)
	errs = append(errs, ValidateAnnotations(newMeta.Annotations, fldPath.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(newMeta.OwnerReferences, fldPath.Child("ownerReferences"))...)
	errs = append(errs, validateFinalizers(newMeta.Finalizers, fldPath.Child("finalizers"))...)
	return errs
}

// ValidateLabels checks label keys (qualified names) and values.
func ValidateLabels(l map[string]string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for k, v := range l {
		errs = invalidEach(errs, fldPath, k, names.IsQualifiedName(k))
		errs = invalidEach(errs, fldPath.Key(k), v, names.IsValidLabelValue(v))
	}
	return errs
}

// ValidateAnnotations checks annotation keys and the 256 KiB total size.
func ValidateAnnotations(a map[string]string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	total := 0
	for k, v := range a {
		errs = invalidEach(errs, fldPath, k, names.IsQualifiedName(strings.ToLower(k)))
		total += len(k) + len(v)
	}
	if total > TotalAnnotationSizeLimitB {
		errs = append(errs, field.TooLong(fldPath, "", TotalAnnotationSizeLimitB))
	}
	return errs
}

func validateOwnerReferences(refs []meta.OwnerReference, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	var controllers []string
	for i, r := range refs {
		p := fldPath.Index(i)
		if r.APIVersion == "" {
			errs = append(errs, field.Invalid(p.Child("apiVersion"), r.APIVersion, "version must not be empty"))
		}
		if r.Kind == "" {
			errs = append(errs, field.Invalid(p.Child("kind"), r.Kind, "kind must not be empty"))
		}
		if r.Name == "" {
			errs = append(errs, field.Invalid(p.Child("name"), r.Name, "name must not be empty"))
		}
		if r.UID == "" {
			errs = append(errs, field.Invalid(p.Child("uid"), r.UID, "uid must not be empty"))
		}
		if r.Controller != nil && *r.Controller {
			controllers = append(controllers, r.Kind+"/"+r.Name)
		}
	}
	if len(controllers) > 1 {
		errs = append(errs, field.Invalid(fldPath, refs, fmt.Sprintf("Only one reference can have Controller set to true. Found \"true\" in references for %s", strings.Join(controllers, " and "))))
	}
	return errs
}

func validateFinalizers(finalizers []string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	has := map[string]bool{}
	for _, f := range finalizers {
		has[f] = true
		if msgs := names.IsQualifiedName(f); len(msgs) != 0 {
			errs = invalidEach(errs, fldPath, f, msgs)
			continue
		}
		if !strings.Contains(f, "/") && !standardFinalizers[f] {
			errs = append(errs, field.Invalid(fldPath, f, "name is neither a standard finalizer name nor is it fully qualified"))
		}
	}
	if has[meta.FinalizerOrphanDependents] && has[meta.FinalizerDeleteDependents] {
		errs = append(errs, field.Invalid(fldPath, finalizers, fmt.Sprintf("finalizer %s and %s cannot be both set", meta.FinalizerOrphanDependents, meta.FinalizerDeleteDependents)))
	}
	return errs
}

// ValidateLabelSelector checks a structured selector's keys, operators and values.
func ValidateLabelSelector(ps *meta.LabelSelector, fldPath *field.Path) field.ErrorList {
	if ps == nil {
		return nil
	}
	errs := ValidateLabels(ps.MatchLabels, fldPath.Child("matchLabels"))
	for i, r := range ps.MatchExpressions {
		p := fldPath.Child("matchExpressions").Index(i)
		switch r.Operator {
		case meta.LabelSelectorOpIn, meta.LabelSelectorOpNotIn:
			if len(r.Values) == 0 {
				errs = append(errs, field.Required(p.Child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
			}
		case meta.LabelSelectorOpExists, meta.LabelSelectorOpDoesNotExist:
			if len(r.Values) > 0 {
				errs = append(errs, field.Forbidden(p.Child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
			}
		default:
			errs = append(errs, field.Invalid(p.Child("operator"), r.Operator, "not a valid selector operator"))
		}
		errs = invalidEach(errs, p.Child("key"), r.Key, names.IsQualifiedName(r.Key))
		for j, v := range r.Values {
			errs = invalidEach(errs, p.Child("values").Index(j), v, names.IsValidLabelValue(v))
		}
	}
	return errs
}

// validateSelectorMatchesTemplate checks that a controller's selector is
// present, non-empty and selects its template's labels.
func validateSelectorMatchesTemplate(sel *meta.LabelSelector, tmplLabels map[string]string, selPath, labelsPath *field.Path, kind string) field.ErrorList {
	if sel == nil {
		return field.ErrorList{field.Required(selPath, "")}
	}
	errs := ValidateLabelSelector(sel, selPath)
	if len(errs) > 0 {
		return errs
	}
	if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
		return field.ErrorList{field.Invalid(selPath, sel, "empty selector is invalid for "+kind)}
	}
	s, err := labels.LabelSelectorAsSelector(sel)
	if err != nil {
		return field.ErrorList{field.Invalid(selPath, sel, err.Error())}
	}
	if !s.Matches(labels.Set(tmplLabels)) {
		return field.ErrorList{field.Invalid(labelsPath, tmplLabels, "`selector` does not match template `labels`")}
	}
	return nil
}
