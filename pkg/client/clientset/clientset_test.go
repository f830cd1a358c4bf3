package clientset

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorded is one request the test server saw.
type recorded struct {
	method, path, query, contentType string
	body                             map[string]any
}

// recorder answers every request with reply and remembers it.
type recorder struct {
	mu    sync.Mutex
	last  recorded
	reply string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	rec := recorded{method: req.Method, path: req.URL.Path, query: req.URL.RawQuery, contentType: req.Header.Get("Content-Type")}
	if len(b) > 0 {
		_ = json.Unmarshal(b, &rec.body)
	}
	r.mu.Lock()
	r.last = rec
	reply := r.reply
	r.mu.Unlock()
	_, _ = io.WriteString(w, reply)
}

func (r *recorder) got() recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

func newTestClientset(t *testing.T) (*Clientset, *recorder) {
	t.Helper()
	rec := &recorder{reply: "{}"}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	cs, err := NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.RESTClient().CloseIdleConnections)
	return cs, rec
}

func TestTypedRequests(t *testing.T) {
	ctx := context.Background()
	cs, rec := newTestClientset(t)
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", ResourceVersion: "3"}}
	cases := []struct {
		name                 string
		call                 func() error
		method, path, query  string
		bodyKind, apiVersion string
		contentType          string
	}{
		{"get pod", func() error {
			_, err := cs.CoreV1().Pods("ns").Get(ctx, "p", meta.GetOptions{ResourceVersion: "0"})
			return err
		},
			"GET", "/api/v1/namespaces/ns/pods/p", "resourceVersion=0", "", "", ""},
		{"list all pods", func() error {
			_, err := cs.CoreV1().Pods("").List(ctx, meta.ListOptions{LabelSelector: "app=web", FieldSelector: "spec.nodeName=n1", Limit: 10, Continue: "c"})
			return err
		}, "GET", "/api/v1/pods", "continue=c&fieldSelector=spec.nodeName%3Dn1&labelSelector=app%3Dweb&limit=10", "", "", ""},
		{"create pod sets kind", func() error { _, err := cs.CoreV1().Pods("ns").Create(ctx, pod, meta.CreateOptions{}); return err },
			"POST", "/api/v1/namespaces/ns/pods", "", "Pod", "v1", "application/json"},
		{"create in object's namespace", func() error {
			_, err := cs.CoreV1().Pods("").Create(ctx, pod, meta.CreateOptions{DryRun: []string{"All"}})
			return err
		},
			"POST", "/api/v1/namespaces/ns/pods", "dryRun=All", "Pod", "v1", "application/json"},
		{"update deployment", func() error {
			_, err := cs.AppsV1().Deployments("d").Update(ctx, &apps.Deployment{ObjectMeta: meta.ObjectMeta{Name: "web"}}, meta.UpdateOptions{})
			return err
		}, "PUT", "/apis/apps/v1/namespaces/d/deployments/web", "", "Deployment", "apps/v1", "application/json"},
		{"update node status", func() error {
			_, err := cs.CoreV1().Nodes().UpdateStatus(ctx, &core.Node{ObjectMeta: meta.ObjectMeta{Name: "n1"}}, meta.UpdateOptions{})
			return err
		}, "PUT", "/api/v1/nodes/n1/status", "", "Node", "v1", "application/json"},
		{"patch status", func() error {
			_, err := cs.CoreV1().Pods("ns").Patch(ctx, "p", rest.StrategicMergePatchType, []byte(`{"status":{}}`), meta.PatchOptions{FieldManager: "m"}, "status")
			return err
		}, "PATCH", "/api/v1/namespaces/ns/pods/p/status", "fieldManager=m", "", "", "application/strategic-merge-patch+json"},
		{"delete with options", func() error {
			p := meta.DeletePropagationForeground
			return cs.BatchV1().Jobs("b").Delete(ctx, "j", meta.DeleteOptions{PropagationPolicy: &p})
		}, "DELETE", "/apis/batch/v1/namespaces/b/jobs/j", "", "DeleteOptions", "v1", "application/json"},
		{"delete collection", func() error {
			return cs.CoreV1().ConfigMaps("c").DeleteCollection(ctx, meta.DeleteOptions{}, meta.ListOptions{LabelSelector: "x"})
		}, "DELETE", "/api/v1/namespaces/c/configmaps", "labelSelector=x", "DeleteOptions", "v1", "application/json"},
		{"bind", func() error {
			return cs.CoreV1().Pods("ns").Bind(ctx, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: "p"}, Target: core.ObjectReference{Kind: "Node", Name: "n1"}}, meta.CreateOptions{})
		}, "POST", "/api/v1/namespaces/ns/pods/p/binding", "", "Binding", "v1", "application/json"},
		{"evict", func() error {
			return cs.CoreV1().Pods("ns").Evict(ctx, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"}})
		}, "POST", "/api/v1/namespaces/ns/pods/p/eviction", "", "Eviction", "policy/v1", "application/json"},
		{"get scale", func() error {
			_, err := cs.AppsV1().ReplicaSets("r").GetScale(ctx, "rs", meta.GetOptions{})
			return err
		},
			"GET", "/apis/apps/v1/namespaces/r/replicasets/rs/scale", "", "", "", ""},
		{"update scale", func() error {
			_, err := cs.AppsV1().Deployments("d").UpdateScale(ctx, "web", &autoscaling.Scale{Spec: autoscaling.ScaleSpec{Replicas: 3}}, meta.UpdateOptions{})
			return err
		}, "PUT", "/apis/apps/v1/namespaces/d/deployments/web/scale", "", "Scale", "autoscaling/v1", "application/json"},
		{"lease get", func() error {
			_, err := cs.CoordinationV1().Leases("kube-system").Get(ctx, "l", meta.GetOptions{})
			return err
		},
			"GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l", "", "", "", ""},
		{"namespace create", func() error {
			_, err := cs.CoreV1().Namespaces().Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "x"}}, meta.CreateOptions{})
			return err
		}, "POST", "/api/v1/namespaces", "", "Namespace", "v1", "application/json"},
		{"daemonsets list", func() error { _, err := cs.AppsV1().DaemonSets("").List(ctx, meta.ListOptions{}); return err },
			"GET", "/apis/apps/v1/daemonsets", "", "", "", ""},
		{"statefulsets scale", func() error {
			_, err := cs.AppsV1().StatefulSets("ns").GetScale(ctx, "web", meta.GetOptions{})
			return err
		}, "GET", "/apis/apps/v1/namespaces/ns/statefulsets/web/scale", "", "", "", ""},
		{"serviceaccounts get", func() error {
			_, err := cs.CoreV1().ServiceAccounts("ns").Get(ctx, "default", meta.GetOptions{})
			return err
		},
			"GET", "/api/v1/namespaces/ns/serviceaccounts/default", "", "", "", ""},
		{"controllerrevisions list", func() error {
			_, err := cs.AppsV1().ControllerRevisions("ns").List(ctx, meta.ListOptions{LabelSelector: "app=a"})
			return err
		}, "GET", "/apis/apps/v1/namespaces/ns/controllerrevisions", "labelSelector=app%3Da", "", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); err != nil {
				t.Fatal(err)
			}
			got := rec.got()
			if got.method != tc.method || got.path != tc.path || got.query != tc.query || got.contentType != tc.contentType {
				t.Fatalf("request %+v", got)
			}
			if tc.bodyKind != "" && (got.body["kind"] != tc.bodyKind || got.body["apiVersion"] != tc.apiVersion) {
				t.Fatalf("body %v", got.body)
			}
		})
	}
	if pod.Kind != "" || pod.APIVersion != "" {
		t.Fatalf("Create changed the caller's object: %+v", pod.TypeMeta)
	}
}

