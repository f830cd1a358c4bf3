package core

import (
	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// ObjectMetaFieldsSet is the fields every kind selects on: metadata.name,
// and metadata.namespace for namespaced kinds.
func ObjectMetaFieldsSet(m *meta.ObjectMeta, namespaced bool) fields.Set {
	if !namespaced {
		return fields.Set{"metadata.name": m.Name}
	}
	return fields.Set{"metadata.name": m.Name, "metadata.namespace": m.Namespace}
}

// PodFieldsSet is the selectable fields of a pod.
func PodFieldsSet(p *Pod) fields.Set {
	s := make(fields.Set, len(podFieldNames))
	for _, f := range podFieldNames {
		s[f], _ = PodField(p, f)
	}
	return s
}

// podFieldNames are the keys of PodFieldsSet.
var podFieldNames = []string{"metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
	"spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
	"status.nominatedNodeName"}

// PodField is one selectable field of a pod, as PodFieldsSet has it, and
// whether the pod has that field.
func PodField(p *Pod, field string) (string, bool) {
	switch field {
	case "metadata.name":
		return p.Name, true
	case "metadata.namespace":
		return p.Namespace, true
	case "spec.nodeName":
		return p.Spec.NodeName, true
	case "spec.restartPolicy":
		return string(p.Spec.RestartPolicy), true
	case "spec.schedulerName":
		return p.Spec.SchedulerName, true
	case "spec.serviceAccountName":
		return p.Spec.ServiceAccountName, true
	case "spec.hostNetwork":
		return boolString(p.Spec.HostNetwork), true
	case "status.phase":
		return string(p.Status.Phase), true
	case "status.podIP":
		if len(p.Status.PodIPs) > 0 {
			return p.Status.PodIPs[0].IP, true
		}
		return p.Status.PodIP, true
	case "status.nominatedNodeName":
		return p.Status.NominatedNodeName, true
	}
	return "", false
}

// PodFields is the selectable fields of a pod read in place, as a
// fields.Fields for a selector's Matches: the same answers as PodFieldsSet
// without building the map (a watch with a field selector matches every
// event's objects).
type PodFields Pod

// Has reports whether field is a selectable field of pods.
func (p *PodFields) Has(field string) bool {
	_, ok := PodField((*Pod)(p), field)
	return ok
}

// Get returns the pod's value of field ("" for an unknown field).
func (p *PodFields) Get(field string) string {
	v, _ := PodField((*Pod)(p), field)
	return v
}

// NodeFieldsSet is the selectable fields of a node.
func NodeFieldsSet(n *Node) fields.Set {
	s := ObjectMetaFieldsSet(&n.ObjectMeta, false)
	s["spec.unschedulable"] = boolString(n.Spec.Unschedulable)
	return s
}

// NamespaceFieldsSet is the selectable fields of a namespace.
func NamespaceFieldsSet(ns *Namespace) fields.Set {
	s := ObjectMetaFieldsSet(&ns.ObjectMeta, false)
	s["status.phase"] = string(ns.Status.Phase)
	return s
}

// EventFieldsSet is the selectable fields of an event.
func EventFieldsSet(e *Event) fields.Set {
	s := ObjectMetaFieldsSet(&e.ObjectMeta, true)
	o := e.InvolvedObject
	s["involvedObject.kind"] = o.Kind
	s["involvedObject.namespace"] = o.Namespace
	s["involvedObject.name"] = o.Name
	s["involvedObject.uid"] = o.UID
	s["involvedObject.apiVersion"] = o.APIVersion
	s["involvedObject.resourceVersion"] = o.ResourceVersion
	s["involvedObject.fieldPath"] = o.FieldPath
	s["reason"] = e.Reason
	s["reportingComponent"] = e.ReportingController
	s["source"] = e.Source.Component
	s["type"] = e.Type
	return s
}

// SecretFieldsSet is the selectable fields of a secret.
func SecretFieldsSet(sec *Secret) fields.Set {
	s := ObjectMetaFieldsSet(&sec.ObjectMeta, true)
	s["type"] = string(sec.Type)
	return s
}

// ServiceFieldsSet is the selectable fields of a service.
func ServiceFieldsSet(svc *Service) fields.Set { return ObjectMetaFieldsSet(&svc.ObjectMeta, true) }

// EndpointsFieldsSet is the selectable fields of an endpoints object.
func EndpointsFieldsSet(e *Endpoints) fields.Set { return ObjectMetaFieldsSet(&e.ObjectMeta, true) }

// ConfigMapFieldsSet is the selectable fields of a config map.
func ConfigMapFieldsSet(c *ConfigMap) fields.Set { return ObjectMetaFieldsSet(&c.ObjectMeta, true) }
