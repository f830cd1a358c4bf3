package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/simulated"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testKubelet(t *testing.T) *Kubelet {
	t.Helper()
	k := &Kubelet{cfg: Config{NodeIP: "10.0.0.5", Port: 10250, NodeLabels: map[string]string{"zone": "a"},
		Taints:   []core.Taint{{Key: "dedicated", Value: "gpu", Effect: core.TaintEffectNoSchedule}},
		Capacity: core.ResourceList{core.ResourceCPU: resource.MustParse("4"), core.ResourcePods: resource.MustParse("110")}},
		runtime: simulated.New(nil)}
	return k
}

func TestNodeObject(t *testing.T) {
	n := testKubelet(t).nodeObject("n1")
	if n.Labels["kubernetes.io/hostname"] != "n1" || n.Labels["zone"] != "a" || n.Labels["kubernetes.io/os"] == "" ||
		n.Labels["kubernetes.io/arch"] == "" {
		t.Errorf("labels = %v", n.Labels)
	}
	if len(n.Spec.Taints) != 1 || n.Spec.Taints[0].Key != "dedicated" {
		t.Errorf("taints = %v", n.Spec.Taints)
	}
	st := n.Status
	if st.DaemonEndpoints.KubeletEndpoint.Port != 10250 || st.NodeInfo.KubeletVersion != Version ||
		!strings.HasPrefix(st.NodeInfo.ContainerRuntimeVersion, "simulated://") {
		t.Errorf("status = %+v", st)
	}
	if len(st.Addresses) != 2 || st.Addresses[0] != (core.NodeAddress{Type: core.NodeInternalIP, Address: "10.0.0.5"}) ||
		st.Addresses[1] != (core.NodeAddress{Type: core.NodeHostName, Address: "n1"}) {
		t.Errorf("addresses = %v", st.Addresses)
	}
	want := map[core.NodeConditionType]core.ConditionStatus{core.NodeReady: core.ConditionTrue, core.NodeMemoryPressure: core.ConditionFalse,
		core.NodeDiskPressure: core.ConditionFalse, core.NodePIDPressure: core.ConditionFalse}
	for typ, s := range want {
		if _, c := core.GetNodeCondition(&st, typ); c == nil || c.Status != s || c.LastHeartbeatTime.IsZero() {
			t.Errorf("condition %s = %+v", typ, c)
		}
	}
	if q := st.Capacity[core.ResourceCPU]; q.String() != "4" {
		t.Errorf("capacity = %v", st.Capacity)
	}
}

