package validation

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// fieldsOf renders an error list as "field:type" strings for comparison.
func fieldsOf(errs field.ErrorList) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Field + ":" + string(e.Type)
	}
	return out
}

// expectErrors checks that errs holds exactly the wanted "field:type" entries (any order).
func expectErrors(t *testing.T, name string, errs field.ErrorList, want ...string) {
	t.Helper()
	got := fieldsOf(errs)
	remaining := map[string]int{}
	for _, g := range got {
		remaining[g]++
	}
	for _, w := range want {
		if remaining[w] == 0 {
			t.Errorf("%s: missing %s; got %v", name, w, errs)
			return
		}
		remaining[w]--
	}
	for k, n := range remaining {
		if n > 0 {
			t.Errorf("%s: unexpected %s; got %v", name, k, errs)
			return
		}
	}
}

func validPod() *core.Pod {
	p := &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: "web-1", Namespace: "default", Labels: map[string]string{"app": "web"}},
		Spec: core.PodSpec{
			Containers: []core.Container{{
				Name: "c", Image: "busybox:1.36",
				Ports: []core.ContainerPort{{Name: "http", ContainerPort: 8080}},
				Resources: core.ResourceRequirements{
					Requests: core.ResourceList{core.ResourceCPU: resource.MustParse("100m")},
					Limits:   core.ResourceList{core.ResourceCPU: resource.MustParse("1")},
				},
				ReadinessProbe: &core.Probe{ProbeHandler: core.ProbeHandler{HTTPGet: &core.HTTPGetAction{Port: intstr.FromString("http")}}},
			}},
			Tolerations: []core.Toleration{{Key: core.TaintNodeNotReady, Operator: core.TolerationOpExists, Effect: core.TaintEffectNoExecute, TolerationSeconds: meta.Ptr(int64(300))}},
		},
	}
	core.DefaultPod(p)
	return p
}

