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
	s := ObjectMetaFieldsSet(&p.ObjectMeta, true)
	s["spec.nodeName"] = p.Spec.NodeName
	s["spec.restartPolicy"] = string(p.Spec.RestartPolicy)
	s["spec.schedulerName"] = p.Spec.SchedulerName
	s["spec.serviceAccountName"] = p.Spec.ServiceAccountName
	s["spec.hostNetwork"] = boolString(p.Spec.HostNetwork)
	s["status.phase"] = string(p.Status.Phase)
	podIP := p.Status.PodIP
	if len(p.Status.PodIPs) > 0 {
		podIP = p.Status.PodIPs[0].IP
	}
	s["status.podIP"] = podIP
	s["status.nominatedNodeName"] = p.Status.NominatedNodeName
	return s
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
