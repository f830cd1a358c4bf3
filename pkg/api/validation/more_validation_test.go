package validation

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestValidatePodSpecMore(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*core.Pod)
		want   []string
	}{
		{"init container probe", func(p *core.Pod) {
			p.Spec.InitContainers = []core.Container{{Name: "init", Image: "x", ImagePullPolicy: core.PullAlways,
				TerminationMessagePolicy: core.TerminationMessageReadFile,
				ReadinessProbe:           &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{Command: []string{"true"}}}}}}
		}, []string{"spec.initContainers[0].readinessProbe:FieldValueForbidden"}},
		{"probe without handler", func(p *core.Pod) { p.Spec.Containers[0].LivenessProbe = &core.Probe{SuccessThreshold: 1} },
			[]string{"spec.containers[0].livenessProbe:FieldValueRequired"}},
		{"exec without command", func(p *core.Pod) {
			p.Spec.Containers[0].LivenessProbe = &core.Probe{ProbeHandler: core.ProbeHandler{Exec: &core.ExecAction{}}, SuccessThreshold: 1}
		}, []string{"spec.containers[0].livenessProbe.exec.command:FieldValueRequired"}},
		{"bad httpGet port name", func(p *core.Pod) { p.Spec.Containers[0].ReadinessProbe.HTTPGet.Port = intstr.FromString("a--b") },
			[]string{"spec.containers[0].readinessProbe.httpGet.port:FieldValueInvalid"}},
		{"envFrom empty", func(p *core.Pod) { p.Spec.Containers[0].EnvFrom = []core.EnvFromSource{{}} },
			[]string{"spec.containers[0].envFrom[0]:FieldValueInvalid"}},
		{"env bad name", func(p *core.Pod) { p.Spec.Containers[0].Env = []core.EnvVar{{Name: "1X", Value: "v"}} },
			[]string{"spec.containers[0].env[0].name:FieldValueInvalid"}},
		{"env label fieldRef", func(p *core.Pod) {
			p.Spec.Containers[0].Env = []core.EnvVar{{Name: "L", ValueFrom: &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}}}
		}, nil},
		{"secret volume mode", func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "s", VolumeSource: core.VolumeSource{Secret: &core.SecretVolumeSource{SecretName: "s", DefaultMode: meta.Ptr(int32(0o1000)),
				Items: []core.KeyToPath{{Key: "k", Path: "../x"}}}}}}
		}, []string{"spec.volumes[0].secret.defaultMode:FieldValueInvalid", "spec.volumes[0].secret.items[0].path:FieldValueInvalid"}},
		{"duplicate volume", func(p *core.Pod) {
			v := core.Volume{Name: "v", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}}
			p.Spec.Volumes = []core.Volume{v, v}
		}, []string{"spec.volumes[1].name:FieldValueDuplicate"}},
		{"duplicate mount path", func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "v", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}}}}
			p.Spec.Containers[0].VolumeMounts = []core.VolumeMount{{Name: "v", MountPath: "/a"}, {Name: "v", MountPath: "/a"}}
		}, []string{"spec.containers[0].volumeMounts[1].mountPath:FieldValueInvalid"}},
		{"hostNetwork port mismatch", func(p *core.Pod) {
			p.Spec.HostNetwork = true
			p.Spec.Containers[0].Ports[0].HostPort = 9090
		}, []string{"spec.containers[0].ports[0].containerPort:FieldValueInvalid"}},
		{"protocol", func(p *core.Pod) { p.Spec.Containers[0].Ports[0].Protocol = "ICMP" },
			[]string{"spec.containers[0].ports[0].protocol:FieldValueNotSupported"}},
		{"pull policy", func(p *core.Pod) { p.Spec.Containers[0].ImagePullPolicy = "" },
			[]string{"spec.containers[0].imagePullPolicy:FieldValueRequired"}},
		{"dns None", func(p *core.Pod) { p.Spec.DNSPolicy = core.DNSNone }, []string{"spec.dnsConfig:FieldValueRequired"}},
		{"nodeSelector value", func(p *core.Pod) { p.Spec.NodeSelector = map[string]string{"disk": "s s d"} },
			[]string{"spec.nodeSelector[disk]:FieldValueInvalid"}},
		{"preferred weight", func(p *core.Pod) {
			p.Spec.Affinity = &core.Affinity{NodeAffinity: &core.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []core.PreferredSchedulingTerm{{Weight: 0,
				Preference: core.NodeSelectorTerm{MatchExpressions: []core.NodeSelectorRequirement{{Key: "a", Operator: core.NodeSelectorOpExists}}}}}}}
		}, []string{"spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight:FieldValueInvalid"}},
		{"matchFields key", func(p *core.Pod) {
			p.Spec.Affinity = &core.Affinity{NodeAffinity: &core.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &core.NodeSelector{
				NodeSelectorTerms: []core.NodeSelectorTerm{{MatchFields: []core.NodeSelectorRequirement{{Key: "metadata.labels", Operator: core.NodeSelectorOpIn, Values: []string{"n1"}}}}}}}}
		}, []string{"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key:FieldValueNotSupported"}},
		{"no terms", func(p *core.Pod) {
			p.Spec.Affinity = &core.Affinity{NodeAffinity: &core.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &core.NodeSelector{}}}
		}, []string{"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms:FieldValueRequired"}},
		{"toleration Exists with value", func(p *core.Pod) { p.Spec.Tolerations[0].Value = "x" },
			[]string{"spec.tolerations[0].operator:FieldValueInvalid"}},
		{"spread duplicate and minDomains", func(p *core.Pod) {
			c := core.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: core.ScheduleAnyway, MinDomains: meta.Ptr(int32(2))}
			p.Spec.TopologySpreadConstraints = []core.TopologySpreadConstraint{c, c}
		}, []string{"spec.topologySpreadConstraints[0].minDomains:FieldValueInvalid", "spec.topologySpreadConstraints[1].minDomains:FieldValueInvalid",
			"spec.topologySpreadConstraints[1]:FieldValueDuplicate"}},
	} {
		p := validPod()
		tc.mutate(p)
		expectErrors(t, tc.name, ValidatePod(p), tc.want...)
	}
}

