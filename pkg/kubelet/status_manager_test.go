package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

func writtenPodJSON(t testing.TB) []byte {
	pod := testPod("", []string{"i"}, "a", "b")
	pod.TypeMeta = meta.TypeMeta{Kind: "Pod", APIVersion: "v1"}
	pod.ResourceVersion = "12345"
	pod.Labels = map[string]string{"resourceVersion": "1"}
	pod.Annotations = map[string]string{"a": `{"resourceVersion":"2"}`}
	pod.Status = fullStatus()
	b, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestResourceVersionOf(t *testing.T) {
	for name, tc := range map[string]struct {
		in, want string
		err      bool
	}{
		"written pod": {in: string(writtenPodJSON(t)), want: "12345"},
		"metadata last, other keys first": {in: `{"spec":{"metadata":{"resourceVersion":"1"}},"status":{},` +
			`"metadata":{"labels":{"resourceVersion":"2"},"ownerReferences":[{"name":"x"}],"resourceVersion":"7"}}`, want: "7"},
		"no resourceVersion":           {in: `{"metadata":{"name":"p"}}`, err: true},
		"no metadata":                  {in: `{"kind":"Pod"}`, err: true},
		"not an object":                {in: `[1]`, err: true},
		"metadata not an object":       {in: `{"metadata":"x"}`, err: true},
		"resourceVersion not a string": {in: `{"metadata":{"resourceVersion":7}}`, err: true},
		"truncated":                    {in: `{"metadata":{"name":`, err: true},
	} {
		got, err := resourceVersionOf([]byte(tc.in))
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q, error %v", name, got, err, tc.want, tc.err)
		}
	}
}

// TestScanResourceVersionAgreesWithTokens holds the scanner to reading
// tokens: where both answer, they agree (and where the scanner cannot tell,
// resourceVersionOf reads tokens). The scanner may answer for JSON that
// reading tokens rejects: it does not validate the values it skips.
func TestScanResourceVersionAgreesWithTokens(t *testing.T) {
	pod := writtenPodJSON(t)
	var indented bytes.Buffer
	if err := json.Indent(&indented, pod, "", "\t"); err != nil {
		t.Fatal(err)
	}
	inputs := []string{string(pod), indented.String(),
		`{"metadata":{"resourceVersion":"1"}}`,
		` { "metadata" : { "resourceVersion" : "2" } } `,
		`{"meta\u0064ata":{"resourceVersion":"3"}}`,
		`{"metadata":{"resource\u0056ersion":"4"}}`,
		`{"metadata":{"resourceVersion":"5\"6"}}`,
		`{"metadata":{"labels":{"a\"b":"c]}","resourceVersion":"x"},"resourceVersion":"7"}}`,
		`{"a":1.5e3,"b":true,"c":null,"d":[1,{"x":"}"},[]],"resourceVersion":"0","metadata":{"generation":2,"resourceVersion":"8"}}`,
		`{"metadata":{"generation":2}}`,
		`{"metadata":{"name":"p"},"resourceVersion":"9"}`,
		`{"metadata":{"resourceVersion":null}}`,
		`{"metadata":[]}`,
		`{"metadata"}`,
		`{"metadata":{"name":"p" "resourceVersion":"1"}}`,
		``, `{`, `"x"`, `{}`,
	}
	for n := range pod {
		inputs = append(inputs, string(pod[:n]))
	}
	for _, in := range inputs {
		want, wantErr := resourceVersionOfTokens([]byte(in))
		if rv, ok := meta.ResourceVersionOf([]byte(in)); ok && wantErr == nil && rv != want {
			t.Errorf("%q: scanned %q; tokens read %q, %v", in, rv, want, wantErr)
		}
		if got, err := resourceVersionOf([]byte(in)); wantErr == nil && (err != nil || got != want) {
			t.Errorf("%q: got %q, %v; tokens read %q", in, got, err, want)
		}
	}
	if rv, ok := meta.ResourceVersionOf(pod); !ok || rv != "12345" {
		t.Fatalf("written pod: scanned %q, %v; want 12345", rv, ok)
	}
}

