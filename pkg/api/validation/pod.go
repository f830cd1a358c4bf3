package validation

import (
	"math"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// ValidatePod checks a new pod.
func ValidatePod(pod *core.Pod) field.ErrorList {
	errs := ValidateObjectMeta(&pod.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, ValidatePodSpec(&pod.Spec, field.NewPath("spec"))...)
}

// ValidatePodTemplateSpec checks a controller's pod template at fldPath
// (e.g. "spec.template"): its labels, annotations and pod spec.
func ValidatePodTemplateSpec(t *core.PodTemplateSpec, fldPath *field.Path) field.ErrorList {
	errs := ValidateLabels(t.Labels, fldPath.Child("metadata", "labels"))
	errs = append(errs, ValidateAnnotations(t.Annotations, fldPath.Child("metadata", "annotations"))...)
	return append(errs, ValidatePodSpec(&t.Spec, fldPath.Child("spec"))...)
}

// ValidatePodSpec checks a pod spec (of a pod or a template).
func ValidatePodSpec(s *core.PodSpec, fldPath *field.Path) field.ErrorList {
	vols, errs := validateVolumes(s.Volumes, fldPath.Child("volumes"))
	seen := map[string]bool{}
	errs = append(errs, validateContainers(s.InitContainers, vols, seen, s.HostNetwork, true, fldPath.Child("initContainers"))...)
	if len(s.Containers) == 0 {
		errs = append(errs, field.Required(fldPath.Child("containers"), ""))
	}
	errs = append(errs, validateContainers(s.Containers, vols, seen, s.HostNetwork, false, fldPath.Child("containers"))...)
	errs = append(errs, validateRestartPolicy(s.RestartPolicy, fldPath.Child("restartPolicy"))...)
	errs = append(errs, validateDNSPolicy(s.DNSPolicy, fldPath)...)
	errs = append(errs, ValidateLabels(s.NodeSelector, fldPath.Child("nodeSelector"))...)
	errs = append(errs, validateOptionalName(s.ServiceAccountName, names.IsDNS1123Subdomain, fldPath.Child("serviceAccountName"))...)
	errs = append(errs, validateOptionalName(s.NodeName, names.IsDNS1123Subdomain, fldPath.Child("nodeName"))...)
	errs = append(errs, validateOptionalName(s.SchedulerName, names.IsDNS1123Subdomain, fldPath.Child("schedulerName"))...)
	errs = append(errs, validateOptionalName(s.PriorityClassName, names.IsDNS1123Subdomain, fldPath.Child("priorityClassName"))...)
	errs = append(errs, validateOptionalName(s.Hostname, names.IsDNS1123Label, fldPath.Child("hostname"))...)
	errs = append(errs, validateOptionalName(s.Subdomain, names.IsDNS1123Label, fldPath.Child("subdomain"))...)
	if s.TerminationGracePeriodSeconds != nil {
		errs = append(errs, ValidateNonnegativeField(*s.TerminationGracePeriodSeconds, fldPath.Child("terminationGracePeriodSeconds"))...)
	}
	if d := s.ActiveDeadlineSeconds; d != nil && (*d < 1 || *d > math.MaxInt32) {
		errs = append(errs, field.Invalid(fldPath.Child("activeDeadlineSeconds"), *d, "must be between 1 and 2147483647, inclusive"))
	}
	if sc := s.SecurityContext; sc != nil {
		errs = append(errs, validateIDs(sc.RunAsUser, sc.RunAsGroup, fldPath.Child("securityContext"))...)
		if sc.FSGroup != nil {
			errs = append(errs, ValidateNonnegativeField(*sc.FSGroup, fldPath.Child("securityContext", "fsGroup"))...)
		}
	}
	errs = append(errs, ValidateTolerations(s.Tolerations, fldPath.Child("tolerations"))...)
	errs = append(errs, validateAffinity(s.Affinity, fldPath.Child("affinity"))...)
	errs = append(errs, validateTopologySpreadConstraints(s.TopologySpreadConstraints, fldPath.Child("topologySpreadConstraints"))...)
	errs = append(errs, validateResourceList(s.Overhead, fldPath.Child("overhead"))...)
	return errs
}

func validateOptionalName(v string, check func(string) []string, p *field.Path) field.ErrorList {
	if v == "" {
		return nil
	}
	return invalidEach(nil, p, v, check(v))
}

func validateIDs(user, group *int64, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if user != nil {
		errs = append(errs, ValidateNonnegativeField(*user, p.Child("runAsUser"))...)
	}
	if group != nil {
		errs = append(errs, ValidateNonnegativeField(*group, p.Child("runAsGroup"))...)
	}
	return errs
}

func validateRestartPolicy(rp core.RestartPolicy, p *field.Path) field.ErrorList {
	switch rp {
	case core.RestartPolicyAlways, core.RestartPolicyOnFailure, core.RestartPolicyNever:
		return nil
	case "":
		return field.ErrorList{field.Required(p, "")}
	default:
		return field.ErrorList{field.NotSupported(p, rp, []string{"Always", "OnFailure", "Never"})}
	}
}

func validateDNSPolicy(d core.DNSPolicy, specPath *field.Path) field.ErrorList {
	p := specPath.Child("dnsPolicy")
	switch d {
	case core.DNSClusterFirst, core.DNSClusterFirstWithHostNet, core.DNSDefault:
		return nil
	case core.DNSNone:
		return field.ErrorList{field.Required(specPath.Child("dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None")}
	case "":
		return field.ErrorList{field.Required(p, "")}
	default:
		return field.ErrorList{field.NotSupported(p, d, []string{"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"})}
	}
}