func TestNodeStatusChangeIgnoresHeartbeats(t *testing.T) {
	k := testKubelet(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	first := k.nodeStatus("n1", nil, t0)
	later := k.nodeStatus("n1", &first, t0.Add(time.Minute))
	if nodeStatusChanged(&first, &later) {
		t.Fatal("a heartbeat alone counted as a change")
	}
	_, ready := core.GetNodeCondition(&later, core.NodeReady)
	if !ready.LastTransitionTime.Equal(t0) || !ready.LastHeartbeatTime.Equal(t0.Add(time.Minute)) {
		t.Fatalf("ready = %+v", ready)
	}
	k.cfg.Capacity = core.ResourceList{core.ResourceCPU: resource.MustParse("8")}
	if changed := k.nodeStatus("n1", &later, t0.Add(2*time.Minute)); !nodeStatusChanged(&later, &changed) {
		t.Fatal("a capacity change was not seen")
	}
}

type fakeEnvSource map[string]map[string]string

func (f fakeEnvSource) get(kind, ns, name string) (map[string]string, error) {
	if d, ok := f[kind+"/"+ns+"/"+name]; ok {
		return d, nil
	}
	return nil, errors.New(kind + " " + name + " not found")
}
func (f fakeEnvSource) configMap(_ context.Context, ns, name string) (map[string]string, error) {
	return f.get("cm", ns, name)
}
func (f fakeEnvSource) secret(_ context.Context, ns, name string) (map[string]string, error) {
	return f.get("secret", ns, name)
}

func TestContainerEnv(t *testing.T) {
	src := fakeEnvSource{"cm/ns/cfg": {"mode": "fast", "level": "3"}, "secret/ns/creds": {"password": "pw"}}
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1", Labels: map[string]string{"app": "web"}},
		Spec: core.PodSpec{NodeName: "n1"}}
	capacity := core.ResourceList{core.ResourceCPU: resource.MustParse("4"), core.ResourceMemory: resource.MustParse("8Gi")}
	ref := func(kind, name, key string, optional bool) *core.EnvVarSource {
		lor := core.LocalObjectReference{Name: name}
		if kind == "cm" {
			return &core.EnvVarSource{ConfigMapKeyRef: &core.ConfigMapKeySelector{LocalObjectReference: lor, Key: key, Optional: &optional}}
		}
		return &core.EnvVarSource{SecretKeyRef: &core.SecretKeySelector{LocalObjectReference: lor, Key: key, Optional: &optional}}
	}
	field := func(path string) *core.EnvVarSource {
		return &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: path}}
	}
	for _, tc := range []struct {
		name    string
		c       core.Container
		want    string
		wantErr string
	}{
		{"values and fields", core.Container{Env: []core.EnvVar{{Name: "A", Value: "1"}, {Name: "N", ValueFrom: field("metadata.name")},
			{Name: "NS", ValueFrom: field("metadata.namespace")}, {Name: "UID", ValueFrom: field("metadata.uid")},
			{Name: "IP", ValueFrom: field("status.podIP")}, {Name: "HOST", ValueFrom: field("status.hostIP")},
			{Name: "NODE", ValueFrom: field("spec.nodeName")}}},
			"A=1 N=p NS=ns UID=u1 IP=10.0.0.9 HOST=10.0.0.1 NODE=n1", ""},
		{"config map and secret keys", core.Container{Env: []core.EnvVar{{Name: "M", ValueFrom: ref("cm", "cfg", "mode", false)},
			{Name: "P", ValueFrom: ref("secret", "creds", "password", false)}}}, "M=fast P=pw", ""},
		{"optional missing key is skipped", core.Container{Env: []core.EnvVar{{Name: "X", ValueFrom: ref("cm", "cfg", "nope", true)},
			{Name: "Y", ValueFrom: ref("secret", "gone", "k", true)}}}, "", ""},
		{"missing key fails", core.Container{Env: []core.EnvVar{{Name: "X", ValueFrom: ref("cm", "cfg", "nope", false)}}}, "",
			"couldn't find key nope in config map ns/cfg"},
		{"missing secret fails", core.Container{Env: []core.EnvVar{{Name: "X", ValueFrom: ref("secret", "gone", "k", false)}}}, "",
			"secret gone not found"},
		{"unsupported field", core.Container{Env: []core.EnvVar{{Name: "X", ValueFrom: field("metadata.labels")}}}, "",
			"unsupported fieldRef"},
		{"resource fields, unset limits at the node's allocatable", core.Container{
			Resources: core.ResourceRequirements{Limits: core.ResourceList{core.ResourceCPU: resource.MustParse("500m")}},
			Env: []core.EnvVar{{Name: "CPU", ValueFrom: &core.EnvVarSource{ResourceFieldRef: &core.ResourceFieldSelector{Resource: "limits.cpu", Divisor: resource.MustParse("1m")}}},
				{Name: "MEM", ValueFrom: &core.EnvVarSource{ResourceFieldRef: &core.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Gi")}}}}},
			"CPU=500 MEM=8", ""},
		{"$(NAME) expands to a name defined before, envFrom included; later values replace earlier ones in place",
			core.Container{EnvFrom: []core.EnvFromSource{{ConfigMapRef: &core.ConfigMapEnvSource{LocalObjectReference: core.LocalObjectReference{Name: "cfg"}}}},
				Env: []core.EnvVar{{Name: "A", Value: "$(mode)-$(N)-$(LATER)-$$(mode)"}, {Name: "N", ValueFrom: field("metadata.name")},
					{Name: "B", Value: "$(N)/$(A)"}, {Name: "level", Value: "9"}, {Name: "LATER", Value: "x"}}},
			"level=9 mode=fast A=fast-$(N)-$(LATER)-$(mode) N=p B=p/fast-$(N)-$(LATER)-$(mode) LATER=x", ""},
		{"label field", core.Container{Env: []core.EnvVar{{Name: "L", ValueFrom: field("metadata.labels['app']")}}}, "L=web", ""},
		{"envFrom with prefix", core.Container{EnvFrom: []core.EnvFromSource{{Prefix: "S_",
			SecretRef: &core.SecretEnvSource{LocalObjectReference: core.LocalObjectReference{Name: "creds"}}}}}, "S_password=pw", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars, err := containerEnv(context.Background(), src, pod, &tc.c, nil, "10.0.0.1", "10.0.0.9", capacity)
			env := vars.list()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || strings.Join(env, " ") != tc.want {
				t.Fatalf("env = %q, %v; want %q", strings.Join(env, " "), err, tc.want)
			}
		})
	}
}

func TestPodGrace(t *testing.T) {
	for _, tc := range []struct {
		spec, deletion *int64
		want           time.Duration
	}{
		{nil, nil, 30 * time.Second},
		{meta.Ptr(int64(10)), nil, 10 * time.Second},
		{meta.Ptr(int64(10)), meta.Ptr(int64(3)), 3 * time.Second},
		{meta.Ptr(int64(2)), meta.Ptr(int64(30)), 2 * time.Second},
	} {
		p := &core.Pod{Spec: core.PodSpec{TerminationGracePeriodSeconds: tc.spec}}
		p.DeletionGracePeriodSeconds = tc.deletion
		if got := podGrace(p); got != tc.want {
			t.Errorf("grace(%v, %v) = %v, want %v", tc.spec, tc.deletion, got, tc.want)
		}
	}
}

func TestPastActiveDeadline(t *testing.T) {
	start := meta.NewTime(t0)
	p := &core.Pod{Spec: core.PodSpec{ActiveDeadlineSeconds: meta.Ptr(int64(5))}, Status: core.PodStatus{StartTime: &start}}
	if pastActiveDeadline(p, t0.Add(4*time.Second)) || !pastActiveDeadline(p, t0.Add(5*time.Second)) {
		t.Fatal("deadline boundary wrong")
	}
	p.Spec.ActiveDeadlineSeconds = nil
	if pastActiveDeadline(p, t0.Add(time.Hour)) {
		t.Fatal("no deadline expired")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestPutLeaseKeepsItsCopyAtTheAnsweredVersion(t *testing.T) {
	var got coordination.Lease
	var path string
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		path = r.Method + " " + r.URL.Path
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Error(err)
		}
		answer := `{"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"n1","uid":"x","resourceVersion":"8"}}`
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(answer)), Request: r}, nil
	})
	cs, err := clientset.NewForConfig(&rest.Config{Host: "http://apiserver.invalid", Transport: rt, QPS: -1})
	if err != nil {
		t.Fatal(err)
	}
	k := testKubelet(t)
	k.client, k.cfg.NodeLeaseDurationSeconds = cs, 40
	old := meta.NowMicro()
	lease := &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: "n1", Namespace: NodeLeaseNamespace, ResourceVersion: "7"},
		Spec: coordination.LeaseSpec{HolderIdentity: meta.Ptr("other"), RenewTime: &old}}
	now := meta.MicroTime{Time: old.Add(time.Second)}
	out, err := k.putLease(context.Background(), lease, "n1", &now)
	if err != nil {
		t.Fatal(err)
	}
	if path != "PUT /apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1" || got.ResourceVersion != "7" ||
		got.Kind != "Lease" || *got.Spec.HolderIdentity != "n1" || *got.Spec.LeaseDurationSeconds != 40 || !got.Spec.RenewTime.Equal(now.Time) {
		t.Fatalf("sent %s %+v", path, got)
	}
	if out.ResourceVersion != "8" || *out.Spec.HolderIdentity != "n1" || out.Spec.RenewTime != &now {
		t.Fatalf("kept %+v", out)
	}
	if lease.ResourceVersion != "7" || *lease.Spec.HolderIdentity != "other" || lease.Spec.RenewTime != &old {
		t.Fatalf("the renewed lease changed: %+v", lease)
	}
}