func TestValidatePod(t *testing.T) {
	if errs := ValidatePod(validPod()); len(errs) != 0 {
		t.Fatalf("valid pod: %v", errs)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*core.Pod)
		want   []string
	}{
		{"no name", func(p *core.Pod) { p.Name = "" }, []string{"metadata.name:FieldValueRequired"}},
		{"bad name", func(p *core.Pod) { p.Name = "Web_1" }, []string{"metadata.name:FieldValueInvalid"}},
		{"no namespace", func(p *core.Pod) { p.Namespace = "" }, []string{"metadata.namespace:FieldValueRequired"}},
		{"bad label", func(p *core.Pod) { p.Labels = map[string]string{"a": "-x"} }, []string{"metadata.labels[a]:FieldValueInvalid"}},
		{"big annotations", func(p *core.Pod) { p.Annotations = map[string]string{"a": strings.Repeat("x", 256*1024)} }, []string{"metadata.annotations:FieldValueTooLong"}},
		{"no containers", func(p *core.Pod) { p.Spec.Containers = nil }, []string{"spec.containers:FieldValueRequired"}},
		{"no image", func(p *core.Pod) { p.Spec.Containers[0].Image = "" }, []string{"spec.containers[0].image:FieldValueRequired"}},
		{"bad container name", func(p *core.Pod) { p.Spec.Containers[0].Name = "C" }, []string{"spec.containers[0].name:FieldValueInvalid"}},
		{"duplicate container", func(p *core.Pod) {
			c := p.Spec.Containers[0]
			c.Ports = nil
			c.ReadinessProbe = nil
			p.Spec.InitContainers = []core.Container{c}
		}, []string{"spec.containers[0].name:FieldValueDuplicate"}},
		{"port range", func(p *core.Pod) { p.Spec.Containers[0].Ports[0].ContainerPort = 70000 }, []string{"spec.containers[0].ports[0].containerPort:FieldValueInvalid"}},
		{"negative request", func(p *core.Pod) {
			p.Spec.Containers[0].Resources.Requests[core.ResourceMemory] = resource.MustParse("-1")
		}, []string{"spec.containers[0].resources.requests[memory]:FieldValueInvalid"}},
		{"request over limit", func(p *core.Pod) {
			p.Spec.Containers[0].Resources.Requests[core.ResourceCPU] = resource.MustParse("2")
		}, []string{"spec.containers[0].resources.requests[cpu]:FieldValueInvalid"}},
		{"probe two handlers", func(p *core.Pod) {
			p.Spec.Containers[0].ReadinessProbe.Exec = &core.ExecAction{Command: []string{"true"}}
		}, []string{"spec.containers[0].readinessProbe:FieldValueForbidden"}},
		{"liveness success threshold", func(p *core.Pod) {
			p.Spec.Containers[0].LivenessProbe = &core.Probe{ProbeHandler: core.ProbeHandler{TCPSocket: &core.TCPSocketAction{Port: intstr.FromInt32(80)}}, SuccessThreshold: 2}
		}, []string{"spec.containers[0].livenessProbe.successThreshold:FieldValueInvalid"}},
		{"restart policy", func(p *core.Pod) { p.Spec.RestartPolicy = "Sometimes" }, []string{"spec.restartPolicy:FieldValueNotSupported"}},
		{"toleration seconds without NoExecute", func(p *core.Pod) { p.Spec.Tolerations[0].Effect = core.TaintEffectNoSchedule },
			[]string{"spec.tolerations[0].effect:FieldValueInvalid"}},
		{"toleration empty key Equal", func(p *core.Pod) { p.Spec.Tolerations = []core.Toleration{{Value: "x"}} },
			[]string{"spec.tolerations[0].operator:FieldValueInvalid"}},
		{"missing volume", func(p *core.Pod) {
			p.Spec.Containers[0].VolumeMounts = []core.VolumeMount{{Name: "data", MountPath: "/data"}}
		}, []string{"spec.containers[0].volumeMounts[0].name:FieldValueNotFound"}},
		{"env from two sources", func(p *core.Pod) {
			p.Spec.Containers[0].Env = []core.EnvVar{{Name: "X", ValueFrom: &core.EnvVarSource{
				FieldRef:        &core.ObjectFieldSelector{FieldPath: "metadata.name"},
				ConfigMapKeyRef: &core.ConfigMapKeySelector{LocalObjectReference: core.LocalObjectReference{Name: "cm"}, Key: "k"}}}}
		}, []string{"spec.containers[0].env[0].valueFrom:FieldValueInvalid"}},
		{"bad fieldRef", func(p *core.Pod) {
			p.Spec.Containers[0].Env = []core.EnvVar{{Name: "X", ValueFrom: &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: "spec.bogus"}}}}
		}, []string{"spec.containers[0].env[0].valueFrom.fieldRef.fieldPath:FieldValueNotSupported"}},
		{"node affinity gt", func(p *core.Pod) {
			p.Spec.Affinity = &core.Affinity{NodeAffinity: &core.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &core.NodeSelector{
				NodeSelectorTerms: []core.NodeSelectorTerm{{MatchExpressions: []core.NodeSelectorRequirement{{Key: "cpus", Operator: core.NodeSelectorOpGt, Values: []string{"x"}}}}}}}}
		}, []string{"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values[0]:FieldValueInvalid"}},
		{"anti-affinity without topologyKey", func(p *core.Pod) {
			p.Spec.Affinity = &core.Affinity{PodAntiAffinity: &core.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []core.PodAffinityTerm{{
				LabelSelector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}}}
		}, []string{"spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey:FieldValueRequired"}},
		{"spread", func(p *core.Pod) {
			p.Spec.TopologySpreadConstraints = []core.TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: "zone", WhenUnsatisfiable: "Maybe"}}
		}, []string{"spec.topologySpreadConstraints[0].maxSkew:FieldValueInvalid", "spec.topologySpreadConstraints[0].whenUnsatisfiable:FieldValueNotSupported"}},
		{"active deadline", func(p *core.Pod) { p.Spec.ActiveDeadlineSeconds = meta.Ptr(int64(0)) }, []string{"spec.activeDeadlineSeconds:FieldValueInvalid"}},
		{"volume two sources", func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "v", VolumeSource: core.VolumeSource{EmptyDir: &core.EmptyDirVolumeSource{}, HostPath: &core.HostPathVolumeSource{Path: "/tmp"}}}}
		}, []string{"spec.volumes[0]:FieldValueForbidden"}},
		{"downward API volume", func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "v", VolumeSource: core.VolumeSource{DownwardAPI: &core.DownwardAPIVolumeSource{
				Items: []core.DownwardAPIVolumeFile{
					{Path: "labels", FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.labels"}},
					{Path: "node", FieldRef: &core.ObjectFieldSelector{FieldPath: "spec.nodeName"}},
					{Path: "../x", ResourceFieldRef: &core.ResourceFieldSelector{Resource: "limits.cpu"}},
					{Path: "none"}}}}}}
		}, []string{"spec.volumes[0].downwardAPI.items[1].fieldRef.fieldPath:FieldValueNotSupported",
			"spec.volumes[0].downwardAPI.items[2].path:FieldValueInvalid",
			"spec.volumes[0].downwardAPI.items[2].resourceFieldRef.containerName:FieldValueRequired",
			"spec.volumes[0].downwardAPI.items[3]:FieldValueRequired"}},
		{"projected volume", func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "v", VolumeSource: core.VolumeSource{Projected: &core.ProjectedVolumeSource{
				DefaultMode: meta.Ptr(int32(0o1000)),
				Sources: []core.VolumeProjection{
					{ConfigMap: &core.ConfigMapProjection{LocalObjectReference: core.LocalObjectReference{Name: "c"}}},
					{Secret: &core.SecretProjection{Items: []core.KeyToPath{{Key: "k", Path: "/abs"}}}},
					{}}}}}}
		}, []string{"spec.volumes[0].projected.defaultMode:FieldValueInvalid",
			"spec.volumes[0].projected.sources[1].secret.name:FieldValueRequired",
			"spec.volumes[0].projected.sources[1].secret.items[0].path:FieldValueInvalid",
			"spec.volumes[0].projected.sources[2]:FieldValueRequired"}},
		{"host path type", func(p *core.Pod) {
			p.Spec.Volumes = []core.Volume{{Name: "v", VolumeSource: core.VolumeSource{HostPath: &core.HostPathVolumeSource{
				Path: "/tmp", Type: meta.Ptr(core.HostPathType("Dir"))}}}}
		}, []string{"spec.volumes[0].hostPath.type:FieldValueNotSupported"}},
	} {
		p := validPod()
		tc.mutate(p)
		expectErrors(t, tc.name, ValidatePod(p), tc.want...)
	}
}

