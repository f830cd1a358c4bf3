package validation

import (
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
	"github.com/tinykube/tinykube/pkg/apiextensions/schema"
	"github.com/tinykube/tinykube/pkg/jsonpath"
)

var (
	supportedCRDScopes       = []string{string(apiextensions.ClusterScoped), string(apiextensions.NamespaceScoped)}
	supportedConversions     = []string{string(apiextensions.NoneConverter), string(apiextensions.WebhookConverter)}
	supportedColumnTypes     = []string{"integer", "number", "string", "boolean", "date"}
	supportedColumnFormats   = []string{"int32", "int64", "float", "double", "byte", "date", "date-time", "password"}
	supportedReviewVersions  = []string{"v1", "v1beta1"}
	maxDeprecationWarningLen = 256
)

// ValidateCustomResourceDefinition checks a new CRD as Kubernetes does:
// metadata.name is <plural>.<group>, a valid spec (group, names, scope,
// versions with structural schemas, subresources, printer columns,
// conversion) and stored versions that include the storage version.
func ValidateCustomResourceDefinition(crd *apiextensions.CustomResourceDefinition) field.ErrorList {
	nameFn := func(name string, prefix bool) []string {
		msgs := NameIsDNSSubdomain(name, prefix)
		if want := crd.Spec.Names.Plural + "." + crd.Spec.Group; !prefix && name != want {
			msgs = append(msgs, `must be spec.names.plural+"."+spec.group`)
		}
		return msgs
	}
	errs := withGenericFinalizers(ValidateObjectMeta(&crd.ObjectMeta, false, nameFn, field.NewPath("metadata")))
	errs = append(errs, validateCRDSpec(&crd.Spec, field.NewPath("spec"))...)
	errs = append(errs, validateCRDStoredVersions(crd, field.NewPath("status", "storedVersions"))...)
	return errs
}

