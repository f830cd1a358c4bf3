package core

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestDefaultPod(t *testing.T) {
	p := &Pod{Spec: PodSpec{
		Containers: []Container{{
			Name: "a", Image: "busybox",
			Ports:          []ContainerPort{{ContainerPort: 80}},
			ReadinessProbe: &Probe{ProbeHandler: ProbeHandler{HTTPGet: &HTTPGetAction{Port: intstr.FromInt32(80)}}},
			Resources:      ResourceRequirements{Limits: rl("1", "")},
			Env:            []EnvVar{{Name: "N", ValueFrom: &EnvVarSource{FieldRef: &ObjectFieldSelector{FieldPath: "metadata.name"}}}},
		}},
		InitContainers: []Container{{Name: "i", Image: "busybox:1.36"}},
		Volumes:        []Volume{{Name: "v"}},
	}}
	DefaultPod(p)
	s := p.Spec
	c := s.Containers[0]
	checks := []struct {
		name string
		ok   bool
	}{
		{"restartPolicy", s.RestartPolicy == RestartPolicyAlways},
		{"dnsPolicy", s.DNSPolicy == DNSClusterFirst},
		{"grace", *s.TerminationGracePeriodSeconds == 30},
		{"schedulerName", s.SchedulerName == "default-scheduler"},
		{"enableServiceLinks", *s.EnableServiceLinks},
		{"pull untagged", c.ImagePullPolicy == PullAlways},
		{"pull tagged", s.InitContainers[0].ImagePullPolicy == PullIfNotPresent},
		{"termination path", c.TerminationMessagePath == "/dev/termination-log" && c.TerminationMessagePolicy == TerminationMessageReadFile},
		{"port protocol", c.Ports[0].Protocol == ProtocolTCP},
		{"probe", c.ReadinessProbe.TimeoutSeconds == 1 && c.ReadinessProbe.PeriodSeconds == 10 && c.ReadinessProbe.SuccessThreshold == 1 && c.ReadinessProbe.FailureThreshold == 3},
		{"httpGet", c.ReadinessProbe.HTTPGet.Scheme == URISchemeHTTP && c.ReadinessProbe.HTTPGet.Path == "/"},
		{"requests from limits", c.Resources.Requests.Cpu().String() == "1"},
		{"fieldRef apiVersion", c.Env[0].ValueFrom.FieldRef.APIVersion == "v1"},
		{"volume emptyDir", s.Volumes[0].EmptyDir != nil},
		{"no tolerations", s.Tolerations == nil},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("default %s not applied", ch.name)
		}
	}
	for img, want := range map[string]PullPolicy{
		"nginx:latest": PullAlways, "nginx": PullAlways, "reg:5000/nginx": PullAlways,
		"reg:5000/nginx:1.2": PullIfNotPresent, "nginx@sha256:abc": PullIfNotPresent,
	} {
		if got := defaultPullPolicy(img); got != want {
			t.Errorf("pull policy of %s = %s, want %s", img, got, want)
		}
	}
}

func TestDefaultOthers(t *testing.T) {
	svc := &Service{Spec: ServiceSpec{Ports: []ServicePort{{Port: 80}, {Port: 81, TargetPort: intstr.FromString("http")}}}}
	DefaultService(svc)
	if svc.Spec.Type != ServiceTypeClusterIP || svc.Spec.SessionAffinity != ServiceAffinityNone ||
		svc.Spec.Ports[0].Protocol != ProtocolTCP || svc.Spec.Ports[0].TargetPort != intstr.FromInt32(80) ||
		svc.Spec.Ports[1].TargetPort != intstr.FromString("http") {
		t.Errorf("service defaults: %+v", svc.Spec)
	}
	ns := &Namespace{}
	DefaultNamespace(ns)
	DefaultNamespace(ns)
	if len(ns.Spec.Finalizers) != 1 || ns.Spec.Finalizers[0] != FinalizerKubernetes || ns.Status.Phase != NamespaceActive {
		t.Errorf("namespace defaults: %+v", ns)
	}
	sec := &Secret{}
	DefaultSecret(sec)
	if sec.Type != SecretTypeOpaque {
		t.Errorf("secret type %q", sec.Type)
	}
	n := &Node{Status: NodeStatus{Capacity: rl("4", "8Gi")}}
	DefaultNode(n)
	if n.Status.Allocatable.Cpu().String() != "4" {
		t.Errorf("allocatable not defaulted")
	}
}

func TestFieldsSets(t *testing.T) {
	p := &Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"},
		Spec:   PodSpec{NodeName: "n1", RestartPolicy: RestartPolicyNever},
		Status: PodStatus{Phase: PodRunning, PodIPs: []PodIP{{IP: "10.0.0.1"}}}}
	s := PodFieldsSet(p)
	for k, want := range map[string]string{"metadata.name": "p", "metadata.namespace": "ns", "spec.nodeName": "n1",
		"spec.restartPolicy": "Never", "status.phase": "Running", "status.podIP": "10.0.0.1", "spec.hostNetwork": "false"} {
		if s[k] != want {
			t.Errorf("pod field %s = %q, want %q", k, s[k], want)
		}
	}
	if got := NodeFieldsSet(&Node{ObjectMeta: meta.ObjectMeta{Name: "n"}, Spec: NodeSpec{Unschedulable: true}}); got["spec.unschedulable"] != "true" || got.Has("metadata.namespace") {
		t.Errorf("node fields %v", got)
	}
	e := EventFieldsSet(&Event{InvolvedObject: ObjectReference{Kind: "Pod", Name: "p"}, Source: EventSource{Component: "kubelet"}, Type: EventTypeWarning})
	if e["involvedObject.kind"] != "Pod" || e["source"] != "kubelet" || e["type"] != "Warning" {
		t.Errorf("event fields %v", e)
	}
}
