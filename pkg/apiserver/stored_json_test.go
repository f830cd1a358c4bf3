package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// encodingStore is a benchStore that encodes what it writes as etcd3 does
// and, if record, hands the JSON to a storage.Written on the context as
// etcd3 (and the cacher) do.
type encodingStore struct {
	*benchStore
	record bool
	mark   bool // record the JSON with a marker member, to see it used
}

func (s *encodingStore) stored(ctx context.Context, obj meta.Object) error {
	m := obj.GetObjectMeta()
	rv := m.ResourceVersion
	m.ResourceVersion = ""
	data, err := json.Marshal(obj)
	m.ResourceVersion = rv
	if err != nil || !s.record {
		return err
	}
	rev, _ := strconv.ParseInt(rv, 10, 64)
	if w := storage.WrittenFrom(ctx); w != nil {
		if full, ok := meta.WithResourceVersion(data, rev); ok {
			if s.mark {
				full = append([]byte(`{"marker":1,`), full[1:]...)
			}
			w.Set(obj, rev, full)
		}
	}
	return nil
}

func (s *encodingStore) Create(ctx context.Context, key string, obj meta.Object) (meta.Object, error) {
	out, err := s.benchStore.Create(ctx, key, obj)
	if err != nil {
		return nil, err
	}
	return out, s.stored(ctx, out)
}

func (s *encodingStore) GuaranteedUpdate(ctx context.Context, key string, p *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(current meta.Object) (meta.Object, error)) (meta.Object, error) {
	out, err := s.benchStore.GuaranteedUpdate(ctx, key, p, ignoreNotFound, tryUpdate)
	if err != nil {
		return nil, err
	}
	return out, s.stored(ctx, out)
}

func encodingServer(t testing.TB, record, mark bool) http.Handler {
	return newBenchServer(t, func(st *benchStore) storage.Interface {
		return &encodingStore{benchStore: st, record: record, mark: mark}
	})
}