func TestValidatePodUpdate(t *testing.T) {
	old := validPod()
	old.ResourceVersion, old.UID = "1", "u1"
	for _, tc := range []struct {
		name   string
		mutate func(*core.Pod)
		want   []string
	}{
		{"image change", func(p *core.Pod) { p.Spec.Containers[0].Image = "busybox:1.37" }, nil},
		{"add toleration", func(p *core.Pod) {
			p.Spec.Tolerations = append(p.Spec.Tolerations, core.Toleration{Key: "x", Operator: core.TolerationOpExists})
		}, nil},
		{"set deadline", func(p *core.Pod) { p.Spec.ActiveDeadlineSeconds = meta.Ptr(int64(60)) }, nil},
		{"remove toleration", func(p *core.Pod) { p.Spec.Tolerations = nil }, []string{"spec.tolerations:FieldValueForbidden"}},
		{"change nodeName", func(p *core.Pod) { p.Spec.NodeName = "n2" }, []string{"spec:FieldValueForbidden"}},
		{"change command", func(p *core.Pod) { p.Spec.Containers[0].Command = []string{"sh"} }, []string{"spec:FieldValueForbidden"}},
		{"change uid", func(p *core.Pod) { p.UID = "u2" }, []string{"metadata.uid:FieldValueInvalid"}},
		{"change name", func(p *core.Pod) { p.Name = "other" }, []string{"metadata.name:FieldValueInvalid"}},
	} {
		p := meta.DeepCopy(old)
		tc.mutate(p)
		expectErrors(t, tc.name, ValidatePodUpdate(p, old), tc.want...)
	}
	expectErrors(t, "binding", ValidatePodBinding(&core.Binding{Target: core.ObjectReference{Kind: "Pod"}}),
		"target.kind:FieldValueNotSupported", "target.name:FieldValueRequired")
}

