package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// benchPod is a pod of the size the end-to-end bench writes: scheduled,
// owned by a ReplicaSet, one container with resources and a running status.
const benchPod = `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"NAME","namespace":"ns","uid":"6f1c0b1e-8a53-4c0e-9a52-3d7c2b8f0a11",
"creationTimestamp":"2026-01-02T03:04:05Z","labels":{"app":"web","pod-template-hash":"5d8f7c9b6"},
"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d8f7c9b6","uid":"0b7d6c5e-1f2a-4b3c-8d9e-0a1b2c3d4e5f","controller":true,"blockOwnerDeletion":true}]},
"spec":{"containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}],
"resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}},
"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","nodeName":"node-0042","schedulerName":"default-scheduler",
"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]},
"status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True","lastTransitionTime":"2026-01-02T03:04:06Z"},
{"type":"Ready","status":"True","lastTransitionTime":"2026-01-02T03:04:07Z"},{"type":"ContainersReady","status":"True","lastTransitionTime":"2026-01-02T03:04:07Z"},
{"type":"PodScheduled","status":"True","lastTransitionTime":"2026-01-02T03:04:05Z"}],"hostIP":"10.0.0.42","podIP":"10.244.42.7","podIPs":[{"ip":"10.244.42.7"}],
"startTime":"2026-01-02T03:04:06Z","containerStatuses":[{"name":"web","state":{"running":{"startedAt":"2026-01-02T03:04:07Z"}},"ready":true,"restartCount":0,
"image":"nginx:1.27","imageID":"sim://nginx:1.27","containerID":"sim://web-0042","started":true}],"qosClass":"Burstable"}}`

var benchRuns atomic.Int32

func newPod() meta.Object { return &core.Pod{TypeMeta: meta.TypeMeta{Kind: "Pod", APIVersion: "v1"}} }

// etcdRequests returns how many etcd requests of operation the store of
// resource made (the count of etcd_request_duration_seconds).
func etcdRequests(t testing.TB, operation, resource string) uint64 {
	t.Helper()
	mfs, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "etcd_request_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["operation"] == operation && labels["type"] == resource {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}

// BenchmarkCacherGuaranteedUpdatePod updates pods round robin through a
// cacher (as the kubelet's status writes do) and reports the etcd requests
// each update costs.
func BenchmarkCacherGuaranteedUpdatePod(b *testing.B) {
	const pods = 64
	st := etcd3.New(client, "", "benchpods"+strconv.Itoa(int(benchRuns.Add(1))), "/registry", newPod, zap.NewNop())
	c, stop := runCacher(b, st, cacher.Config{})
	defer stop()
	ctx := context.Background()
	keys, last := createBenchPods(b, c, st, pods)
	waitFor(b, 10*time.Second, "cache has the pods", func() bool { return c.Revision() >= last })
	gets, txns := etcdRequests(b, "get", st.QualifiedResource()), etcdRequests(b, "update", st.QualifiedResource())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := c.GuaranteedUpdate(ctx, keys[i%pods], nil, false, func(cur meta.Object) (meta.Object, error) {
			p := cur.(*core.Pod)
			p.Status.ContainerStatuses[0].RestartCount++
			return p, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(etcdRequests(b, "get", st.QualifiedResource())-gets)/float64(b.N), "gets/op")
	b.ReportMetric(float64(etcdRequests(b, "update", st.QualifiedResource())-txns)/float64(b.N), "txns/op")
}

// BenchmarkCacherCreatePod creates pods through a cacher, as the POSTs of
// the end-to-end bench do.
func BenchmarkCacherCreatePod(b *testing.B) {
	st := etcd3.New(client, "", "benchcreate"+strconv.Itoa(int(benchRuns.Add(1))), "/registry", newPod, zap.NewNop())
	c, stop := runCacher(b, st, cacher.Config{})
	defer stop()
	ctx := context.Background()
	pods := make([]meta.Object, b.N)
	for i := range pods {
		pods[i] = newPod()
		if err := json.Unmarshal([]byte(benchPod), pods[i]); err != nil {
			b.Fatal(err)
		}
		pods[i].GetObjectMeta().Name = fmt.Sprintf("web-%06d", i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i, p := range pods {
		if _, err := c.Create(ctx, fmt.Sprintf("%sns/web-%06d", prefix(st), i), p); err != nil {
			b.Fatal(err)
		}
	}
}
