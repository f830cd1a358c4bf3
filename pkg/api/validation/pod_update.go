package validation

import (
	"reflect"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/api/validation/names"
)

const podUpdateForbiddenMsg = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)"

// ValidatePodUpdate checks a pod update: the metadata rules, and a spec
// that differs from the old one only in container images, a new or
// shortened activeDeadlineSeconds, and added tolerations.
func ValidatePodUpdate(newPod, oldPod *core.Pod) field.ErrorList {
	specPath := field.NewPath("spec")
	errs := ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, ValidatePodSpec(&newPod.Spec, specPath)...)
	if len(newPod.Spec.Containers) != len(oldPod.Spec.Containers) || len(newPod.Spec.InitContainers) != len(oldPod.Spec.InitContainers) {
		return append(errs, field.Forbidden(specPath.Child("containers"), "pod updates may not add or remove containers"))
	}
	if nd, od := newPod.Spec.ActiveDeadlineSeconds, oldPod.Spec.ActiveDeadlineSeconds; od != nil {
		if nd == nil {
			errs = append(errs, field.Invalid(specPath.Child("activeDeadlineSeconds"), nil, "must not update from a positive integer to nil value"))
		} else if *nd > *od {
			errs = append(errs, field.Invalid(specPath.Child("activeDeadlineSeconds"), *nd, "must be less than or equal to previous value"))
		}
	}
	errs = append(errs, validateOnlyAddedTolerations(newPod.Spec.Tolerations, oldPod.Spec.Tolerations, specPath.Child("tolerations"))...)

	// Copy the mutable fields onto the old spec; anything else that differs is forbidden.
	mutated := meta.DeepCopy(oldPod.Spec)
	for i := range mutated.Containers {
		mutated.Containers[i].Image = newPod.Spec.Containers[i].Image
	}
	for i := range mutated.InitContainers {
		mutated.InitContainers[i].Image = newPod.Spec.InitContainers[i].Image
	}
	mutated.ActiveDeadlineSeconds = newPod.Spec.ActiveDeadlineSeconds
	mutated.Tolerations = newPod.Spec.Tolerations
	if !equalJSON(newPod.Spec, mutated) {
		errs = append(errs, field.Forbidden(specPath, podUpdateForbiddenMsg))
	}
	return errs
}

// validateOnlyAddedTolerations requires every old toleration to remain; a
// NoExecute toleration may only shorten its tolerationSeconds.
func validateOnlyAddedTolerations(newTols, oldTols []core.Toleration, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, old := range oldTols {
		found := false
		for _, n := range newTols {
			if n.Key != old.Key || n.Operator != old.Operator || n.Value != old.Value || n.Effect != old.Effect {
				continue
			}
			if reflect.DeepEqual(n.TolerationSeconds, old.TolerationSeconds) ||
				(old.TolerationSeconds != nil && n.TolerationSeconds != nil && *n.TolerationSeconds <= *old.TolerationSeconds) {
				found = true
				break
			}
		}
		if !found {
			errs = append(errs, field.Forbidden(p, "existing toleration can not be modified except its tolerationSeconds"))
		}
	}
	return errs
}

// ValidatePodStatusUpdate checks a pods/status write: metadata rules and
// the status fields a kubelet reports.
func ValidatePodStatusUpdate(newPod, oldPod *core.Pod) field.ErrorList {
	errs := ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, field.NewPath("metadata"))
	sp := field.NewPath("status")
	st := &newPod.Status
	errs = append(errs, validateOptionalName(st.NominatedNodeName, names.IsDNS1123Subdomain, sp.Child("nominatedNodeName"))...)
	if st.PodIP != "" {
		errs = invalidEach(errs, sp.Child("podIP"), st.PodIP, names.IsValidIP(st.PodIP))
	}
	for i, ip := range st.PodIPs {
		errs = invalidEach(errs, sp.Child("podIPs").Index(i), ip.IP, names.IsValidIP(ip.IP))
	}
	if st.HostIP != "" {
		errs = invalidEach(errs, sp.Child("hostIP"), st.HostIP, names.IsValidIP(st.HostIP))
	}
	for i, ip := range st.HostIPs {
		errs = invalidEach(errs, sp.Child("hostIPs").Index(i), ip.IP, names.IsValidIP(ip.IP))
	}
	for k, list := range [][]core.ContainerStatus{st.ContainerStatuses, st.InitContainerStatuses} {
		name := []string{"containerStatuses", "initContainerStatuses"}[k]
		for i, cs := range list {
			errs = append(errs, ValidateNonnegativeField(int64(cs.RestartCount), sp.Child(name).Index(i).Child("restartCount"))...)
		}
	}
	return errs
}

// ValidatePodBinding checks a pods/binding body: the target is a Node by name.
func ValidatePodBinding(b *core.Binding) field.ErrorList {
	var errs field.ErrorList
	tp := field.NewPath("target")
	if b.Target.Kind != "" && b.Target.Kind != "Node" {
		errs = append(errs, field.NotSupported(tp.Child("kind"), b.Target.Kind, []string{"Node", "<empty>"}))
	}
	if b.Target.Name == "" {
		errs = append(errs, field.Required(tp.Child("name"), ""))
	}
	return errs
}