func TestValidateObjectMeta(t *testing.T) {
	for _, tc := range []struct {
		name       string
		m          meta.ObjectMeta
		namespaced bool
		want       []string
	}{
		{"generateName ok", meta.ObjectMeta{GenerateName: "web-", Name: "web-abcde"}, false, nil},
		{"generateName bad", meta.ObjectMeta{GenerateName: "Web-", Name: "web-abcde"}, false, []string{"metadata.generateName:FieldValueInvalid"}},
		{"cluster-scoped with namespace", meta.ObjectMeta{Name: "n", Namespace: "x"}, false, []string{"metadata.namespace:FieldValueForbidden"}},
		{"bad finalizer", meta.ObjectMeta{Name: "n", Finalizers: []string{"custom"}}, false, []string{"metadata.finalizers:FieldValueInvalid"}},
		{"ok finalizers", meta.ObjectMeta{Name: "n", Finalizers: []string{"kubernetes", "example.com/x"}}, false, nil},
		{"two controllers", meta.ObjectMeta{Name: "n", OwnerReferences: []meta.OwnerReference{
			{APIVersion: "v1", Kind: "A", Name: "a", UID: "1", Controller: meta.Ptr(true)},
			{APIVersion: "v1", Kind: "B", Name: "b", UID: "2", Controller: meta.Ptr(true)}}}, false, []string{"metadata.ownerReferences:FieldValueInvalid"}},
		{"bad label key", meta.ObjectMeta{Name: "n", Labels: map[string]string{"a/b/c": "x"}}, false, []string{"metadata.labels:FieldValueInvalid"}},
	} {
		expectErrors(t, tc.name, ValidateObjectMeta(&tc.m, tc.namespaced, NameIsDNSSubdomain, field.NewPath("metadata")), tc.want...)
	}
	old := meta.ObjectMeta{Name: "n", UID: "u", CreationTimestamp: meta.Now(), Generation: 2, DeletionTimestamp: meta.Ptr(meta.Now())}
	upd := old
	upd.Generation = 1
	upd.Finalizers = []string{"example.com/new"}
	upd.Namespace = "x"
	expectErrors(t, "update", ValidateObjectMetaUpdate(&upd, &old, field.NewPath("metadata")),
		"metadata.generation:FieldValueInvalid", "metadata.finalizers:FieldValueForbidden", "metadata.namespace:FieldValueInvalid")
}

func validDeployment() *apps.Deployment {
	d := &apps.Deployment{
		ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: apps.DeploymentSpec{
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: core.PodTemplateSpec{ObjectMeta: meta.ObjectMeta{Labels: map[string]string{"app": "web"}},
				Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "nginx"}}}},
		},
	}
	apps.DefaultDeployment(d)
	return d
}