func newPodBody(t testing.TB, kind string) []byte {
	t.Helper()
	b, err := json.Marshal(&core.Pod{
		TypeMeta:   meta.TypeMeta{Kind: kind, APIVersion: "v1"},
		ObjectMeta: meta.ObjectMeta{Name: "bench-new", Labels: map[string]string{"app": "bench"}},
		Spec:       core.PodSpec{Containers: []core.Container{{Name: "main", Image: "bench/pause"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func statusBody(t testing.TB) []byte {
	t.Helper()
	pod := benchPod("node-1")
	pod.Name, pod.ResourceVersion = "bench-2", ""
	pod.Status.Phase, pod.Status.PodIP = core.PodRunning, "10.1.0.7"
	b, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// An answer made of the stored JSON is byte for byte the encoding of the
// returned object; ?pretty, dry runs and objects typed completes are
// encoded.
func TestWriteAnswersWithStoredJSON(t *testing.T) {
	tests := []struct {
		name, method, path string
		body               []byte
		code               int
		stored             bool // the answer is the stored JSON
	}{
		{"create", http.MethodPost, "/api/v1/namespaces/default/pods", newPodBody(t, "Pod"), http.StatusCreated, true},
		// The create path sets kind and apiVersion before storing.
		{"create untyped", http.MethodPost, "/api/v1/namespaces/default/pods", newPodBody(t, ""), http.StatusCreated, true},
		{"create pretty", http.MethodPost, "/api/v1/namespaces/default/pods?pretty=true", newPodBody(t, "Pod"), http.StatusCreated, false},
		{"create dry run", http.MethodPost, "/api/v1/namespaces/default/pods?dryRun=All", newPodBody(t, "Pod"), http.StatusCreated, false},
		{"update status", http.MethodPut, "/api/v1/namespaces/default/pods/bench-2/status", statusBody(t), http.StatusOK, true},
		{"update status pretty", http.MethodPut, "/api/v1/namespaces/default/pods/bench-2/status?pretty=1", statusBody(t), http.StatusOK, false},
		{"update status dry run", http.MethodPut, "/api/v1/namespaces/default/pods/bench-2/status?dryRun=All", statusBody(t), http.StatusOK, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var answers [3][]byte
			for i, record := range []bool{false, true, true} {
				h := encodingServer(t, record, i == 2)
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(tt.method, tt.path, bytes.NewReader(tt.body))
				req.Header.Set("Content-Type", "application/json")
				h.ServeHTTP(rec, req)
				if rec.Code != tt.code {
					t.Fatalf("record %v: code %d: %s", record, rec.Code, rec.Body)
				}
				if n, _ := strconv.Atoi(rec.Header().Get("Content-Length")); n != rec.Body.Len() {
					t.Fatalf("Content-Length %d for %d bytes", n, rec.Body.Len())
				}
				answers[i] = rec.Body.Bytes()
			}
			if marked := bytes.Contains(answers[2], []byte(`"marker":1`)); marked != tt.stored {
				t.Fatalf("stored JSON used: %v, want %v", marked, tt.stored)
			}
			// The benchStores count revisions alike; the creation time and
			// uid are the server's, so compare with them taken out.
			if a, b := stripTimestamps(t, answers[0]), stripTimestamps(t, answers[1]); !bytes.Equal(a, b) {
				t.Fatalf("encoded answer\n%s\nstored answer\n%s", answers[0], answers[1])
			}
		})
	}
}

// stripTimestamps re-encodes a pod answer with creationTimestamp zeroed, so
// two servers' answers compare; it checks the layout is json.Marshal's.
func stripTimestamps(t *testing.T, b []byte) []byte {
	t.Helper()
	var pod core.Pod
	if err := json.Unmarshal(b, &pod); err != nil {
		t.Fatal(err)
	}
	pod.CreationTimestamp, pod.UID = meta.Time{}, ""
	out, err := json.Marshal(&pod)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("\n  ")) {
		return out // pretty: compared as values
	}
	canon, _ := json.Marshal(json.RawMessage(bytes.TrimSpace(b)))
	if !bytes.Equal(canon, bytes.TrimSpace(b)) {
		t.Fatalf("answer is not compact JSON: %s", b)
	}
	return out
}

// BenchmarkCreatePodStored is BenchmarkCreatePod over a store that encodes
// like etcd3: "encoded" answers with json.Marshal of the created pod (the
// store records nothing), "stored" with the stored JSON.
func BenchmarkCreatePodStored(b *testing.B) {
	for _, record := range []bool{false, true} {
		b.Run(map[bool]string{false: "encoded", true: "stored"}[record], func(b *testing.B) {
			benchRequest(b, encodingServer(b, record, false), http.MethodPost, "/api/v1/namespaces/default/pods", newPodBody(b, "Pod"), http.StatusCreated)
		})
	}
}

// BenchmarkUpdatePodStatusStored is BenchmarkUpdatePodStatus likewise.
func BenchmarkUpdatePodStatusStored(b *testing.B) {
	for _, record := range []bool{false, true} {
		b.Run(map[bool]string{false: "encoded", true: "stored"}[record], func(b *testing.B) {
			benchRequest(b, encodingServer(b, record, false), http.MethodPut, "/api/v1/namespaces/default/pods/bench-2/status", statusBody(b), http.StatusOK)
		})
	}
}

// A Written answers only for the object it recorded, unchanged in kind,
// apiVersion and resourceVersion.
func TestWrittenJSONOnlyForTheWrittenObject(t *testing.T) {
	_, w := storage.WithWritten(context.Background())
	pod := &core.Pod{TypeMeta: meta.TypeMeta{Kind: "Pod", APIVersion: "v1"}, ObjectMeta: meta.ObjectMeta{Name: "a", ResourceVersion: "7"}}
	if _, ok := w.JSON(pod); ok {
		t.Fatal("an empty Written answered")
	}
	w.Set(pod, 7, []byte(`{}`))
	if _, ok := w.JSON(pod); !ok {
		t.Fatal("the written object got no JSON")
	}
	if _, ok := w.JSON(&core.Pod{TypeMeta: pod.TypeMeta, ObjectMeta: pod.ObjectMeta}); ok {
		t.Fatal("another object got the JSON")
	}
	pod.Kind = ""
	if _, ok := w.JSON(pod); ok {
		t.Fatal("an object whose kind changed got the JSON")
	}
	pod.Kind, pod.ResourceVersion = "Pod", "8"
	if _, ok := w.JSON(pod); ok {
		t.Fatal("an object whose resourceVersion changed got the JSON")
	}
	var nilW *storage.Written
	if _, ok := nilW.JSON(pod); ok {
		t.Fatal("a nil Written answered")
	}
}
