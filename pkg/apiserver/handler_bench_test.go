package apiserver

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// benchStore is a stateless storage.Interface for handler benchmarks: a
// create is accepted and handed back, a read or update works on a private
// copy of one fixed object per key, so every iteration does the same work
// and the figures are the handler's, not a store's.
type benchStore struct {
	res     *registry.Resource
	rev     *atomic.Int64
	objects map[string]meta.Object
}

var errBenchStore = errors.New("not served by the benchmark store")

func (s *benchStore) Create(_ context.Context, _ string, obj meta.Object) (meta.Object, error) {
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(s.rev.Add(1), 10)
	return obj, nil
}

func (s *benchStore) Get(_ context.Context, key string, _ storage.GetOptions) (meta.Object, error) {
	obj, ok := s.objects[key]
	if !ok {
		return nil, errBenchStore
	}
	return s.res.DeepCopy(obj), nil
}

// List serves the admission plugins' reads (limit ranges, quotas): the
// objects under prefix.
func (s *benchStore) List(_ context.Context, prefix string, _ storage.ListOptions) (*storage.ListResult, error) {
	out := &storage.ListResult{ResourceVersion: strconv.FormatInt(s.rev.Load(), 10)}
	for k, o := range s.objects {
		if strings.HasPrefix(k, prefix) {
			out.Items = append(out.Items, s.res.DeepCopy(o))
		}
	}
	return out, nil
}

func (s *benchStore) GuaranteedUpdate(_ context.Context, key string, _ *meta.Preconditions, _ bool,
	tryUpdate func(current meta.Object) (meta.Object, error)) (meta.Object, error) {
	obj, ok := s.objects[key]
	if !ok {
		return nil, errBenchStore
	}
	out, err := tryUpdate(s.res.DeepCopy(obj))
	if err != nil {
		return nil, err
	}
	out.GetObjectMeta().ResourceVersion = strconv.FormatInt(s.rev.Add(1), 10)
	return out, nil
}

func (s *benchStore) Delete(context.Context, string, *meta.Preconditions, func(meta.Object) error) (meta.Object, error) {
	return nil, errBenchStore
}

func (s *benchStore) Count(context.Context, string) (int64, error) { return 0, errBenchStore }

func (s *benchStore) Watch(context.Context, string, storage.ListOptions) (storage.Watcher, error) {
	return nil, errBenchStore
}

// benchPod is the pod of the end-to-end bench's load (test/bench/load.go)
// as the apiserver stored it: defaulted, with the default tolerations.
func benchPod(nodeName string) *core.Pod {
	created := meta.NewTime(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	pod := &core.Pod{
		TypeMeta: meta.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: meta.ObjectMeta{Name: "bench-1", Namespace: "default", UID: "0b0e0a9c-6a36-4d7e-9d3e-5f6a4a0b8c11",
			ResourceVersion: "5", CreationTimestamp: created, Labels: map[string]string{"app": "bench"}},
		Spec: core.PodSpec{NodeName: nodeName, Containers: []core.Container{{Name: "main", Image: "bench/pause"}}},
	}
	if nodeName != "" {
		setPodScheduled(pod, created.Time)
	}
	if pods, ok := registry.Default().Lookup("", "v1", "pods"); ok && pods.Default != nil {
		pods.Default(pod)
	}
	addDefaultTolerations(pod, 300, 300)
	return pod
}

// benchServer is the real handler chain (as the apiserver binary builds it:
// AlwaysAllow after the privileged groups, a request timeout) over
// benchStores holding the namespace "default", an unbound pod
// default/bench-1 and a bound one default/bench-2.
func benchServer(b *testing.B) http.Handler {
	b.Helper()
	return newBenchServer(b, nil)
}

// newBenchServer is benchServer; wrap, if set, wraps every benchStore.
func newBenchServer(b testing.TB, wrap func(*benchStore) storage.Interface) http.Handler {
	b.Helper()
	var rev atomic.Int64
	rev.Store(100)
	cfg := DefaultConfig()
	cfg.Resources = registry.Default()
	reg := prometheus.NewRegistry()
	cfg.Registerer, cfg.Gatherer = reg, reg
	cfg.Authorizer = authorization.Union{authorization.PrivilegedGroups(user.SystemPrivilegedGroup), authorization.AlwaysAllow}
	cfg.RequestTimeout = time.Minute
	cfg.Storage = func(r *registry.Resource) (storage.Interface, error) {
		st := &benchStore{res: r, rev: &rev, objects: map[string]meta.Object{}}
		switch {
		case r.Group == "" && r.Resource == "namespaces":
			st.objects[r.Key("", "default")] = &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "default", ResourceVersion: "1"},
				Status: core.NamespaceStatus{Phase: core.NamespaceActive}}
		case r.Group == "" && r.Resource == "pods":
			st.objects[r.Key("default", "bench-1")] = benchPod("")
			bound := benchPod("node-1")
			bound.Name = "bench-2"
			st.objects[r.Key("default", "bench-2")] = bound
		}
		if wrap != nil {
			return wrap(st), nil
		}
		return st, nil
	}
	s, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return s.Handler()
}

func mustJSON(b *testing.B, v any) []byte {
	b.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// discardWriter is a ResponseWriter that keeps only the code, so the
// benchmark measures the handler rather than a recorder's buffer.
type discardWriter struct {
	hdr  http.Header
	code int
	n    int
}

func (w *discardWriter) Header() http.Header { return w.hdr }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}
func (w *discardWriter) Flush() {}

