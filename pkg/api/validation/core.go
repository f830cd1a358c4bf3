package validation

import (
	"net"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// ValidateNamespace checks a new namespace (name a DNS-1123 label).
func ValidateNamespace(ns *core.Namespace) field.ErrorList {
	errs := ValidateObjectMeta(&ns.ObjectMeta, false, NameIsDNSLabel, field.NewPath("metadata"))
	return append(errs, validateNamespaceSpec(ns, field.NewPath("spec"))...)
}

func validateNamespaceSpec(ns *core.Namespace, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, f := range ns.Spec.Finalizers {
		if msgs := names.IsQualifiedName(string(f)); len(msgs) != 0 {
			errs = invalidEach(errs, p.Child("finalizers").Index(i), f, msgs)
		}
	}
	switch ns.Status.Phase {
	case "", core.NamespaceActive, core.NamespaceTerminating:
	default:
		errs = append(errs, field.NotSupported(field.NewPath("status", "phase"), ns.Status.Phase, []string{"Active", "Terminating"}))
	}
	return errs
}

// ValidateNamespaceUpdate checks a namespace update.
func ValidateNamespaceUpdate(newNs, oldNs *core.Namespace) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newNs.ObjectMeta, &oldNs.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateNamespaceSpec(newNs, field.NewPath("spec"))...)
}

// ValidateNode checks a new node.
func ValidateNode(n *core.Node) field.ErrorList {
	errs := ValidateObjectMeta(&n.ObjectMeta, false, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateNodeSpecStatus(n)...)
}

func validateNodeSpecStatus(n *core.Node) field.ErrorList {
	sp := field.NewPath("spec")
	errs := ValidateTaints(n.Spec.Taints, sp.Child("taints"))
	for i, c := range append([]string{n.Spec.PodCIDR}, n.Spec.PodCIDRs...) {
		if c == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(c); err != nil {
			p := sp.Child("podCIDR")
			if i > 0 {
				p = sp.Child("podCIDRs").Index(i - 1)
			}
			errs = append(errs, field.Invalid(p, c, "must be a valid CIDR"))
		}
	}
	st := field.NewPath("status")
	errs = append(errs, validateResourceList(n.Status.Capacity, st.Child("capacity"))...)
	errs = append(errs, validateResourceList(n.Status.Allocatable, st.Child("allocatable"))...)
	for i, a := range n.Status.Addresses {
		if a.Address == "" {
			errs = append(errs, field.Required(st.Child("addresses").Index(i).Child("address"), ""))
		}
	}
	if port := n.Status.DaemonEndpoints.KubeletEndpoint.Port; port != 0 {
		errs = invalidEach(errs, st.Child("daemonEndpoints", "kubeletEndpoint", "Port"), port, names.IsValidPortNum(int(port)))
	}
	return errs
}

// ValidateTaints checks node taints: key, value, effect, and unique key+effect.
func ValidateTaints(taints []core.Taint, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, t := range taints {
		p := fldPath.Index(i)
		errs = invalidEach(errs, p.Child("key"), t.Key, names.IsQualifiedName(t.Key))
		errs = invalidEach(errs, p.Child("value"), t.Value, names.IsValidLabelValue(t.Value))
		if t.Effect == "" {
			errs = append(errs, field.Required(p.Child("effect"), ""))
		} else if !validTaintEffect(t.Effect) {
			errs = append(errs, field.NotSupported(p.Child("effect"), t.Effect, taintEffects))
		}
		k := t.Key + ":" + string(t.Effect)
		if seen[k] {
			errs = append(errs, field.Duplicate(p, "taints must be unique by key and effect pair"))
		}
		seen[k] = true
	}
	return errs
}

// ValidateNodeUpdate checks a node update; podCIDR and providerID may only
// be set once.
func ValidateNodeUpdate(newNode, oldNode *core.Node) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newNode.ObjectMeta, &oldNode.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateNodeSpecStatus(newNode)...)
	sp := field.NewPath("spec")
	if oldNode.Spec.PodCIDR != "" && newNode.Spec.PodCIDR != oldNode.Spec.PodCIDR {
		errs = append(errs, field.Forbidden(sp.Child("podCIDR"), "node updates may not change podCIDR except from \"\" to valid"))
	}
	if oldNode.Spec.ProviderID != "" && newNode.Spec.ProviderID != oldNode.Spec.ProviderID {
		errs = append(errs, field.Forbidden(sp.Child("providerID"), "node updates may not change providerID except from \"\" to valid"))
	}
	return errs
}

