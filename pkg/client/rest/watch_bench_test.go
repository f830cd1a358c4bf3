package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// benchPodJSON is a realistic pod (~2 KB as the apiserver writes it): three
// containers with env, ports, resources and probes, conditions and statuses.
const benchPodJSON = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-5d8f7c9b4-x2k8q","generateName":"web-5d8f7c9b4-","namespace":"default",
"uid":"7c1e9a52-3f0b-4d6e-9a41-2b8c5d7e9f10","resourceVersion":"123456","creationTimestamp":"2026-01-01T00:00:00Z",
"labels":{"app":"web","pod-template-hash":"5d8f7c9b4","tier":"frontend"},
"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d8f7c9b4","uid":"0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9","controller":true,"blockOwnerDeletion":true}]},
"spec":{"containers":[
{"name":"app","image":"registry.example.com/web:1.2.3","command":["/bin/web"],"args":["--port=8080","--verbose"],
"ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
"env":[{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},{"name":"MODE","value":"production"}],
"resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"1","memory":"256Mi"}},
"readinessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"periodSeconds":5}},
{"name":"sidecar","image":"registry.example.com/proxy:2.0","args":["--upstream=localhost:8080"],
"ports":[{"name":"proxy","containerPort":9090,"protocol":"TCP"}],
"resources":{"requests":{"cpu":"50m","memory":"32Mi"}}},
{"name":"logs","image":"registry.example.com/logs:0.9","resources":{"requests":{"cpu":"10m","memory":"16Mi"}}}],
"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default",
"nodeName":"node-0042","schedulerName":"default-scheduler",
"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},
"status":{"phase":"Running","hostIP":"10.0.0.42","podIP":"10.244.42.7","startTime":"2026-01-01T00:00:01Z",
"conditions":[{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-01-01T00:00:00Z"},
{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-01-01T00:00:01Z"},
{"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-01-01T00:00:03Z"},
{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2026-01-01T00:00:03Z"}],
"containerStatuses":[
{"name":"app","state":{"running":{"startedAt":"2026-01-01T00:00:02Z"}},"ready":true,"restartCount":0,"image":"registry.example.com/web:1.2.3","imageID":"sha256:0123456789abcdef","containerID":"sim://app-x2k8q"},
{"name":"sidecar","state":{"running":{"startedAt":"2026-01-01T00:00:02Z"}},"ready":true,"restartCount":0,"image":"registry.example.com/proxy:2.0","imageID":"sha256:fedcba9876543210","containerID":"sim://sidecar-x2k8q"},
{"name":"logs","state":{"running":{"startedAt":"2026-01-01T00:00:02Z"}},"ready":true,"restartCount":0,"image":"registry.example.com/logs:0.9","imageID":"sha256:0f1e2d3c4b5a6978","containerID":"sim://logs-x2k8q"}]}}`

// podEventStream is n watch events of the bench pod, as the apiserver
// frames them: one compact {"type":...,"object":...} object per line.
func podEventStream(b *testing.B, n int) []byte {
	b.Helper()
	var pod core.Pod
	if err := json.Unmarshal([]byte(benchPodJSON), &pod); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	types := []string{meta.Added, meta.Modified, meta.Modified, meta.Deleted}
	for i := range n {
		pod.ResourceVersion = fmt.Sprint(100000 + i)
		line, err := json.Marshal(struct {
			Type   string    `json:"type"`
			Object *core.Pod `json:"object"`
		}{types[i%len(types)], &pod})
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// BenchmarkWatchDecodePods reads a stream of pod watch events through a
// streamWatcher (framing, envelope and object decoding, channel hand-off);
// one op is one event.
func BenchmarkWatchDecodePods(b *testing.B) {
	const perStream = 256
	stream := podEventStream(b, perStream)
	b.SetBytes(int64(len(stream) / perStream))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; {
		w := &streamWatcher[*core.Pod]{
			result: make(chan watch.Event[*core.Pod]), done: make(chan struct{}),
			body: io.NopCloser(bytes.NewReader(stream)), cancel: func() {},
			decode: DecodeJSON[core.Pod](),
		}
		go w.receive()
		for ev := range w.ResultChan() {
			if ev.Object == nil {
				b.Fatalf("event %+v", ev)
			}
			n++
		}
	}
}
