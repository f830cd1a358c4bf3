package core

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

const podJSON = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
"spec":{"containers":[{"name":"c","image":"busybox","command":["sh","-c"],"args":["sleep 30"],
"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
"env":[{"name":"POD","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"K","valueFrom":{"configMapKeyRef":{"name":"cm","key":"k"}}}],
"resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"1"}},
"readinessProbe":{"httpGet":{"path":"/","port":"http","scheme":"HTTP"},"periodSeconds":5},
"livenessProbe":{"tcpSocket":{"port":8080}}}],
"volumes":[{"name":"data","emptyDir":{}},{"name":"cfg","configMap":{"name":"cm"}}],
"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"disk","operator":"In","values":["ssd"]}]}]}}}},
"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-01-01T00:00:00Z"}],
"containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":1,"reason":"Error","startedAt":"2024-01-01T00:00:00Z","finishedAt":"2024-01-01T00:00:01Z"}},"ready":false,"restartCount":2,"image":"busybox","imageID":""}]}}`

func TestPodJSONRoundTrip(t *testing.T) {
	var p Pod
	if err := json.Unmarshal([]byte(podJSON), &p); err != nil {
		t.Fatal(err)
	}
	c := p.Spec.Containers[0]
	if c.ReadinessProbe.HTTPGet.Port.StrVal != "http" || c.LivenessProbe.TCPSocket.Port.IntVal != 8080 {
		t.Errorf("probe ports: %+v %+v", c.ReadinessProbe.HTTPGet.Port, c.LivenessProbe.TCPSocket.Port)
	}
	if cpu := c.Resources.Requests.Cpu(); cpu.MilliValue() != 100 {
		t.Errorf("cpu request = %v", cpu)
	}
	if p.Spec.Volumes[1].ConfigMap.Name != "cm" || p.Spec.Containers[0].Env[1].ValueFrom.ConfigMapKeyRef.Name != "cm" {
		t.Errorf("inline LocalObjectReference not decoded")
	}
	if p.Status.ContainerStatuses[0].State.Terminated.ExitCode != 1 {
		t.Errorf("exit code not decoded")
	}
	out, err := json.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	var back Pod
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(meta.DeepCopy(&p), meta.DeepCopy(&back)) {
		t.Errorf("round trip differs:\n%s", out)
	}
	for _, want := range []string{`"lastProbeTime":null`, `"containers":[`, `"restartCount":2`, `"exitCode":1`, `"port":"http"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s: %s", want, out)
		}
	}
}

func TestWireNames(t *testing.T) {
	n := Node{Status: NodeStatus{DaemonEndpoints: NodeDaemonEndpoints{KubeletEndpoint: DaemonEndpoint{Port: 10250}}}}
	b, _ := json.Marshal(&n)
	if !strings.Contains(string(b), `"daemonEndpoints":{"kubeletEndpoint":{"Port":10250}}`) {
		t.Errorf("node: %s", b)
	}
	s := Secret{Data: map[string][]byte{"k": []byte("hello")}, Type: SecretTypeOpaque}
	b, _ = json.Marshal(&s)
	if !strings.Contains(string(b), `"data":{"k":"aGVsbG8="}`) {
		t.Errorf("secret data must be base64: %s", b)
	}
	e := Event{ReportingController: "kubelet"}
	b, _ = json.Marshal(&e)
	if !strings.Contains(string(b), `"reportingComponent":"kubelet"`) {
		t.Errorf("event: %s", b)
	}
	var m meta.Object = &Pod{}
	_ = m
}

// BenchmarkDeepCopyPod compares meta.DeepCopy with the JSON round trip it
// replaced.
func BenchmarkDeepCopyPod(b *testing.B) {
	var p Pod
	if err := json.Unmarshal([]byte(podJSON), &p); err != nil {
		b.Fatal(err)
	}
	b.Run("reflect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = meta.DeepCopy(&p)
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			data, _ := json.Marshal(&p)
			var q Pod
			_ = json.Unmarshal(data, &q)
		}
	})
}

// BenchmarkPodJSON measures encoding/json Marshal and Unmarshal of a typical
// pod, the work every daemon does on each watch event and write.
func BenchmarkPodJSON(b *testing.B) {
	var p Pod
	if err := json.Unmarshal([]byte(podJSON), &p); err != nil {
		b.Fatal(err)
	}
	data, err := json.Marshal(&p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var q Pod
			if err := json.Unmarshal(data, &q); err != nil {
				b.Fatal(err)
			}
		}
	})
}