func BenchmarkResourceVersionOf(b *testing.B) {
	body := writtenPodJSON(b)
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			if _, err := resourceVersionOf(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tokens", func(b *testing.B) {
		for b.Loop() {
			if _, err := resourceVersionOfTokens(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal-metadata-only", func(b *testing.B) {
		for b.Loop() {
			var out struct {
				Metadata struct {
					ResourceVersion string `json:"resourceVersion"`
				} `json:"metadata"`
			}
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal-pod", func(b *testing.B) {
		for b.Loop() {
			var out core.Pod
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// fakeStatusServer answers PUT pods/status with the pod it got at
// resourceVersion 42 and keeps the request bodies.
func fakeStatusServer(t *testing.T) (*clientset.Clientset, chan map[string]any) {
	bodies := make(chan map[string]any, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.URL.Path != "/api/v1/namespaces/ns/pods/p/status" {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusBadRequest)
			return
		}
		b, err := io.ReadAll(r.Body)
		var sent, body map[string]any
		if err == nil {
			err = errors.Join(json.Unmarshal(b, &sent), json.Unmarshal(b, &body))
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		bodies <- sent
		body["metadata"].(map[string]any)["resourceVersion"] = "42"
		body["spec"] = map[string]any{"containers": []any{map[string]any{"name": "a"}}}
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	cs, err := clientset.NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return cs, bodies
}

func TestStatusWrites(t *testing.T) {
	cs, bodies := fakeStatusServer(t)
	k := &Kubelet{client: cs, log: zap.NewNop(), statusWrites: make(chan struct{}, maxStatusWritesInFlight)}
	pod := testPod("", nil, "a")
	pod.ResourceVersion, pod.Labels = "7", map[string]string{"app": "x"}
	status := fullStatus()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := newPodWorker(string(pod.UID))
	k.writeStatus(ctx, w, pod, status)
	if w.lastStatus == nil || w.lastRV != 42 {
		t.Fatalf("after a write: last status %v at %d; want it at 42", w.lastStatus, w.lastRV)
	}
	body := <-bodies
	md, _ := body["metadata"].(map[string]any)
	if _, hasSpec := body["spec"]; hasSpec || body["kind"] != "Pod" || body["apiVersion"] != "v1" ||
		md["resourceVersion"] != "7" || md["labels"].(map[string]any)["app"] != "x" || body["status"].(map[string]any)["phase"] != "Running" {
		t.Fatalf("body %v: want kind, apiVersion, metadata (resourceVersion, labels) and status, no spec", body)
	}

	// The pod already has the status: nothing is written.
	same := *pod
	same.Status = status
	w = newPodWorker(string(pod.UID))
	k.writeStatus(ctx, w, &same, status)
	if w.lastStatus != nil {
		t.Fatal("an unchanged status was written")
	}

	cancel()
	if _, ok := k.putStatusRetrying(ctx, pod, &status); ok {
		t.Fatal("a write after the context ended succeeded")
	}
	select {
	case b := <-bodies:
		t.Fatalf("unexpected write %v", b)
	default:
	}
}

// FuzzScanResourceVersion: where both the scanner and reading tokens
// answer, they agree. (The scanner may answer where reading tokens fails:
// it does not validate the values it skips.)
func FuzzScanResourceVersion(f *testing.F) {
	f.Add(writtenPodJSON(f))
	f.Add([]byte(`{"a":[1,{"x":"}"}],"metadata":{"labels":{"a\"b":"c"},"resourceVersion":"8"}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		rv, ok := meta.ResourceVersionOf(in)
		if !ok {
			return
		}
		if want, err := resourceVersionOfTokens(in); err == nil && rv != want {
			t.Fatalf("%q: scanned %q; tokens read %q, %v", in, rv, want, err)
		}
	})
}
