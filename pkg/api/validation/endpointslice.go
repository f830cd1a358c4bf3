package validation

import (
	"net"

	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// Kubernetes' bounds on one EndpointSlice.
const (
	maxSliceEndpoints = 1000
	maxSliceAddresses = 100
	maxSlicePorts     = 20000
)

var supportedAddressTypes = []string{
	string(discovery.AddressTypeIPv4), string(discovery.AddressTypeIPv6), string(discovery.AddressTypeFQDN),
}

// ValidateEndpointSlice checks a slice as Kubernetes does: a DNS-subdomain
// name, a supported addressType, endpoints with 1 to 100 addresses of that
// type, DNS names for hostname and nodeName, and ports with unique
// DNS-label names, a protocol and a qualified appProtocol.
func ValidateEndpointSlice(s *discovery.EndpointSlice) field.ErrorList {
	errs := ValidateObjectMeta(&s.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	at := field.NewPath("addressType")
	switch {
	case s.AddressType == "":
		errs = append(errs, field.Required(at, ""))
	case !contains(supportedAddressTypes, string(s.AddressType)):
		errs = append(errs, field.NotSupported(at, s.AddressType, supportedAddressTypes))
	default:
		errs = append(errs, validateSliceEndpoints(s.Endpoints, s.AddressType, field.NewPath("endpoints"))...)
	}
	return append(errs, validateSlicePorts(s.Ports, field.NewPath("ports"))...)
}

// ValidateEndpointSliceUpdate checks an update: addressType is immutable.
func ValidateEndpointSliceUpdate(newS, oldS *discovery.EndpointSlice) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newS.ObjectMeta, &oldS.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidateEndpointSlice(newS)...)
	return append(errs, ValidateImmutableField(newS.AddressType, oldS.AddressType, field.NewPath("addressType"))...)
}

func validateSliceEndpoints(eps []discovery.Endpoint, at discovery.AddressType, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(eps) > maxSliceEndpoints {
		errs = append(errs, field.TooMany(p, len(eps), maxSliceEndpoints))
	}
	for i, ep := range eps {
		ip := p.Index(i)
		ap := ip.Child("addresses")
		switch {
		case len(ep.Addresses) == 0:
			errs = append(errs, field.Required(ap, "must contain at least 1 address"))
		case len(ep.Addresses) > maxSliceAddresses:
			errs = append(errs, field.TooMany(ap, len(ep.Addresses), maxSliceAddresses))
		}
		for j, a := range ep.Addresses {
			errs = invalidEach(errs, ap.Index(j), a, addressErrors(a, at))
		}
		if ep.NodeName != nil {
			errs = invalidEach(errs, ip.Child("nodeName"), *ep.NodeName, names.IsDNS1123Subdomain(*ep.NodeName))
		}
		if ep.Hostname != nil {
			errs = invalidEach(errs, ip.Child("hostname"), *ep.Hostname, names.IsDNS1123Label(*ep.Hostname))
		}
		errs = append(errs, ValidateLabels(ep.DeprecatedTopology, ip.Child("deprecatedTopology"))...)
	}
	return errs
}

// addressErrors checks one address against the slice's type.
func addressErrors(a string, at discovery.AddressType) []string {
	switch at {
	case discovery.AddressTypeFQDN:
		return names.IsDNS1123Subdomain(a)
	case discovery.AddressTypeIPv4:
		if ip := net.ParseIP(a); ip == nil || ip.To4() == nil {
			return []string{"must be a valid IPv4 address"}
		}
	case discovery.AddressTypeIPv6:
		if ip := net.ParseIP(a); ip == nil || ip.To4() != nil {
			return []string{"must be a valid IPv6 address"}
		}
	}
	return nil
}

func validateSlicePorts(ports []discovery.EndpointPort, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(ports) > maxSlicePorts {
		errs = append(errs, field.TooMany(p, len(ports), maxSlicePorts))
	}
	seen := map[string]bool{}
	for i, port := range ports {
		pp := p.Index(i)
		name := deref(port.Name)
		if name != "" {
			errs = invalidEach(errs, pp.Child("name"), name, names.IsDNS1123Label(name))
		}
		if seen[name] {
			errs = append(errs, field.Duplicate(pp.Child("name"), name))
		}
		seen[name] = true
		if port.Port != nil {
			errs = invalidEach(errs, pp.Child("port"), *port.Port, names.IsValidPortNum(int(*port.Port)))
		}
		if port.Protocol == nil {
			errs = append(errs, field.Required(pp.Child("protocol"), ""))
		} else {
			errs = append(errs, validateProtocol(*port.Protocol, pp.Child("protocol"))...)
		}
		if port.AppProtocol != nil {
			errs = invalidEach(errs, pp.Child("appProtocol"), *port.AppProtocol, names.IsQualifiedName(*port.AppProtocol))
		}
	}
	return errs
}