func TestValidateDeployment(t *testing.T) {
	if errs := ValidateDeployment(validDeployment()); len(errs) != 0 {
		t.Fatalf("valid deployment: %v", errs)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*apps.Deployment)
		want   []string
	}{
		{"negative replicas", func(d *apps.Deployment) { d.Spec.Replicas = meta.Ptr(int32(-1)) }, []string{"spec.replicas:FieldValueInvalid"}},
		{"no selector", func(d *apps.Deployment) { d.Spec.Selector = nil }, []string{"spec.selector:FieldValueRequired"}},
		{"empty selector", func(d *apps.Deployment) { d.Spec.Selector = &meta.LabelSelector{} }, []string{"spec.selector:FieldValueInvalid"}},
		{"selector mismatch", func(d *apps.Deployment) { d.Spec.Template.Labels = map[string]string{"app": "db"} }, []string{"spec.template.metadata.labels:FieldValueInvalid"}},
		{"template image", func(d *apps.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "" }, []string{"spec.template.spec.containers[0].image:FieldValueRequired"}},
		{"restartPolicy", func(d *apps.Deployment) { d.Spec.Template.Spec.RestartPolicy = core.RestartPolicyNever }, []string{"spec.template.spec.restartPolicy:FieldValueNotSupported"}},
		{"both zero", func(d *apps.Deployment) {
			d.Spec.Strategy.RollingUpdate = &apps.RollingUpdateDeployment{MaxUnavailable: meta.Ptr(intstr.FromInt32(0)), MaxSurge: meta.Ptr(intstr.FromString("0%"))}
		}, []string{"spec.strategy.rollingUpdate.maxUnavailable:FieldValueInvalid"}},
		{"over 100%", func(d *apps.Deployment) {
			d.Spec.Strategy.RollingUpdate.MaxUnavailable = meta.Ptr(intstr.FromString("120%"))
		}, []string{"spec.strategy.rollingUpdate.maxUnavailable:FieldValueInvalid"}},
		{"recreate with rollingUpdate", func(d *apps.Deployment) { d.Spec.Strategy.Type = apps.RecreateDeploymentStrategyType },
			[]string{"spec.strategy.rollingUpdate:FieldValueForbidden"}},
		{"progress deadline", func(d *apps.Deployment) { d.Spec.MinReadySeconds = 600 }, []string{"spec.progressDeadlineSeconds:FieldValueInvalid"}},
	} {
		d := validDeployment()
		tc.mutate(d)
		expectErrors(t, tc.name, ValidateDeployment(d), tc.want...)
	}
	old := validDeployment()
	upd := meta.DeepCopy(old)
	upd.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "web", "v": "2"}}
	upd.Spec.Template.Labels["v"] = "2"
	expectErrors(t, "selector immutable", ValidateDeploymentUpdate(upd, old), "spec.selector:FieldValueInvalid")
	upd = meta.DeepCopy(old)
	upd.Spec.Replicas = meta.Ptr(int32(5))
	expectErrors(t, "scale", ValidateDeploymentUpdate(upd, old))
}

func TestValidateReplicaSetAndDaemonSet(t *testing.T) {
	tmpl := validDeployment().Spec.Template
	rs := &apps.ReplicaSet{ObjectMeta: meta.ObjectMeta{Name: "web-abc", Namespace: "default"},
		Spec: apps.ReplicaSetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, Template: tmpl}}
	apps.DefaultReplicaSet(rs)
	expectErrors(t, "valid rs", ValidateReplicaSet(rs))
	st := meta.DeepCopy(rs)
	st.Status = apps.ReplicaSetStatus{Replicas: 2, ReadyReplicas: 3, AvailableReplicas: 1}
	expectErrors(t, "rs status", ValidateReplicaSetStatusUpdate(st, rs), "status.readyReplicas:FieldValueInvalid")

	ds := &apps.DaemonSet{ObjectMeta: meta.ObjectMeta{Name: "agent", Namespace: "kube-system"},
		Spec: apps.DaemonSetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}, Template: tmpl}}
	apps.DefaultDaemonSet(ds)
	expectErrors(t, "valid ds", ValidateDaemonSet(ds))
	ds.Spec.UpdateStrategy.Type = "Sometimes"
	expectErrors(t, "ds strategy", ValidateDaemonSet(ds), "spec.updateStrategy.type:FieldValueNotSupported")
}

