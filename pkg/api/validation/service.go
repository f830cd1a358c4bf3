package validation

import (
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// ValidateService checks a new service (name a DNS-1035 label).
func ValidateService(svc *core.Service) field.ErrorList {
	errs := ValidateObjectMeta(&svc.ObjectMeta, true, NameIsDNS1035Label, field.NewPath("metadata"))
	return append(errs, validateServiceSpec(&svc.Spec, field.NewPath("spec"))...)
}

func validateServiceSpec(s *core.ServiceSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch s.Type {
	case core.ServiceTypeClusterIP, core.ServiceTypeNodePort, core.ServiceTypeLoadBalancer:
	case core.ServiceTypeExternalName:
		if s.ExternalName == "" {
			errs = append(errs, field.Required(p.Child("externalName"), ""))
		} else {
			errs = invalidEach(errs, p.Child("externalName"), s.ExternalName, names.IsDNS1123Subdomain(s.ExternalName))
		}
	case "":
		errs = append(errs, field.Required(p.Child("type"), ""))
	default:
		errs = append(errs, field.NotSupported(p.Child("type"), s.Type, []string{"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}))
	}
	headless := s.ClusterIP == core.ClusterIPNone
	if len(s.Ports) == 0 && !headless && s.Type != core.ServiceTypeExternalName {
		errs = append(errs, field.Required(p.Child("ports"), ""))
	}
	errs = append(errs, validateServicePorts(s, p.Child("ports"))...)
	if s.ClusterIP != "" && !headless {
		errs = invalidEach(errs, p.Child("clusterIP"), s.ClusterIP, names.IsValidIP(s.ClusterIP))
	}
	for i, ip := range s.ClusterIPs {
		if ip != core.ClusterIPNone {
			errs = invalidEach(errs, p.Child("clusterIPs").Index(i), ip, names.IsValidIP(ip))
		}
	}
	for i, ip := range s.ExternalIPs {
		errs = invalidEach(errs, p.Child("externalIPs").Index(i), ip, names.IsValidIP(ip))
	}
	switch s.SessionAffinity {
	case core.ServiceAffinityNone, core.ServiceAffinityClientIP:
	case "":
		errs = append(errs, field.Required(p.Child("sessionAffinity"), ""))
	default:
		errs = append(errs, field.NotSupported(p.Child("sessionAffinity"), s.SessionAffinity, []string{"ClientIP", "None"}))
	}
	errs = append(errs, ValidateLabels(s.Selector, p.Child("selector"))...)
	external := s.Type == core.ServiceTypeNodePort || s.Type == core.ServiceTypeLoadBalancer
	switch {
	case s.ExternalTrafficPolicy == "":
	case !external:
		errs = append(errs, field.Invalid(p.Child("externalTrafficPolicy"), s.ExternalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"))
	case s.ExternalTrafficPolicy != core.ServiceExternalTrafficPolicyCluster && s.ExternalTrafficPolicy != core.ServiceExternalTrafficPolicyLocal:
		errs = append(errs, field.NotSupported(p.Child("externalTrafficPolicy"), s.ExternalTrafficPolicy, []string{"Cluster", "Local"}))
	}
	return errs
}

func validateServicePorts(s *core.ServiceSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	external := s.Type == core.ServiceTypeNodePort || s.Type == core.ServiceTypeLoadBalancer
	for i, sp := range s.Ports {
		p := fldPath.Index(i)
		if len(s.Ports) > 1 && sp.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else if sp.Name != "" {
			errs = invalidEach(errs, p.Child("name"), sp.Name, names.IsDNS1123Label(sp.Name))
			if seen[sp.Name] {
				errs = append(errs, field.Duplicate(p.Child("name"), sp.Name))
			}
			seen[sp.Name] = true
		}
		errs = invalidEach(errs, p.Child("port"), sp.Port, names.IsValidPortNum(int(sp.Port)))
		errs = append(errs, validateProtocol(sp.Protocol, p.Child("protocol"))...)
		if sp.TargetPort.Type == intstr.Int {
			errs = invalidEach(errs, p.Child("targetPort"), sp.TargetPort.IntVal, names.IsValidPortNum(int(sp.TargetPort.IntVal)))
		} else {
			errs = invalidEach(errs, p.Child("targetPort"), sp.TargetPort.StrVal, names.IsValidPortName(sp.TargetPort.StrVal))
		}
		if sp.NodePort != 0 {
			if !external {
				errs = append(errs, field.Forbidden(p.Child("nodePort"), "may not be used when `type` is '"+string(s.Type)+"'"))
			}
			errs = invalidEach(errs, p.Child("nodePort"), sp.NodePort, names.IsValidPortNum(int(sp.NodePort)))
		}
	}
	return errs
}

// ValidateServiceUpdate checks a service update; clusterIP may not change
// once set (except to or from ExternalName).
func ValidateServiceUpdate(newSvc, oldSvc *core.Service) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newSvc.ObjectMeta, &oldSvc.ObjectMeta, field.NewPath("metadata"))
	p := field.NewPath("spec")
	errs = append(errs, validateServiceSpec(&newSvc.Spec, p)...)
	if newSvc.Spec.Type != core.ServiceTypeExternalName && oldSvc.Spec.Type != core.ServiceTypeExternalName &&
		oldSvc.Spec.ClusterIP != "" && newSvc.Spec.ClusterIP != oldSvc.Spec.ClusterIP {
		errs = append(errs, field.Invalid(p.Child("clusterIP"), newSvc.Spec.ClusterIP, "field is immutable"))
	}
	return errs
}

// MaxDataSize is the most bytes a ConfigMap's or Secret's data may hold.
const MaxDataSize = 1024 * 1024

// ValidateConfigMap checks keys and the total size.
func ValidateConfigMap(cm *core.ConfigMap) field.ErrorList {
	errs := ValidateObjectMeta(&cm.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	total := 0
	for k, v := range cm.Data {
		errs = invalidEach(errs, field.NewPath("data").Key(k), k, names.IsConfigMapKey(k))
		total += len(v)
	}
	for k, v := range cm.BinaryData {
		errs = invalidEach(errs, field.NewPath("binaryData").Key(k), k, names.IsConfigMapKey(k))
		if _, dup := cm.Data[k]; dup {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, "duplicate of key present in binaryData"))
		}
		total += len(v)
	}
	if total > MaxDataSize {
		errs = append(errs, field.TooLong(field.NewPath("data"), "", MaxDataSize))
	}
	return errs
}

// ValidateConfigMapUpdate checks an update; an immutable config map keeps its data.
func ValidateConfigMapUpdate(newCM, oldCM *core.ConfigMap) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newCM.ObjectMeta, &oldCM.ObjectMeta, field.NewPath("metadata"))
	if oldCM.Immutable != nil && *oldCM.Immutable {
		if newCM.Immutable == nil || !*newCM.Immutable {
			errs = append(errs, field.Forbidden(field.NewPath("immutable"), "field is immutable when `immutable` is set"))
		}
		if !equalStringMaps(newCM.Data, oldCM.Data) {
			errs = append(errs, field.Forbidden(field.NewPath("data"), "field is immutable when `immutable` is set"))
		}
		if !equalBytesMaps(newCM.BinaryData, oldCM.BinaryData) {
			errs = append(errs, field.Forbidden(field.NewPath("binaryData"), "field is immutable when `immutable` is set"))
		}
	}
	cm := *newCM
	cm.ObjectMeta = oldCM.ObjectMeta
	return append(errs, filterMeta(ValidateConfigMap(&cm))...)
}

// ValidateSecret checks keys, size and the keys each secret type requires.
func ValidateSecret(s *core.Secret) field.ErrorList {
	errs := ValidateObjectMeta(&s.ObjectMeta, true, NameIsDNSSubdomain, field.NewPath("metadata"))
	dp := field.NewPath("data")
	total := 0
	for k, v := range s.Data {
		errs = invalidEach(errs, dp.Key(k), k, names.IsConfigMapKey(k))
		total += len(v)
	}
	for k, v := range s.StringData {
		errs = invalidEach(errs, field.NewPath("stringData").Key(k), k, names.IsConfigMapKey(k))
		total += len(v)
	}
	if total > MaxDataSize {
		errs = append(errs, field.TooLong(dp, "", MaxDataSize))
	}
	has := func(k string) bool {
		_, a := s.Data[k]
		_, b := s.StringData[k]
		return a || b
	}
	switch s.Type {
	case core.SecretTypeServiceAccountToken:
		if s.Annotations["kubernetes.io/service-account.name"] == "" {
			errs = append(errs, field.Required(field.NewPath("metadata", "annotations").Key("kubernetes.io/service-account.name"), ""))
		}
	case core.SecretTypeDockerConfigJSON:
		if !has(".dockerconfigjson") {
			errs = append(errs, field.Required(dp.Key(".dockerconfigjson"), ""))
		}
	case core.SecretTypeBasicAuth:
		if !has("username") && !has("password") {
			errs = append(errs, field.Required(dp.Key("username"), ""), field.Required(dp.Key("password"), ""))
		}
	case core.SecretTypeSSHAuth:
		if !has("ssh-privatekey") {
			errs = append(errs, field.Required(dp.Key("ssh-privatekey"), ""))
		}
	case core.SecretTypeTLS:
		for _, k := range []string{"tls.crt", "tls.key"} {
			if !has(k) {
				errs = append(errs, field.Required(dp.Key(k), ""))
			}
		}
	case "":
		errs = append(errs, field.Required(field.NewPath("type"), ""))
	}
	return errs
}

// ValidateSecretUpdate checks an update; type is immutable, and an
// immutable secret keeps its data.
func ValidateSecretUpdate(newS, oldS *core.Secret) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newS.ObjectMeta, &oldS.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidateImmutableField(newS.Type, oldS.Type, field.NewPath("type"))...)
	if oldS.Immutable != nil && *oldS.Immutable {
		if newS.Immutable == nil || !*newS.Immutable {
			errs = append(errs, field.Forbidden(field.NewPath("immutable"), "field is immutable when `immutable` is set"))
		}
		if !equalBytesMaps(newS.Data, oldS.Data) {
			errs = append(errs, field.Forbidden(field.NewPath("data"), "field is immutable when `immutable` is set"))
		}
	}
	s := *newS
	s.ObjectMeta = oldS.ObjectMeta
	return append(errs, filterMeta(ValidateSecret(&s))...)
}

// filterMeta drops metadata errors (already reported by the update check).
func filterMeta(errs field.ErrorList) field.ErrorList {
	var out field.ErrorList
	for _, e := range errs {
		if len(e.Field) < 9 || e.Field[:9] != "metadata." {
			out = append(out, e)
		}
	}
	return out
}

func equalStringMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func equalBytesMaps(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || string(w) != string(v) {
			return false
		}
	}
	return true
}