// BenchmarkRenewLease is one node's lease renewal against an apiserver
// that answers with the renewed lease.
func BenchmarkRenewLease(b *testing.B) {
	now := meta.NowMicro()
	lease := &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: "n1", Namespace: NodeLeaseNamespace, ResourceVersion: "7",
		UID: "0f5e3c2a-9b1d-4e6f-8a7b-123456789abc", CreationTimestamp: meta.NewTime(t0),
		OwnerReferences: []meta.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: "n1", UID: "1f5e3c2a-9b1d-4e6f-8a7b-123456789abc"}}},
		Spec: coordination.LeaseSpec{HolderIdentity: meta.Ptr("n1"), LeaseDurationSeconds: meta.Ptr(int32(40)), RenewTime: &now}}
	lease.APIVersion, lease.Kind = "coordination.k8s.io/v1", "Lease"
	answer, err := json.Marshal(lease)
	if err != nil {
		b.Fatal(err)
	}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		_, _ = io.Copy(io.Discard, r.Body)
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(answer)), Request: r}, nil
	})
	cs, err := clientset.NewForConfig(&rest.Config{Host: "http://apiserver.invalid", Transport: rt, QPS: -1})
	if err != nil {
		b.Fatal(err)
	}
	k := &Kubelet{client: cs, cfg: Config{NodeLeaseDurationSeconds: 40}, log: zap.NewNop()}
	node := &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}}
	for b.Loop() {
		if lease = k.renewLease(context.Background(), node, lease); lease == nil {
			b.Fatal("not renewed")
		}
	}
}
