package validation

import (
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

// validFieldPaths are the env fieldRef paths Kubernetes allows besides
// metadata.labels['k'] and metadata.annotations['k'] (the whole maps only in
// downward API volumes: validVolumeFieldPaths).
var validFieldPaths = []string{
	"metadata.name", "metadata.namespace", "metadata.uid",
	"spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs",
}

var validResourceFields = []string{
	"limits.cpu", "limits.memory", "limits.ephemeral-storage",
	"requests.cpu", "requests.memory", "requests.ephemeral-storage",
}

func validateEnv(env []core.EnvVar, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ev := range env {
		p := fldPath.Index(i)
		if ev.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else {
			errs = invalidEach(errs, p.Child("name"), ev.Name, names.IsEnvVarName(ev.Name))
		}
		if ev.ValueFrom != nil {
			errs = append(errs, validateEnvVarSource(ev.ValueFrom, p.Child("valueFrom"))...)
			if ev.Value != "" {
				errs = append(errs, field.Invalid(p.Child("valueFrom"), "", "may not be specified when `value` is not empty"))
			}
		}
	}
	return errs
}

func validateEnvVarSource(s *core.EnvVarSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	if s.FieldRef != nil {
		n++
		errs = append(errs, validateFieldRef(s.FieldRef, fldPath.Child("fieldRef"))...)
	}
	if s.ResourceFieldRef != nil {
		n++
		if !contains(validResourceFields, s.ResourceFieldRef.Resource) {
			errs = append(errs, field.NotSupported(fldPath.Child("resourceFieldRef", "resource"), s.ResourceFieldRef.Resource, validResourceFields))
		}
	}
	if r := s.ConfigMapKeyRef; r != nil {
		n++
		errs = append(errs, validateKeyRef(r.Name, r.Key, fldPath.Child("configMapKeyRef"))...)
	}
	if r := s.SecretKeyRef; r != nil {
		n++
		errs = append(errs, validateKeyRef(r.Name, r.Key, fldPath.Child("secretKeyRef"))...)
	}
	switch {
	case n == 0:
		errs = append(errs, field.Invalid(fldPath, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"))
	case n > 1:
		errs = append(errs, field.Invalid(fldPath, "", "may not have more than one field specified at a time"))
	}
	return errs
}

func validateFieldRef(r *core.ObjectFieldSelector, p *field.Path) field.ErrorList {
	if r.FieldPath == "" {
		return field.ErrorList{field.Required(p.Child("fieldPath"), "")}
	}
	if r.APIVersion != "" && r.APIVersion != "v1" {
		return field.ErrorList{field.NotSupported(p.Child("apiVersion"), r.APIVersion, []string{"v1"})}
	}
	fp := r.FieldPath
	for _, prefix := range []string{"metadata.labels['", "metadata.annotations['"} {
		if strings.HasPrefix(fp, prefix) && strings.HasSuffix(fp, "']") {
			key := fp[len(prefix) : len(fp)-2]
			return invalidEach(nil, p.Child("fieldPath"), fp, names.IsQualifiedName(strings.ToLower(key)))
		}
	}
	if !contains(validFieldPaths, fp) {
		return field.ErrorList{field.NotSupported(p.Child("fieldPath"), fp, validFieldPaths)}
	}
	return nil
}

func validateKeyRef(name, key string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if name == "" {
		errs = append(errs, field.Required(p.Child("name"), ""))
	}
	if key == "" {
		errs = append(errs, field.Required(p.Child("key"), ""))
	} else {
		errs = invalidEach(errs, p.Child("key"), key, names.IsConfigMapKey(key))
	}
	return errs
}

func validateEnvFrom(from []core.EnvFromSource, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, ef := range from {
		p := fldPath.Index(i)
		if ef.Prefix != "" {
			errs = invalidEach(errs, p.Child("prefix"), ef.Prefix, names.IsEnvVarName(ef.Prefix))
		}
		n := 0
		if ef.ConfigMapRef != nil {
			n++
			errs = validateRefName(errs, ef.ConfigMapRef.Name, p.Child("configMapRef", "name"))
		}
		if ef.SecretRef != nil {
			n++
			errs = validateRefName(errs, ef.SecretRef.Name, p.Child("secretRef", "name"))
		}
		switch {
		case n == 0:
			errs = append(errs, field.Invalid(p, "", "must specify one of: `configMapRef` or `secretRef`"))
		case n > 1:
			errs = append(errs, field.Invalid(p, "", "may not have more than one field specified at a time"))
		}
	}
	return errs
}

func validateRefName(errs field.ErrorList, name string, p *field.Path) field.ErrorList {
	if name == "" {
		return append(errs, field.Required(p, ""))
	}
	return invalidEach(errs, p, name, names.IsDNS1123Subdomain(name))
}

// validateVolumes checks volumes and returns the set of their names.
func validateVolumes(vols []core.Volume, fldPath *field.Path) (map[string]bool, field.ErrorList) {
	var errs field.ErrorList
	seen := map[string]bool{}
	for i := range vols {
		v := &vols[i]
		p := fldPath.Index(i)
		switch {
		case v.Name == "":
			errs = append(errs, field.Required(p.Child("name"), ""))
		case seen[v.Name]:
			errs = append(errs, field.Duplicate(p.Child("name"), v.Name))
		default:
			errs = invalidEach(errs, p.Child("name"), v.Name, names.IsDNS1123Label(v.Name))
		}
		seen[v.Name] = true
		errs = append(errs, validateVolumeSource(&v.VolumeSource, p)...)
	}
	return seen, errs
}

func validateVolumeSource(s *core.VolumeSource, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	n := 0
	if s.HostPath != nil {
		n++
		if s.HostPath.Path == "" {
			errs = append(errs, field.Required(p.Child("hostPath", "path"), ""))
		}
		if t := s.HostPath.Type; t != nil && !contains(hostPathTypes, string(*t)) {
			errs = append(errs, field.NotSupported(p.Child("hostPath", "type"), string(*t), hostPathTypes))
		}
	}
	if s.EmptyDir != nil {
		n++
		if s.EmptyDir.SizeLimit != nil && s.EmptyDir.SizeLimit.Sign() < 0 {
			errs = append(errs, field.Invalid(p.Child("emptyDir", "sizeLimit"), s.EmptyDir.SizeLimit.String(), "must be greater than or equal to 0"))
		}
	}
	if s.Secret != nil {
		n++
		if s.Secret.SecretName == "" {
			errs = append(errs, field.Required(p.Child("secret", "secretName"), ""))
		}
		errs = append(errs, validateProjection(s.Secret.Items, s.Secret.DefaultMode, p.Child("secret"))...)
	}
	if s.ConfigMap != nil {
		n++
		if s.ConfigMap.Name == "" {
			errs = append(errs, field.Required(p.Child("configMap", "name"), ""))
		}
		errs = append(errs, validateProjection(s.ConfigMap.Items, s.ConfigMap.DefaultMode, p.Child("configMap"))...)
	}
	if s.DownwardAPI != nil {
		n++
		errs = append(errs, validateMode(s.DownwardAPI.DefaultMode, p.Child("downwardAPI", "defaultMode"))...)
		errs = append(errs, validateDownwardAPIFiles(s.DownwardAPI.Items, p.Child("downwardAPI", "items"))...)
	}
	if s.Projected != nil {
		n++
		errs = append(errs, validateProjected(s.Projected, p.Child("projected"))...)
	}
	if s.PersistentVolumeClaim != nil {
		n++
		errs = append(errs, ValidatePersistentVolumeClaimVolumeSource(s.PersistentVolumeClaim, p.Child("persistentVolumeClaim"))...)
	}
	switch {
	case n == 0:
		errs = append(errs, field.Required(p, "must specify a volume type"))
	case n > 1:
		errs = append(errs, field.Forbidden(p, "may not specify more than 1 volume type"))
	}
	return errs
}

var hostPathTypes = []string{string(core.HostPathUnset), string(core.HostPathDirectoryOrCreate),
	string(core.HostPathDirectory), string(core.HostPathFileOrCreate), string(core.HostPathFile),
	string(core.HostPathSocket), string(core.HostPathCharDev), string(core.HostPathBlockDev)}

// validVolumeFieldPaths are the fieldRef paths a downward API volume may
// project besides metadata.labels['k'] and metadata.annotations['k'].
var validVolumeFieldPaths = []string{"metadata.name", "metadata.namespace", "metadata.uid",
	"metadata.labels", "metadata.annotations"}

const modeMsg = "must be a number between 0 and 0777 (octal), both inclusive"

func validateMode(mode *int32, p *field.Path) field.ErrorList {
	if mode != nil && (*mode < 0 || *mode > 0o777) {
		return field.ErrorList{field.Invalid(p, *mode, modeMsg)}
	}
	return nil
}

// validateFilePath checks the relative path of a projected file.
func validateFilePath(path string, p *field.Path) field.ErrorList {
	switch {
	case path == "":
		return field.ErrorList{field.Required(p, "")}
	case strings.HasPrefix(path, "/"):
		return field.ErrorList{field.Invalid(p, path, "must be a relative path")}
	case strings.Contains("/"+path+"/", "/../"):
		return field.ErrorList{field.Invalid(p, path, "must not contain '..'")}
	case strings.HasPrefix(path, ".."):
		return field.ErrorList{field.Invalid(p, path, "must not start with '..'")}
	}
	return nil
}

func validateProjection(items []core.KeyToPath, mode *int32, p *field.Path) field.ErrorList {
	errs := validateMode(mode, p.Child("defaultMode"))
	return append(errs, validateKeyToPaths(items, p.Child("items"))...)
}

func validateKeyToPaths(items []core.KeyToPath, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, it := range items {
		ip := p.Index(i)
		if it.Key == "" {
			errs = append(errs, field.Required(ip.Child("key"), ""))
		}
		errs = append(errs, validateFilePath(it.Path, ip.Child("path"))...)
		errs = append(errs, validateMode(it.Mode, ip.Child("mode"))...)
	}
	return errs
}

func validateDownwardAPIFiles(items []core.DownwardAPIVolumeFile, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, it := range items {
		ip := p.Index(i)
		errs = append(errs, validateFilePath(it.Path, ip.Child("path"))...)
		errs = append(errs, validateMode(it.Mode, ip.Child("mode"))...)
		switch {
		case it.FieldRef != nil && it.ResourceFieldRef != nil:
			errs = append(errs, field.Invalid(ip, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		case it.FieldRef != nil:
			fp := it.FieldRef.FieldPath
			if contains(validVolumeFieldPaths, fp) {
				break
			}
			if !strings.HasPrefix(fp, "metadata.labels['") && !strings.HasPrefix(fp, "metadata.annotations['") &&
				fp != "" {
				errs = append(errs, field.NotSupported(ip.Child("fieldRef", "fieldPath"), fp, validVolumeFieldPaths))
				break
			}
			errs = append(errs, validateFieldRef(it.FieldRef, ip.Child("fieldRef"))...)
		case it.ResourceFieldRef != nil:
			r := it.ResourceFieldRef
			if r.ContainerName == "" {
				errs = append(errs, field.Required(ip.Child("resourceFieldRef", "containerName"), ""))
			}
			if !contains(validResourceFields, r.Resource) {
				errs = append(errs, field.NotSupported(ip.Child("resourceFieldRef", "resource"), r.Resource, validResourceFields))
			}
		default:
			errs = append(errs, field.Required(ip, "one of fieldRef and resourceFieldRef is required"))
		}
	}
	return errs
}

func validateProjected(s *core.ProjectedVolumeSource, p *field.Path) field.ErrorList {
	errs := validateMode(s.DefaultMode, p.Child("defaultMode"))
	for i, src := range s.Sources {
		sp := p.Child("sources").Index(i)
		n := 0
		if src.Secret != nil {
			n++
			errs = validateRefName(errs, src.Secret.Name, sp.Child("secret", "name"))
			errs = append(errs, validateKeyToPaths(src.Secret.Items, sp.Child("secret", "items"))...)
		}
		if src.ConfigMap != nil {
			n++
			errs = validateRefName(errs, src.ConfigMap.Name, sp.Child("configMap", "name"))
			errs = append(errs, validateKeyToPaths(src.ConfigMap.Items, sp.Child("configMap", "items"))...)
		}
		if src.DownwardAPI != nil {
			n++
			errs = append(errs, validateDownwardAPIFiles(src.DownwardAPI.Items, sp.Child("downwardAPI", "items"))...)
		}
		if t := src.ServiceAccountToken; t != nil {
			n++
			errs = append(errs, validateFilePath(t.Path, sp.Child("serviceAccountToken", "path"))...)
			if t.ExpirationSeconds != nil && *t.ExpirationSeconds < 600 {
				errs = append(errs, field.Invalid(sp.Child("serviceAccountToken", "expirationSeconds"), *t.ExpirationSeconds,
					"may not specify a duration less than 10 minutes"))
			}
		}
		switch {
		case n == 0:
			errs = append(errs, field.Required(sp, "must specify a volume projection type"))
		case n > 1:
			errs = append(errs, field.Forbidden(sp, "may not specify more than 1 volume type per source"))
		}
	}
	return errs
}

func validateVolumeMounts(mounts []core.VolumeMount, vols map[string]bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	paths := map[string]bool{}
	for i, m := range mounts {
		p := fldPath.Index(i)
		if m.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), ""))
		} else if !vols[m.Name] {
			errs = append(errs, field.NotFound(p.Child("name"), m.Name))
		}
		if m.MountPath == "" {
			errs = append(errs, field.Required(p.Child("mountPath"), ""))
		} else if paths[m.MountPath] {
			errs = append(errs, field.Invalid(p.Child("mountPath"), m.MountPath, "must be unique"))
		}
		paths[m.MountPath] = true
		if m.SubPath != "" && m.SubPathExpr != "" {
			errs = append(errs, field.Invalid(p.Child("subPathExpr"), m.SubPathExpr, "subPathExpr and subPath are mutually exclusive"))
		}
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