// ValidateEndpoints checks an endpoints object.
func ValidateEndpoints(e *core.Endpoints) field.ErrorList {
	errs := ValidateObjectMeta(&e.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateEndpointSubsets(e.Subsets, field.NewPath("subsets"))...)
}

// ValidateEndpointsUpdate checks an endpoints update.
func ValidateEndpointsUpdate(newE, oldE *core.Endpoints) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newE.ObjectMeta, &oldE.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateEndpointSubsets(newE.Subsets, field.NewPath("subsets"))...)
}

func validateEndpointSubsets(subsets []core.EndpointSubset, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ss := range subsets {
		p := fldPath.Index(i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, field.Required(p, "must specify `addresses` or `notReadyAddresses`"))
		}
		for k, addrs := range [][]core.EndpointAddress{ss.Addresses, ss.NotReadyAddresses} {
			name := []string{"addresses", "notReadyAddresses"}[k]
			for j, a := range addrs {
				ap := p.Child(name).Index(j)
				errs = invalidEach(errs, ap.Child("ip"), a.IP, names.IsValidIP(a.IP))
				if a.NodeName != nil {
					errs = invalidEach(errs, ap.Child("nodeName"), *a.NodeName, names.IsDNS1123Subdomain(*a.NodeName))
				}
			}
		}
		seen := map[string]bool{}
		for j, port := range ss.Ports {
			pp := p.Child("ports").Index(j)
			if len(ss.Ports) > 1 && port.Name == "" {
				errs = append(errs, field.Required(pp.Child("name"), ""))
			} else if port.Name != "" {
				errs = invalidEach(errs, pp.Child("name"), port.Name, names.IsDNS1123Label(port.Name))
				if seen[port.Name] {
					errs = append(errs, field.Duplicate(pp.Child("name"), port.Name))
				}
				seen[port.Name] = true
			}
			errs = invalidEach(errs, pp.Child("port"), port.Port, names.IsValidPortNum(int(port.Port)))
			errs = append(errs, validateProtocol(port.Protocol, pp.Child("protocol"))...)
		}
	}
	return errs
}

// ValidateEvent checks a core/v1 event.
func ValidateEvent(e *core.Event) field.ErrorList {
	errs := ValidateObjectMeta(&e.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	io := field.NewPath("involvedObject")
	if e.InvolvedObject.Namespace != "" && e.InvolvedObject.Namespace != e.Namespace {
		errs = append(errs, field.Invalid(io.Child("namespace"), e.InvolvedObject.Namespace, "does not match event.namespace"))
	}
	if e.InvolvedObject.Kind == "" {
		errs = append(errs, field.Required(io.Child("kind"), ""))
	}
	switch e.Type {
	case "", core.EventTypeNormal, core.EventTypeWarning:
	default:
		errs = append(errs, field.NotSupported(field.NewPath("type"), e.Type, []string{"Normal", "Warning"}))
	}
	if !e.EventTime.IsZero() {
		if e.ReportingController == "" {
			errs = append(errs, field.Required(field.NewPath("reportingController"), ""))
		}
		if e.ReportingInstance == "" {
			errs = append(errs, field.Required(field.NewPath("reportingInstance"), ""))
		}
		if e.Action == "" {
			errs = append(errs, field.Required(field.NewPath("action"), ""))
		}
		if e.Reason == "" {
			errs = append(errs, field.Required(field.NewPath("reason"), ""))
		}
	}
	for k, v := range []string{e.Action, e.Reason} {
		name := []string{"action", "reason"}[k]
		if len(v) > 128 {
			errs = append(errs, field.TooLong(field.NewPath(name), v, 128))
		}
	}
	if e.Count < 0 {
		errs = append(errs, field.Invalid(field.NewPath("count"), e.Count, "must be greater than or equal to 0"))
	}
	return errs
}

// ValidateEventUpdate checks an event update.
func ValidateEventUpdate(newE, oldE *core.Event) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newE.ObjectMeta, &oldE.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidateImmutableField(newE.InvolvedObject, oldE.InvolvedObject, field.NewPath("involvedObject"))...)
	ev := *newE
	ev.ObjectMeta = oldE.ObjectMeta
	for _, e := range ValidateEvent(&ev) {
		if e.Field != "metadata.name" {
			errs = append(errs, e)
		}
	}
	return errs
}