// ValidateCustomResourceDefinitionUpdate checks an update: the new CRD is
// valid, group and names.plural never change, and once the CRD is
// Established neither do scope and names.kind (they decide how objects
// are stored).
func ValidateCustomResourceDefinitionUpdate(crd, old *apiextensions.CustomResourceDefinition) field.ErrorList {
	errs := withGenericFinalizers(ValidateObjectMetaUpdate(&crd.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata")))
	errs = append(errs, ValidateCustomResourceDefinition(crd)...)
	spec := field.NewPath("spec")
	if old.IsEstablished() {
		errs = append(errs, ValidateImmutableField(string(crd.Spec.Scope), string(old.Spec.Scope), spec.Child("scope"))...)
		errs = append(errs, ValidateImmutableField(crd.Spec.Names.Kind, old.Spec.Names.Kind, spec.Child("names", "kind"))...)
	}
	errs = append(errs, ValidateImmutableField(crd.Spec.Group, old.Spec.Group, spec.Child("group"))...)
	errs = append(errs, ValidateImmutableField(crd.Spec.Names.Plural, old.Spec.Names.Plural, spec.Child("names", "plural"))...)
	return errs
}

// ValidateCustomResourceDefinitionStatusUpdate checks a status update: the
// metadata update, conditions, accepted names that are valid names, and
// stored versions that are spec versions including the storage version.
func ValidateCustomResourceDefinitionStatusUpdate(crd, old *apiextensions.CustomResourceDefinition) field.ErrorList {
	errs := withGenericFinalizers(ValidateObjectMetaUpdate(&crd.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata")))
	status := field.NewPath("status")
	for i, c := range crd.Status.Conditions {
		p := status.Child("conditions").Index(i)
		if c.Type == "" {
			errs = append(errs, field.Required(p.Child("type"), ""))
		}
		if s := c.Status; s != core.ConditionTrue && s != core.ConditionFalse && s != core.ConditionUnknown {
			errs = append(errs, field.NotSupported(p.Child("status"), string(s), []string{string(core.ConditionTrue), string(core.ConditionFalse), string(core.ConditionUnknown)}))
		}
	}
	errs = append(errs, validateCRDNames(&crd.Status.AcceptedNames, status.Child("acceptedNames"))...)
	errs = append(errs, validateCRDStoredVersions(crd, status.Child("storedVersions"))...)
	return errs
}

// unqualifiedFinalizer is the detail of the finalizer check built-in kinds
// add to the generic metadata validation.
const unqualifiedFinalizer = "name is neither a standard finalizer name nor is it fully qualified"

// withGenericFinalizers drops the built-in kinds' finalizer check from a
// metadata validation: Kubernetes validates the metadata of CRDs with the
// generic rules, where a finalizer only needs to be a qualified name (the
// CRD's own customresourcecleanup.apiextensions.k8s.io has no "/").
func withGenericFinalizers(errs field.ErrorList) field.ErrorList {
	return slices.DeleteFunc(errs, func(e *field.Error) bool {
		return e.Type == field.ErrorTypeInvalid && e.Field == "metadata.finalizers" && e.Detail == unqualifiedFinalizer
	})
}

// validateCRDStoredVersions: at least one stored version, each one a
// version of the spec, the storage version among them.
func validateCRDStoredVersions(crd *apiextensions.CustomResourceDefinition, p *field.Path) field.ErrorList {
	stored := crd.Status.StoredVersions
	if len(stored) == 0 {
		return field.ErrorList{field.Invalid(p, stored, "must have at least one stored version")}
	}
	var errs field.ErrorList
	for i, v := range stored {
		if !slices.ContainsFunc(crd.Spec.Versions, func(sv apiextensions.CustomResourceDefinitionVersion) bool { return sv.Name == v }) {
			errs = append(errs, field.Invalid(p.Index(i), v, "must appear in spec.versions"))
		}
	}
	if sv := crd.StorageVersion(); sv != "" && !slices.Contains(stored, sv) {
		errs = append(errs, field.Invalid(p, stored, "must have the storage version "+sv))
	}
	return errs
}

func validateCRDSpec(spec *apiextensions.CustomResourceDefinitionSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch g := spec.Group; {
	case g == "":
		errs = append(errs, field.Required(p.Child("group"), ""))
	default:
		errs = invalidEach(errs, p.Child("group"), g, names.IsDNS1123Subdomain(g))
		if !strings.Contains(g, ".") {
			errs = append(errs, field.Invalid(p.Child("group"), g, "should be a domain with at least one dot"))
		}
	}
	switch s := spec.Scope; {
	case s == "":
		errs = append(errs, field.Required(p.Child("scope"), ""))
	case !slices.Contains(supportedCRDScopes, string(s)):
		errs = append(errs, field.NotSupported(p.Child("scope"), string(s), supportedCRDScopes))
	}
	np := p.Child("names")
	for _, f := range []struct{ name, value string }{
		{"plural", spec.Names.Plural}, {"singular", spec.Names.Singular}, {"kind", spec.Names.Kind}, {"listKind", spec.Names.ListKind},
	} {
		if f.value == "" {
			errs = append(errs, field.Required(np.Child(f.name), ""))
		}
	}
	errs = append(errs, validateCRDNames(&spec.Names, np)...)
	errs = append(errs, validateCRDVersions(spec.Versions, p.Child("versions"))...)
	errs = append(errs, validateCRDConversion(spec.Conversion, p.Child("conversion"))...)
	if spec.PreserveUnknownFields {
		errs = append(errs, field.Invalid(p.Child("preserveUnknownFields"), true,
			"cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"))
	}
	return errs
}

// validateCRDNames checks the names that are set: plural, singular and
// short names and categories DNS-1035 labels, kind and listKind the same
// but for their case, and kind differing from listKind.
func validateCRDNames(n *apiextensions.CustomResourceDefinitionNames, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	label := func(fp *field.Path, v string) {
		if msgs := names.IsDNS1035Label(v); v != "" && len(msgs) > 0 {
			errs = append(errs, field.Invalid(fp, v, strings.Join(msgs, ",")))
		}
	}
	mixedCase := func(fp *field.Path, v string) {
		if msgs := names.IsDNS1035Label(strings.ToLower(v)); v != "" && len(msgs) > 0 {
			errs = append(errs, field.Invalid(fp, v, "may have mixed case, but should otherwise match: "+strings.Join(msgs, ",")))
		}
	}
	label(p.Child("plural"), n.Plural)
	label(p.Child("singular"), n.Singular)
	mixedCase(p.Child("kind"), n.Kind)
	mixedCase(p.Child("listKind"), n.ListKind)
	for _, s := range n.ShortNames {
		label(p.Child("shortNames"), s)
	}
	for _, c := range n.Categories {
		label(p.Child("categories"), c)
	}
	if n.Kind != "" && n.Kind == n.ListKind {
		errs = append(errs, field.Invalid(p.Child("listKind"), n.ListKind, "kind and listKind may not be the same"))
	}
	return errs
}

// validateCRDVersions: at least one version, unique DNS-1035 names, one
// served at least and exactly one storage version; each with a structural
// schema, valid subresources and printer columns.
func validateCRDVersions(versions []apiextensions.CustomResourceDefinitionVersion, p *field.Path) field.ErrorList {
	if len(versions) == 0 {
		return field.ErrorList{field.Required(p, "must have at least one version")}
	}
	var errs field.ErrorList
	seen := map[string]bool{}
	served, storage := 0, 0
	for i := range versions {
		v := &versions[i]
		vp := p.Index(i)
		switch {
		case v.Name == "":
			errs = append(errs, field.Required(vp.Child("name"), ""))
		case seen[v.Name]:
			errs = append(errs, field.Duplicate(vp.Child("name"), v.Name))
		default:
			if msgs := names.IsDNS1035Label(v.Name); len(msgs) > 0 {
				errs = append(errs, field.Invalid(vp.Child("name"), v.Name, strings.Join(msgs, ",")))
			}
		}
		seen[v.Name] = true
		if v.Served {
			served++
		}
		if v.Storage {
			storage++
		}
		if w := v.DeprecationWarning; w != nil && len(*w) > maxDeprecationWarningLen {
			errs = append(errs, field.TooLong(vp.Child("deprecationWarning"), *w, maxDeprecationWarningLen))
		}
		errs = append(errs, validateCRDVersion(v, vp)...)
	}
	if served == 0 {
		errs = append(errs, field.Invalid(p, field.OmitValueType{}, "must have at least one version marked as served"))
	}
	if storage != 1 {
		errs = append(errs, field.Invalid(p, field.OmitValueType{}, "must have exactly one version marked as storage version"))
	}
	return errs
}

func validateCRDVersion(v *apiextensions.CustomResourceDefinitionVersion, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	sp := p.Child("schema", "openAPIV3Schema")
	if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
		errs = append(errs, field.Required(sp, "schemas are required"))
	} else {
		errs = append(errs, schema.ValidateStructural(v.Schema.OpenAPIV3Schema, sp)...)
	}
	if sub := v.Subresources; sub != nil && sub.Scale != nil {
		errs = append(errs, validateCRDScale(sub.Scale, p.Child("subresources", "scale"))...)
	}
	for i, c := range v.AdditionalPrinterColumns {
		cp := p.Child("additionalPrinterColumns").Index(i)
		if c.Name == "" {
			errs = append(errs, field.Required(cp.Child("name"), ""))
		}
		switch {
		case c.Type == "":
			errs = append(errs, field.Required(cp.Child("type"), ""))
		case !slices.Contains(supportedColumnTypes, c.Type):
			errs = append(errs, field.NotSupported(cp.Child("type"), c.Type, supportedColumnTypes))
		}
		if c.Format != "" && !slices.Contains(supportedColumnFormats, c.Format) {
			errs = append(errs, field.NotSupported(cp.Child("format"), c.Format, supportedColumnFormats))
		}
		if c.Priority < 0 {
			errs = append(errs, field.Invalid(cp.Child("priority"), c.Priority, "must be greater than or equal to 0"))
		}
		if c.JSONPath == "" {
			errs = append(errs, field.Required(cp.Child("jsonPath"), ""))
		} else {
			errs = append(errs, validateSimpleJSONPath(c.JSONPath, cp.Child("jsonPath"))...)
		}
	}
	for i, f := range v.SelectableFields {
		fp := p.Child("selectableFields").Index(i).Child("jsonPath")
		if f.JSONPath == "" {
			errs = append(errs, field.Required(fp, ""))
		} else {
			errs = append(errs, validateSimpleJSONPath(f.JSONPath, fp)...)
		}
	}
	return errs
}

// validateCRDScale: replicas paths under .spec and .status, the label
// selector path under either.
func validateCRDScale(s *apiextensions.CustomResourceSubresourceScale, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	path := func(name, value string, prefixes []string, msg string) {
		fp := p.Child(name)
		if value == "" {
			errs = append(errs, field.Required(fp, ""))
			return
		}
		if e := validateSimpleJSONPath(value, fp); len(e) > 0 {
			errs = append(errs, e...)
			return
		}
		if !slices.ContainsFunc(prefixes, func(pre string) bool { return strings.HasPrefix(value, pre) }) {
			errs = append(errs, field.Invalid(fp, value, msg))
		}
	}
	path("specReplicasPath", s.SpecReplicasPath, []string{".spec."}, "should be a json path under .spec")
	path("statusReplicasPath", s.StatusReplicasPath, []string{".status."}, "should be a json path under .status")
	if s.LabelSelectorPath != nil {
		path("labelSelectorPath", *s.LabelSelectorPath, []string{".spec.", ".status."}, "should be a json path under either .spec or .status")
	}
	return errs
}

// validateSimpleJSONPath: a path in dot notation starting with ".", one
// that kubectl's JSONPath can evaluate.
func validateSimpleJSONPath(s string, p *field.Path) field.ErrorList {
	if !strings.HasPrefix(s, ".") {
		return field.ErrorList{field.Invalid(p, s, "must be a simple json path starting with .")}
	}
	if _, err := jsonpath.Eval(s, map[string]any{}); err != nil {
		return field.ErrorList{field.Invalid(p, s, "must be a json path in the dot notation: "+err.Error())}
	}
	return nil
}

// validateCRDConversion: strategy None or Webhook; a webhook (only with
// Webhook) needs exactly one of url and service and review versions
// including v1 or v1beta1.
func validateCRDConversion(c *apiextensions.CustomResourceConversion, p *field.Path) field.ErrorList {
	if c == nil {
		return nil
	}
	var errs field.ErrorList
	switch {
	case c.Strategy == "":
		errs = append(errs, field.Required(p.Child("strategy"), ""))
	case !slices.Contains(supportedConversions, string(c.Strategy)):
		errs = append(errs, field.NotSupported(p.Child("strategy"), string(c.Strategy), supportedConversions))
	}
	wp := p.Child("webhook")
	if c.Strategy != apiextensions.WebhookConverter {
		if c.Webhook != nil {
			errs = append(errs, field.Forbidden(wp, "should not be set when strategy is not set to Webhook"))
		}
		return errs
	}
	if c.Webhook == nil {
		return append(errs, field.Required(wp, "required when strategy is set to Webhook"))
	}
	cc := c.Webhook.ClientConfig
	if cc == nil {
		errs = append(errs, field.Required(wp.Child("clientConfig"), "required when strategy is set to Webhook"))
	} else if (cc.URL == nil) == (cc.Service == nil) {
		errs = append(errs, field.Required(wp.Child("clientConfig"), "exactly one of url or service is required"))
	}
	rv := c.Webhook.ConversionReviewVersions
	rp := wp.Child("conversionReviewVersions")
	if !slices.ContainsFunc(rv, func(v string) bool { return slices.Contains(supportedReviewVersions, v) }) {
		errs = append(errs, field.Invalid(rp, rv, `must include at least one of v1, v1beta1`))
	}
	seen := map[string]bool{}
	for i, v := range rv {
		if seen[v] {
			errs = append(errs, field.Invalid(rp.Index(i), v, "duplicate version"))
		}
		seen[v] = true
	}
	return errs
}
