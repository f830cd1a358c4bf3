package validation

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

var (
	supportedQuotaScopes = []string{string(core.ResourceQuotaScopeTerminating), string(core.ResourceQuotaScopeNotTerminating),
		string(core.ResourceQuotaScopeBestEffort), string(core.ResourceQuotaScopeNotBestEffort)}
	supportedLimitTypes = []string{string(core.LimitTypePod), string(core.LimitTypeContainer), string(core.LimitTypePersistentVolumeClaim)}
)

// ValidateResourceQuota checks a quota as Kubernetes does: a DNS-subdomain
// name, quota resource names and non-negative amounts in spec.hard and
// status, known scopes that do not contradict each other, and a BestEffort
// scope only with the pods resource.
func ValidateResourceQuota(q *core.ResourceQuota) field.ErrorList {
	errs := ValidateObjectMeta(&q.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	spec := field.NewPath("spec")
	errs = append(errs, validateQuotaResources(q.Spec.Hard, spec.Child("hard"))...)
	errs = append(errs, validateQuotaResources(q.Status.Hard, field.NewPath("status", "hard"))...)
	errs = append(errs, validateQuotaResources(q.Status.Used, field.NewPath("status", "used"))...)
	scopes := map[core.ResourceQuotaScope]bool{}
	for i, s := range q.Spec.Scopes {
		if !contains(supportedQuotaScopes, string(s)) {
			errs = append(errs, field.NotSupported(spec.Child("scopes").Index(i), string(s), supportedQuotaScopes))
		}
		scopes[s] = true
	}
	if sel := q.Spec.ScopeSelector; sel != nil {
		p := spec.Child("scopeSelector", "matchExpressions")
		for i, req := range sel.MatchExpressions {
			errs = append(errs, validateScopeRequirement(req, p.Index(i))...)
			scopes[req.ScopeName] = true
		}
	}
	if scopes[core.ResourceQuotaScopeTerminating] && scopes[core.ResourceQuotaScopeNotTerminating] {
		errs = append(errs, field.Invalid(spec.Child("scopes"), q.Spec.Scopes, "conflicting scopes: Terminating and NotTerminating"))
	}
	if scopes[core.ResourceQuotaScopeBestEffort] && scopes[core.ResourceQuotaScopeNotBestEffort] {
		errs = append(errs, field.Invalid(spec.Child("scopes"), q.Spec.Scopes, "conflicting scopes: BestEffort and NotBestEffort"))
	}
	if scopes[core.ResourceQuotaScopeBestEffort] {
		for name := range q.Spec.Hard {
			if name != core.ResourcePods {
				errs = append(errs, field.Invalid(spec.Child("hard").Key(string(name)), string(name), "unsupported scope applied to resource"))
			}
		}
	}
	return errs
}

func validateScopeRequirement(req core.ScopedResourceSelectorRequirement, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if !contains(supportedQuotaScopes, string(req.ScopeName)) {
		errs = append(errs, field.NotSupported(p.Child("scopeName"), string(req.ScopeName), supportedQuotaScopes))
	}
	switch req.Operator {
	case core.ScopeSelectorOpExists, core.ScopeSelectorOpDoesNotExist:
		if len(req.Values) != 0 {
			errs = append(errs, field.Invalid(p.Child("values"), req.Values, "must be no value when `operator` is 'Exist' or 'DoesNotExist'"))
		}
	case core.ScopeSelectorOpIn, core.ScopeSelectorOpNotIn:
		// The four scopes tinykube knows take no values (PriorityClass would).
		errs = append(errs, field.Invalid(p.Child("operator"), req.Operator, "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"))
	default:
		errs = append(errs, field.NotSupported(p.Child("operator"), string(req.Operator),
			[]string{string(core.ScopeSelectorOpIn), string(core.ScopeSelectorOpNotIn), string(core.ScopeSelectorOpExists), string(core.ScopeSelectorOpDoesNotExist)}))
	}
	return errs
}

// validateQuotaResources checks the names of a quota's resource list (a
// standard name, requests./limits. of one, count/<resource>[.<group>] or a
// qualified name) and that no amount is negative.
func validateQuotaResources(l core.ResourceList, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for name, q := range l {
		kp := p.Key(string(name))
		s := string(name)
		if rest, ok := strings.CutPrefix(s, "count/"); ok {
			if rest == "" {
				errs = append(errs, field.Invalid(kp, s, "must be count/<resource>[.<group>]"))
			}
		} else if msgs := names.IsQualifiedName(s); len(msgs) != 0 {
			errs = invalidEach(errs, kp, s, msgs)
		}
		if q.Sign() < 0 {
			errs = append(errs, field.Invalid(kp, q.String(), "must be greater than or equal to 0"))
		}
	}
	return errs
}

// ValidateResourceQuotaUpdate checks an update of the spec.
func ValidateResourceQuotaUpdate(q, old *core.ResourceQuota) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&q.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidateResourceQuota(q)...)
}

// ValidateResourceQuotaStatusUpdate checks an update of the status.
func ValidateResourceQuotaStatusUpdate(q, old *core.ResourceQuota) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&q.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateQuotaResources(q.Status.Hard, field.NewPath("status", "hard"))...)
	return append(errs, validateQuotaResources(q.Status.Used, field.NewPath("status", "used"))...)
}