func TestValidateJob(t *testing.T) {
	mk := func() *batch.Job {
		j := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: "pi", Namespace: "default", UID: "u1"},
			Spec: batch.JobSpec{Template: core.PodTemplateSpec{Spec: core.PodSpec{
				RestartPolicy: core.RestartPolicyNever, Containers: []core.Container{{Name: "pi", Image: "perl"}}}}}}
		batch.DefaultJob(j)
		batch.GenerateSelector(j)
		return j
	}
	expectErrors(t, "valid job", ValidateJob(mk()))
	for _, tc := range []struct {
		name   string
		mutate func(*batch.Job)
		want   []string
	}{
		{"restart Always", func(j *batch.Job) { j.Spec.Template.Spec.RestartPolicy = core.RestartPolicyAlways },
			[]string{"spec.template.spec.restartPolicy:FieldValueNotSupported"}},
		{"restart empty", func(j *batch.Job) { j.Spec.Template.Spec.RestartPolicy = "" }, []string{"spec.template.spec.restartPolicy:FieldValueRequired"}},
		{"negative backoff", func(j *batch.Job) { j.Spec.BackoffLimit = meta.Ptr(int32(-1)) }, []string{"spec.backoffLimit:FieldValueInvalid"}},
		{"selector mismatch", func(j *batch.Job) { j.Spec.Template.Labels = map[string]string{"x": "y"} },
			[]string{"spec.template.metadata.labels:FieldValueInvalid"}},
		{"foreign selector", func(j *batch.Job) {
			j.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"x": "y"}}
			j.Spec.Template.Labels = map[string]string{"x": "y"}
		}, []string{"spec.selector:FieldValueInvalid"}},
		{"indexed without completions", func(j *batch.Job) {
			j.Spec.CompletionMode = meta.Ptr(batch.IndexedCompletion)
			j.Spec.Completions = nil
		}, []string{"spec.completions:FieldValueRequired"}},
	} {
		j := mk()
		tc.mutate(j)
		expectErrors(t, tc.name, ValidateJob(j), tc.want...)
	}
	old := mk()
	upd := meta.DeepCopy(old)
	upd.Spec.Parallelism = meta.Ptr(int32(3))
	expectErrors(t, "parallelism mutable", ValidateJobUpdate(upd, old))
	upd.Spec.Template.Spec.Containers[0].Image = "perl:2"
	expectErrors(t, "template immutable", ValidateJobUpdate(upd, old), "spec.template:FieldValueInvalid")
}