func TestDecodesResponses(t *testing.T) {
	cs, rec := newTestClientset(t)
	ctx := context.Background()
	rec.reply = `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"next"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}`
	l, err := cs.CoreV1().Pods("ns").List(ctx, meta.ListOptions{})
	if err != nil || l.ListMeta.ResourceVersion != "42" || l.ListMeta.Continue != "next" || len(l.Items) != 2 || l.Items[1].Name != "b" {
		t.Fatalf("list %+v %v", l, err)
	}
	holder := "me"
	rec.reply = `{"kind":"Lease","metadata":{"name":"l","resourceVersion":"5"},"spec":{"holderIdentity":"me"}}`
	lease, err := cs.CoordinationV1().Leases("ns").Update(ctx, &coordination.Lease{ObjectMeta: meta.ObjectMeta{Name: "l"}, Spec: coordination.LeaseSpec{HolderIdentity: &holder}}, meta.UpdateOptions{})
	if err != nil || lease.ResourceVersion != "5" || *lease.Spec.HolderIdentity != "me" {
		t.Fatalf("lease %+v %v", lease, err)
	}
	rec.reply = `{"kind":"Scale","spec":{"replicas":4},"status":{"replicas":2,"selector":"app=web"}}`
	s, err := cs.AppsV1().Deployments("d").GetScale(ctx, "web", meta.GetOptions{})
	if err != nil || s.Spec.Replicas != 4 || s.Status.Selector != "app=web" {
		t.Fatalf("scale %+v %v", s, err)
	}
}

func TestWatchAndLogs(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v1/namespaces/ns/pods" && r.URL.Query().Get("watch") == "true" &&
			r.URL.Query().Get("resourceVersion") == "7" && r.URL.Query().Get("allowWatchBookmarks") == "true":
			_, _ = io.WriteString(w, `{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"8"},"spec":{"nodeName":"n1"}}}`+"\n")
		case r.URL.Path == "/api/v1/namespaces/ns/pods/a/log" && r.URL.RawQuery == "container=c&follow=true&tailLines=5":
			_, _ = io.WriteString(w, "hello\n")
		default:
			http.Error(w, r.URL.String(), http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	cs, err := NewForConfig(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer cs.RESTClient().CloseIdleConnections()
	w, err := cs.CoreV1().Pods("ns").Watch(context.Background(), meta.ListOptions{ResourceVersion: "7", AllowWatchBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := <-w.ResultChan()
	if !ok || ev.Type != meta.Added || ev.Object.Name != "a" || ev.Object.Spec.NodeName != "n1" {
		t.Fatalf("event %+v", ev)
	}
	if _, ok := <-w.ResultChan(); ok {
		t.Fatal("watch not closed at stream end")
	}
	w.Stop()
	tail := int64(5)
	rc, err := cs.CoreV1().Pods("ns").GetLogs(context.Background(), "a", LogOptions{Container: "c", Follow: true, TailLines: &tail})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if b, _ := io.ReadAll(rc); !strings.Contains(string(b), "hello") {
		t.Fatalf("logs %q", b)
	}
}