// ValidateLimitRange checks a limit range as Kubernetes does: a known type
// per item, no defaults for type Pod, a storage bound for claims, and per
// resource min <= defaultRequest <= default <= max and a ratio of at least
// 1 and at most max/min.
func ValidateLimitRange(lr *core.LimitRange) field.ErrorList {
	errs := ValidateObjectMeta(&lr.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	limits := field.NewPath("spec", "limits")
	seen := map[core.LimitType]bool{}
	for i := range lr.Spec.Limits {
		errs = append(errs, validateLimitRangeItem(&lr.Spec.Limits[i], limits.Index(i), seen)...)
	}
	return errs
}

func validateLimitRangeItem(it *core.LimitRangeItem, p *field.Path, seen map[core.LimitType]bool) field.ErrorList {
	var errs field.ErrorList
	if it.Type == "" {
		errs = append(errs, field.Required(p.Child("type"), ""))
	} else if !contains(supportedLimitTypes, string(it.Type)) {
		errs = append(errs, field.NotSupported(p.Child("type"), string(it.Type), supportedLimitTypes))
	}
	if seen[it.Type] {
		errs = append(errs, field.Duplicate(p.Child("type"), it.Type))
	}
	seen[it.Type] = true
	for _, l := range []struct {
		name string
		list core.ResourceList
	}{{"max", it.Max}, {"min", it.Min}, {"default", it.Default}, {"defaultRequest", it.DefaultRequest}, {"maxLimitRequestRatio", it.MaxLimitRequestRatio}} {
		errs = append(errs, validateQuotaResources(l.list, p.Child(l.name))...)
	}
	if it.Type == core.LimitTypePod {
		if len(it.Default) > 0 {
			errs = append(errs, field.Forbidden(p.Child("default"), "may not be specified when `type` is 'Pod'"))
		}
		if len(it.DefaultRequest) > 0 {
			errs = append(errs, field.Forbidden(p.Child("defaultRequest"), "may not be specified when `type` is 'Pod'"))
		}
	}
	if it.Type == core.LimitTypePersistentVolumeClaim {
		if _, ok := it.Min[core.ResourceStorage]; len(it.Min) > 0 && !ok {
			errs = append(errs, field.Required(p.Child("min"), "minimum storage value is required"))
		}
		if _, ok := it.Max[core.ResourceStorage]; len(it.Max) > 0 && !ok {
			errs = append(errs, field.Required(p.Child("max"), "maximum storage value is required"))
		}
	}
	for name, minQ := range it.Min {
		if maxQ, ok := it.Max[name]; ok && minQ.Cmp(maxQ) > 0 {
			errs = append(errs, field.Invalid(p.Child("min").Key(string(name)), minQ.String(),
				fmt.Sprintf("min value %s is greater than max value %s", minQ.String(), maxQ.String())))
		}
	}
	for name, dr := range it.DefaultRequest {
		p := p.Child("defaultRequest").Key(string(name))
		if minQ, ok := it.Min[name]; ok && minQ.Cmp(dr) > 0 {
			errs = append(errs, field.Invalid(p, dr.String(), fmt.Sprintf("min value %s is greater than default request value %s", minQ.String(), dr.String())))
		}
		if maxQ, ok := it.Max[name]; ok && dr.Cmp(maxQ) > 0 {
			errs = append(errs, field.Invalid(p, dr.String(), fmt.Sprintf("default request value %s is greater than max value %s", dr.String(), maxQ.String())))
		}
		if d, ok := it.Default[name]; ok && dr.Cmp(d) > 0 {
			errs = append(errs, field.Invalid(p, dr.String(), fmt.Sprintf("default request value %s is greater than default limit value %s", dr.String(), d.String())))
		}
	}
	for name, d := range it.Default {
		p := p.Child("default").Key(string(name))
		if minQ, ok := it.Min[name]; ok && minQ.Cmp(d) > 0 {
			errs = append(errs, field.Invalid(p, d.String(), fmt.Sprintf("min value %s is greater than default value %s", minQ.String(), d.String())))
		}
		if maxQ, ok := it.Max[name]; ok && d.Cmp(maxQ) > 0 {
			errs = append(errs, field.Invalid(p, d.String(), fmt.Sprintf("default value %s is greater than max value %s", d.String(), maxQ.String())))
		}
	}
	for name, ratio := range it.MaxLimitRequestRatio {
		p := p.Child("maxLimitRequestRatio").Key(string(name))
		if ratio.CmpInt64(1) < 0 {
			errs = append(errs, field.Invalid(p, ratio.String(), fmt.Sprintf("ratio %s is less than 1", ratio.String())))
		}
		minQ, okMin := it.Min[name]
		maxQ, okMax := it.Max[name]
		if okMin && okMax && minQ.Sign() > 0 {
			bound := float64(maxQ.MilliValue()) / float64(minQ.MilliValue())
			if ratio.AsApproximateFloat64() > bound {
				errs = append(errs, field.Invalid(p, ratio.String(), fmt.Sprintf("ratio %s is greater than max/min = %f", ratio.String(), bound)))
			}
		}
	}
	return errs
}

// ValidateLimitRangeUpdate checks an update.
func ValidateLimitRangeUpdate(lr, old *core.LimitRange) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&lr.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, ValidateLimitRange(lr)...)
}