// bufferedWriter is a discardWriter that copies what it is given into a
// buffer, as a connection's response does.
type bufferedWriter struct {
	discardWriter
	buf *bufio.Writer
}

func (w *bufferedWriter) Write(p []byte) (int, error) {
	_, _ = w.discardWriter.Write(p)
	return w.buf.Write(p)
}

// benchRequest serves method path with body through h b.N times and
// checks every answer has code want.
func benchRequest(b *testing.B, h http.Handler, method, path string, body []byte, want int) {
	b.Helper()
	// One request through a recorder first, so a wrong answer shows its body.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: code %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
	rd := bytes.NewReader(body)
	w := &discardWriter{hdr: http.Header{}}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		rd.Reset(body)
		req := httptest.NewRequest(method, path, rd)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "bench")
		req.ContentLength = int64(len(body))
		clear(w.hdr)
		w.code, w.n = 0, 0
		h.ServeHTTP(w, req)
		if w.code != want {
			b.Fatalf("%s %s: code %d, want %d", method, path, w.code, want)
		}
	}
	reportCPU(b, cpu)
}

// reportCPU reports the process' CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	if d := processCPU() - start; d > 0 && b.N > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkCreatePod is POST pods of the end-to-end bench's pod.
func BenchmarkCreatePod(b *testing.B) {
	h := benchServer(b)
	body := mustJSON(b, &core.Pod{
		TypeMeta:   meta.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: meta.ObjectMeta{Name: "bench-new", Labels: map[string]string{"app": "bench"}},
		Spec:       core.PodSpec{Containers: []core.Container{{Name: "main", Image: "bench/pause"}}},
	})
	benchRequest(b, h, http.MethodPost, "/api/v1/namespaces/default/pods", body, http.StatusCreated)
}

// BenchmarkBindPod is the scheduler's POST pods/binding.
func BenchmarkBindPod(b *testing.B) {
	h := benchServer(b)
	body := mustJSON(b, &core.Binding{
		TypeMeta:   meta.TypeMeta{Kind: "Binding", APIVersion: "v1"},
		ObjectMeta: meta.ObjectMeta{Name: "bench-1", Namespace: "default", UID: "0b0e0a9c-6a36-4d7e-9d3e-5f6a4a0b8c11"},
		Target:     core.ObjectReference{Kind: "Node", Name: "node-1"},
	})
	benchRequest(b, h, http.MethodPost, "/api/v1/namespaces/default/pods/bench-1/binding", body, http.StatusCreated)
}

// BenchmarkUpdatePodStatus is the kubelet's PUT pods/status (metadata and
// status, no spec).
func BenchmarkUpdatePodStatus(b *testing.B) {
	h := benchServer(b)
	pod := benchPod("node-1")
	pod.Name = "bench-2"
	started := meta.NewTime(pod.CreationTimestamp.Add(time.Second))
	pod.Spec = core.PodSpec{}
	pod.ResourceVersion = ""
	pod.Status.Phase = core.PodRunning
	pod.Status.PodIP = "10.1.0.7"
	pod.Status.StartTime = &started
	for _, t := range []core.PodConditionType{core.PodInitialized, core.PodReady, core.ContainersReady} {
		pod.Status.Conditions = append(pod.Status.Conditions, core.PodCondition{Type: t, Status: core.ConditionTrue, LastTransitionTime: started})
	}
	pod.Status.ContainerStatuses = []core.ContainerStatus{{Name: "main", Image: "bench/pause", Ready: true, Started: meta.Ptr(true),
		State: core.ContainerState{Running: &core.ContainerStateRunning{StartedAt: started}}}}
	body := mustJSON(b, pod)
	benchRequest(b, h, http.MethodPut, "/api/v1/namespaces/default/pods/bench-2/status", body, http.StatusOK)
}

// BenchmarkWatchEventWrite is the per-watcher cost of writing one cached
// pod event to a watch stream (the scheduler, kubelet and bench watch every
// pod write).
func BenchmarkWatchEventWrite(b *testing.B) {
	pods, _ := registry.Default().Lookup("", "v1", "pods")
	ev := storage.Event{Type: meta.Modified, Cached: storage.NewCachedObject(benchPod("node-1"))}
	// The connection's buffer, as net/http writes a response through one.
	w := &bufferedWriter{discardWriter: discardWriter{hdr: http.Header{}}, buf: bufio.NewWriterSize(io.Discard, 4<<10)}
	e := &eventWriter{s: &Server{}, req: httptest.NewRequest(http.MethodGet, "/api/v1/pods?watch=1", nil), res: pods, w: w}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if !e.write(ev) || !e.flush() {
			b.Fatal("write failed")
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkPodFieldSelectorMatch is the kubelet's watch predicate
// (spec.nodeName!=) on one pod, as the watch cache runs it on the old and
// new object of every pod event.
func BenchmarkPodFieldSelectorMatch(b *testing.B) {
	pods, _ := registry.Default().Lookup("", "v1", "pods")
	pred, err := buildPredicate(pods, "", "spec.nodeName!=")
	if err != nil {
		b.Fatal(err)
	}
	pod := benchPod("node-1")
	b.ReportAllocs()
	for b.Loop() {
		if !pred(pod) {
			b.Fatal("no match")
		}
	}
}