func TestValidateCoreKinds(t *testing.T) {
	ns := &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "team.a"}}
	expectErrors(t, "namespace name is a label", ValidateNamespace(ns), "metadata.name:FieldValueInvalid")

	node := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}, Spec: core.NodeSpec{Taints: []core.Taint{
		{Key: "a", Effect: core.TaintEffectNoSchedule}, {Key: "a", Effect: core.TaintEffectNoSchedule}, {Key: "b"}}}}
	expectErrors(t, "taints", ValidateNode(node), "spec.taints[1]:FieldValueDuplicate", "spec.taints[2].effect:FieldValueRequired")
	oldNode := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}, Spec: core.NodeSpec{PodCIDR: "10.0.0.0/24"}}
	newNode := meta.DeepCopy(oldNode)
	newNode.Spec.PodCIDR = "10.0.1.0/24"
	expectErrors(t, "podCIDR", ValidateNodeUpdate(newNode, oldNode), "spec.podCIDR:FieldValueForbidden")

	svc := &core.Service{ObjectMeta: meta.ObjectMeta{Name: "1web", Namespace: "default"},
		Spec: core.ServiceSpec{Ports: []core.ServicePort{{Port: 80, NodePort: 30080}}}}
	core.DefaultService(svc)
	expectErrors(t, "service", ValidateService(svc), "metadata.name:FieldValueInvalid", "spec.ports[0].nodePort:FieldValueForbidden")
	okSvc := &core.Service{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: core.ServiceSpec{ClusterIP: "10.96.0.10", Ports: []core.ServicePort{{Port: 80}}}}
	core.DefaultService(okSvc)
	expectErrors(t, "valid service", ValidateService(okSvc))
	upSvc := meta.DeepCopy(okSvc)
	upSvc.Spec.ClusterIP = "10.96.0.11"
	expectErrors(t, "clusterIP immutable", ValidateServiceUpdate(upSvc, okSvc), "spec.clusterIP:FieldValueInvalid")

	ep := &core.Endpoints{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"}, Subsets: []core.EndpointSubset{{
		Addresses: []core.EndpointAddress{{IP: "10.0.0.1"}, {IP: "nope"}}, Ports: []core.EndpointPort{{Port: 80, Protocol: core.ProtocolTCP}}}}}
	expectErrors(t, "endpoints", ValidateEndpoints(ep), "subsets[0].addresses[1].ip:FieldValueInvalid")

	cm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "cm", Namespace: "default"}, Data: map[string]string{"a/b": "x", "ok": "y"},
		BinaryData: map[string][]byte{"ok": []byte("z")}}
	expectErrors(t, "configmap", ValidateConfigMap(cm), "data[a/b]:FieldValueInvalid", "data[ok]:FieldValueInvalid")
	imm := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "cm", Namespace: "default"}, Immutable: meta.Ptr(true), Data: map[string]string{"a": "1"}}
	upd := meta.DeepCopy(imm)
	upd.Data["a"] = "2"
	expectErrors(t, "immutable configmap", ValidateConfigMapUpdate(upd, imm), "data:FieldValueForbidden")

	sec := &core.Secret{ObjectMeta: meta.ObjectMeta{Name: "tls", Namespace: "default"}, Type: core.SecretTypeTLS, Data: map[string][]byte{"tls.crt": []byte("x")}}
	expectErrors(t, "tls secret", ValidateSecret(sec), "data[tls.key]:FieldValueRequired")
	sec2 := meta.DeepCopy(sec)
	sec2.Type = core.SecretTypeOpaque
	expectErrors(t, "secret type immutable", ValidateSecretUpdate(sec2, sec), "type:FieldValueInvalid")

	ev := &core.Event{ObjectMeta: meta.ObjectMeta{Name: "p.1", Namespace: "default"},
		InvolvedObject: core.ObjectReference{Kind: "Pod", Namespace: "other", Name: "p"}, Type: "Bad"}
	expectErrors(t, "event", ValidateEvent(ev), "involvedObject.namespace:FieldValueInvalid", "type:FieldValueNotSupported")

	lease := &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: "n1", Namespace: "kube-node-lease"}, Spec: coordination.LeaseSpec{LeaseDurationSeconds: meta.Ptr(int32(0))}}
	expectErrors(t, "lease", ValidateLease(lease), "spec.leaseDurationSeconds:FieldValueInvalid")

	scale := &autoscaling.Scale{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"}, Spec: autoscaling.ScaleSpec{Replicas: -1}}
	expectErrors(t, "scale", ValidateScale(scale), "spec.replicas:FieldValueInvalid")
}

func TestMessages(t *testing.T) {
	p := validPod()
	p.Spec.Containers[0].Resources.Requests[core.ResourceCPU] = resource.MustParse("2")
	errs := ValidatePod(p)
	want := `spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1`
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("got %v\nwant %s", errs, want)
	}
}

func TestValidatePodUpdateEmptyVersusNil(t *testing.T) {
	old := validPod()
	old.Spec.Tolerations = nil
	upd := meta.DeepCopy(old)
	upd.Spec.Tolerations = []core.Toleration{}
	upd.Spec.NodeSelector = map[string]string{}
	expectErrors(t, "empty vs nil", ValidatePodUpdate(upd, old))
}