func TestStatusUpdates(t *testing.T) {
	pod := validPod()
	st := meta.DeepCopy(pod)
	st.Status = core.PodStatus{PodIP: "10.0.0.300", ContainerStatuses: []core.ContainerStatus{{Name: "c", RestartCount: -1}}}
	expectErrors(t, "pod status", ValidatePodStatusUpdate(st, pod), "status.podIP:FieldValueInvalid", "status.containerStatuses[0].restartCount:FieldValueInvalid")

	d := validDeployment()
	ds := meta.DeepCopy(d)
	ds.Status = apps.DeploymentStatus{Replicas: 1, AvailableReplicas: 2, ReadyReplicas: 2}
	expectErrors(t, "deployment status", ValidateDeploymentStatusUpdate(ds, d),
		"status.availableReplicas:FieldValueInvalid", "status.readyReplicas:FieldValueInvalid")

	dset := &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "a", Namespace: "x"}}
	dset2 := meta.DeepCopy(dset)
	dset2.Status.NumberReady = -1
	expectErrors(t, "daemonset status", ValidateDaemonSetStatusUpdate(dset2, dset), "status.numberReady:FieldValueInvalid")

	j := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: "j", Namespace: "x"}}
	j2 := meta.DeepCopy(j)
	j2.Status.Failed = -2
	expectErrors(t, "job status", ValidateJobStatusUpdate(j2, j), "status.failed:FieldValueInvalid")
}

