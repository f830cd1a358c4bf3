package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/kubelet/prober"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/simulated"
)

// fakeAPI answers the kubelet's pod writes without a server: PUT
// pods/status with a Running pod at resourceVersion 11, event creates and
// patches with an event. It counts status writes.
type fakeAPI struct {
	pod, event []byte
	puts       atomic.Int64
}

func newFakeAPI(tb testing.TB) *fakeAPI {
	pod := benchBoundPod(0)
	pod.TypeMeta = meta.TypeMeta{Kind: "Pod", APIVersion: "v1"}
	pod.ResourceVersion = "11"
	pod.Status = generatePodStatus(statusInput{Pod: pod, Containers: states(running("main", 0)),
		Ready: map[string]bool{"main": true}, Started: map[string]bool{"main": true}, HostIP: "10.0.0.5", PodIP: "10.0.0.5", Now: t0})
	ev := record.MakeEvent(pod, core.EventTypeNormal, "Started", "Started container main", "kubelet", t0)
	ev.ResourceVersion = "12"
	a := &fakeAPI{}
	var err1, err2 error
	a.pod, err1 = json.Marshal(pod)
	a.event, err2 = json.Marshal(ev)
	if err1 != nil || err2 != nil {
		tb.Fatal(err1, err2)
	}
	return a
}

func (a *fakeAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	code, body := http.StatusNotFound, []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
	switch path := req.URL.Path; {
	case req.Method == http.MethodPut && strings.HasSuffix(path, "/status"):
		a.puts.Add(1)
		code, body = http.StatusOK, a.pod
	case req.Method == http.MethodPost && strings.HasSuffix(path, "/events"):
		code, body = http.StatusCreated, a.event
	case req.Method == http.MethodPatch && strings.Contains(path, "/events/"):
		code, body = http.StatusOK, a.event
	}
	return &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// benchBoundPod is test/bench's pod as the kubelet first sees it: bound to
// n1, defaulted, Pending with PodScheduled.
func benchBoundPod(i int) *core.Pod {
	n := strconv.Itoa(i)
	return &core.Pod{
		ObjectMeta: meta.ObjectMeta{Name: "bench-" + n, Namespace: "load", UID: "uid-" + n, ResourceVersion: "10",
			Labels: map[string]string{"app": "bench"}, CreationTimestamp: meta.NewTime(t0)},
		Spec: core.PodSpec{NodeName: "n1", RestartPolicy: core.RestartPolicyAlways, TerminationGracePeriodSeconds: meta.Ptr(int64(30)),
			Containers: []core.Container{{Name: "main", Image: "bench/pause"}}},
		Status: core.PodStatus{Phase: core.PodPending, Conditions: []core.PodCondition{
			{Type: core.PodScheduled, Status: core.ConditionTrue, LastTransitionTime: meta.NewTime(t0)}}},
	}
}

// benchKubelet is a kubelet on the simulated runtime, one node, talking to
// a fakeAPI; its probe manager and event recorder (posting on its own
// goroutine, as in the daemon) live until the benchmark ends.
func benchKubelet(b *testing.B) (*Kubelet, *fakeAPI, context.Context) {
	api := newFakeAPI(b)
	cs, err := clientset.NewForConfig(&rest.Config{Host: "http://apiserver.invalid", Transport: api, QPS: -1})
	if err != nil {
		b.Fatal(err)
	}
	k, err := New(Config{Client: cs, Runtime: simulated.New(nil), NodeNames: []string{"n1"}, NodeIP: "10.0.0.5",
		PodResync: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	k.probes = prober.NewManager(ctx, k.runtime.Exec, k.onProbe)
	recorded := make(chan struct{})
	go func() { defer close(recorded); k.recorder.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		<-recorded
		if w := k.workersOrNil(); w != nil {
			w.wait()
		}
		k.probes.Wait()
	})
	return k, api, ctx
}

// echo is pod as the watch brings it back after the kubelet wrote status.
func echo(pod *core.Pod, status *core.PodStatus) *core.Pod {
	cp := *pod
	cp.ResourceVersion, cp.Status = "11", *status
	return &cp
}

// BenchmarkSimulatedPodSync is one bench pod's syncs on the simulated
// runtime, on the caller's goroutine: the first (start the container, two
// events recorded, status written) and the one the status write's echo
// causes (nothing to do).
func BenchmarkSimulatedPodSync(b *testing.B) {
	k, api, ctx := benchKubelet(b)
	i := 0
	for b.Loop() {
		i++
		pod := benchBoundPod(i)
		w := newPodWorker(string(pod.UID))
		k.syncPod(ctx, w, pod)
		if w.lastStatus == nil || w.lastStatus.Phase != core.PodRunning {
			b.Fatalf("status not written: %+v", w.lastStatus)
		}
		k.syncPod(ctx, w, echo(pod, w.lastStatus))
		_ = k.runtime.RemovePod(ctx, string(pod.UID))
		k.probes.RemovePod(string(pod.UID))
	}
	if n := api.puts.Load(); n != int64(i) {
		b.Fatalf("%d status writes for %d pods", n, i)
	}
}

// BenchmarkSimulatedPodWorkers is bench pods through the pod workers, as
// in the bench's load: each added (started, status written) and its echo
// synced, all kept until the end (then deleted, untimed).
func BenchmarkSimulatedPodWorkers(b *testing.B) {
	k, api, ctx := benchKubelet(b)
	synced := make(chan string, 1)
	k.setWorkers(newPodWorkers(ctx, k))
	k.workers.synced = func(uid string) { synced <- uid }
	var pods []*core.Pod
	for b.Loop() {
		pod := benchBoundPod(len(pods))
		pods = append(pods, pod)
		k.podChanged(pod)
		<-synced
		w := k.workers.get(string(pod.UID))
		k.podChanged(echo(pod, w.lastStatus))
		<-synced
	}
	if n := api.puts.Load(); n != int64(len(pods)) {
		b.Fatalf("%d status writes for %d pods", n, len(pods))
	}
	for _, pod := range pods {
		k.workers.remove(pod)
		<-synced
	}
}
