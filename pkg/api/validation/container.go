package validation

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

var supportedProtocols = []string{"TCP", "UDP", "SCTP"}

func validateProtocol(p core.Protocol, path *field.Path) field.ErrorList {
	switch p {
	case core.ProtocolTCP, core.ProtocolUDP, core.ProtocolSCTP:
		return nil
	case "":
		return field.ErrorList{field.Required(path, "")}
	default:
		return field.ErrorList{field.NotSupported(path, p, supportedProtocols)}
	}
}

// validateContainers checks containers; seen collects names across init
// and regular containers so duplicates are caught between the two lists.
func validateContainers(cs []core.Container, vols map[string]bool, seen map[string]bool, hostNetwork, init bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range cs {
		c := &cs[i]
		p := fldPath.Index(i)
		switch {
		case c.Name == "":
			errs = append(errs, field.Required(p.Child("name"), ""))
		case seen[c.Name]:
			errs = append(errs, field.Duplicate(p.Child("name"), c.Name))
		default:
			errs = invalidEach(errs, p.Child("name"), c.Name, names.IsDNS1123Label(c.Name))
		}
		seen[c.Name] = true
		if c.Image == "" {
			errs = append(errs, field.Required(p.Child("image"), ""))
		} else if strings.TrimSpace(c.Image) != c.Image {
			errs = append(errs, field.Invalid(p.Child("image"), c.Image, "must not have leading or trailing whitespace"))
		}
		errs = append(errs, validateContainerPorts(c.Ports, hostNetwork, p.Child("ports"))...)
		errs = append(errs, validateEnv(c.Env, p.Child("env"))...)
		errs = append(errs, validateEnvFrom(c.EnvFrom, p.Child("envFrom"))...)
		errs = append(errs, validateVolumeMounts(c.VolumeMounts, vols, p.Child("volumeMounts"))...)
		errs = append(errs, ValidateResourceRequirements(&c.Resources, p.Child("resources"))...)
		errs = append(errs, validateContainerProbes(c, init, p)...)
		errs = append(errs, validateLifecycle(c.Lifecycle, p.Child("lifecycle"))...)
		errs = append(errs, validatePullPolicy(c.ImagePullPolicy, p.Child("imagePullPolicy"))...)
		errs = append(errs, validateTerminationMessagePolicy(c.TerminationMessagePolicy, p.Child("terminationMessagePolicy"))...)
		if sc := c.SecurityContext; sc != nil {
			errs = append(errs, validateIDs(sc.RunAsUser, sc.RunAsGroup, p.Child("securityContext"))...)
		}
	}
	return errs
}

func validatePullPolicy(pp core.PullPolicy, p *field.Path) field.ErrorList {
	switch pp {
	case core.PullAlways, core.PullIfNotPresent, core.PullNever:
		return nil
	case "":
		return field.ErrorList{field.Required(p, "")}
	default:
		return field.ErrorList{field.NotSupported(p, pp, []string{"Always", "IfNotPresent", "Never"})}
	}
}

func validateTerminationMessagePolicy(tp core.TerminationMessagePolicy, p *field.Path) field.ErrorList {
	switch tp {
	case core.TerminationMessageReadFile, core.TerminationMessageFallbackToLogsOnError:
		return nil
	case "":
		return field.ErrorList{field.Required(p, "must be 'File' or 'FallbackToLogsOnError'")}
	default:
		return field.ErrorList{field.Invalid(p, tp, "must be 'File' or 'FallbackToLogsOnError'")}
	}
}

func validateContainerPorts(ports []core.ContainerPort, hostNetwork bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	portNames := map[string]bool{}
	for i, port := range ports {
		p := fldPath.Index(i)
		if port.Name != "" {
			errs = invalidEach(errs, p.Child("name"), port.Name, names.IsValidPortName(port.Name))
			if portNames[port.Name] {
				errs = append(errs, field.Duplicate(p.Child("name"), port.Name))
			}
			portNames[port.Name] = true
		}
		if port.ContainerPort == 0 {
			errs = append(errs, field.Required(p.Child("containerPort"), ""))
		} else {
			errs = invalidEach(errs, p.Child("containerPort"), port.ContainerPort, names.IsValidPortNum(int(port.ContainerPort)))
		}
		if port.HostPort != 0 {
			errs = invalidEach(errs, p.Child("hostPort"), port.HostPort, names.IsValidPortNum(int(port.HostPort)))
			if hostNetwork && port.HostPort != port.ContainerPort {
				errs = append(errs, field.Invalid(p.Child("containerPort"), port.ContainerPort, "must match `hostPort` when `hostNetwork` is true"))
			}
		}
		if port.HostIP != "" {
			errs = invalidEach(errs, p.Child("hostIP"), port.HostIP, names.IsValidIP(port.HostIP))
		}
		errs = append(errs, validateProtocol(port.Protocol, p.Child("protocol"))...)
	}
	return errs
}

// standardResources are the names accepted without a domain prefix.
var standardResources = map[core.ResourceName]bool{
	core.ResourceCPU: true, core.ResourceMemory: true, core.ResourcePods: true, core.ResourceEphemeralStorage: true,
}

func validateResourceList(l core.ResourceList, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for name, q := range l {
		p := fldPath.Key(string(name))
		if !standardResources[name] {
			if msgs := names.IsQualifiedName(string(name)); len(msgs) != 0 {
				errs = invalidEach(errs, p, name, msgs)
			} else if !strings.Contains(string(name), "/") {
				errs = append(errs, field.Invalid(p, name, "must be a standard resource type or fully qualified"))
			}
		}
		if q.Sign() < 0 {
			errs = append(errs, field.Invalid(p, q.String(), "must be greater than or equal to 0"))
		}
	}
	return errs
}

// ValidateResourceRequirements checks that quantities are non-negative and
// that no request exceeds its limit.
func ValidateResourceRequirements(r *core.ResourceRequirements, fldPath *field.Path) field.ErrorList {
	errs := validateResourceList(r.Limits, fldPath.Child("limits"))
	errs = append(errs, validateResourceList(r.Requests, fldPath.Child("requests"))...)
	for name, req := range r.Requests {
		lim, ok := r.Limits[name]
		if ok && req.Cmp(lim) > 0 {
			errs = append(errs, field.Invalid(fldPath.Child("requests").Key(string(name)), req.String(),
				fmt.Sprintf("must be less than or equal to %s limit of %s", name, lim.String())))
		}
	}
	return errs
}