func TestValidateServiceMore(t *testing.T) {
	mk := func(mut func(*core.Service)) *core.Service {
		s := &core.Service{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"},
			Spec: core.ServiceSpec{Selector: map[string]string{"app": "web"}, Ports: []core.ServicePort{{Name: "http", Port: 80}, {Name: "https", Port: 443}}}}
		mut(s)
		core.DefaultService(s)
		return s
	}
	expectErrors(t, "two named ports", ValidateService(mk(func(*core.Service) {})))
	expectErrors(t, "unnamed second port", ValidateService(mk(func(s *core.Service) { s.Spec.Ports[1].Name = "" })), "spec.ports[1].name:FieldValueRequired")
	expectErrors(t, "duplicate port name", ValidateService(mk(func(s *core.Service) { s.Spec.Ports[1].Name = "http" })), "spec.ports[1].name:FieldValueDuplicate")
	expectErrors(t, "no ports", ValidateService(mk(func(s *core.Service) { s.Spec.Ports = nil })), "spec.ports:FieldValueRequired")
	expectErrors(t, "headless no ports", ValidateService(mk(func(s *core.Service) { s.Spec.Ports = nil; s.Spec.ClusterIP = core.ClusterIPNone })))
	expectErrors(t, "external name", ValidateService(mk(func(s *core.Service) { s.Spec.Type = core.ServiceTypeExternalName; s.Spec.Ports = nil })),
		"spec.externalName:FieldValueRequired")
	expectErrors(t, "nodeport ok", ValidateService(mk(func(s *core.Service) { s.Spec.Type = core.ServiceTypeNodePort; s.Spec.Ports[0].NodePort = 30080 })))
	expectErrors(t, "traffic policy on ClusterIP", ValidateService(mk(func(s *core.Service) { s.Spec.ExternalTrafficPolicy = core.ServiceExternalTrafficPolicyLocal })),
		"spec.externalTrafficPolicy:FieldValueInvalid")
}

func TestValidateMiscKinds(t *testing.T) {
	sa := &core.Secret{ObjectMeta: meta.ObjectMeta{Name: "t", Namespace: "d"}, Type: core.SecretTypeServiceAccountToken}
	expectErrors(t, "sa token", ValidateSecret(sa), "metadata.annotations[kubernetes.io/service-account.name]:FieldValueRequired")
	ok := &core.Secret{ObjectMeta: meta.ObjectMeta{Name: "s", Namespace: "d"}, Type: core.SecretTypeOpaque, StringData: map[string]string{"a": "b"}}
	expectErrors(t, "opaque", ValidateSecret(ok))

	ev := &core.Event{ObjectMeta: meta.ObjectMeta{Name: "e", Namespace: "d"}, InvolvedObject: core.ObjectReference{Kind: "Pod", Namespace: "d"},
		EventTime: meta.NowMicro()}
	expectErrors(t, "new-style event", ValidateEvent(ev), "reportingController:FieldValueRequired", "reportingInstance:FieldValueRequired",
		"action:FieldValueRequired", "reason:FieldValueRequired")

	l := &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: "n1", Namespace: "kube-node-lease", UID: "u"},
		Spec: coordination.LeaseSpec{HolderIdentity: meta.Ptr("n1"), LeaseDurationSeconds: meta.Ptr(int32(40))}}
	l2 := meta.DeepCopy(l)
	l2.Spec.LeaseTransitions = meta.Ptr(int32(-1))
	expectErrors(t, "lease update", ValidateLeaseUpdate(l2, l), "spec.leaseTransitions:FieldValueInvalid")

	n := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}, Spec: core.NodeSpec{ProviderID: "sim://n1"}}
	n2 := meta.DeepCopy(n)
	n2.Spec.ProviderID = "sim://n2"
	n2.Status.DaemonEndpoints.KubeletEndpoint.Port = 70000
	expectErrors(t, "node update", ValidateNodeUpdate(n2, n), "spec.providerID:FieldValueForbidden", "status.daemonEndpoints.kubeletEndpoint.Port:FieldValueInvalid")

	ns := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team-a"}}
	core.DefaultNamespace(ns)
	expectErrors(t, "namespace", ValidateNamespace(ns))
	ns2 := meta.DeepCopy(ns)
	ns2.Status.Phase = "Gone"
	expectErrors(t, "namespace phase", ValidateNamespaceUpdate(ns2, ns), "status.phase:FieldValueNotSupported")
}
