package apiserver

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

func TestParseRequestInfo(t *testing.T) {
	tests := []struct {
		method, path string
		watch        bool
		want         RequestInfo
		ok           bool
	}{
		{"GET", "/api/v1/pods", false, RequestInfo{Version: "v1", Resource: "pods", Verb: "LIST"}, true},
		{"GET", "/api/v1/pods", true, RequestInfo{Version: "v1", Resource: "pods", Verb: "WATCH"}, true},
		{"GET", "/api/v1/namespaces/ns/pods/p", false, RequestInfo{Version: "v1", Namespace: "ns", Resource: "pods", Name: "p", Verb: "GET"}, true},
		{"POST", "/api/v1/namespaces/ns/pods/p/binding", false, RequestInfo{Version: "v1", Namespace: "ns", Resource: "pods", Name: "p", Subresource: "binding", Verb: "POST"}, true},
		{"GET", "/api/v1/namespaces/ns", false, RequestInfo{Version: "v1", Namespace: "ns", Resource: "namespaces", Name: "ns", Verb: "GET"}, true},
		{"PUT", "/api/v1/namespaces/ns/finalize", false, RequestInfo{Version: "v1", Namespace: "ns", Resource: "namespaces", Name: "ns", Subresource: "finalize", Verb: "PUT"}, true},
		{"PUT", "/api/v1/namespaces/ns/status", false, RequestInfo{Version: "v1", Namespace: "ns", Resource: "namespaces", Name: "ns", Subresource: "status", Verb: "PUT"}, true},
		{"DELETE", "/apis/apps/v1/namespaces/ns/deployments", false, RequestInfo{Group: "apps", Version: "v1", Namespace: "ns", Resource: "deployments", Verb: "DELETECOLLECTION"}, true},
		{"PATCH", "/apis/apps/v1/namespaces/ns/deployments/d/scale", false, RequestInfo{Group: "apps", Version: "v1", Namespace: "ns", Resource: "deployments", Name: "d", Subresource: "scale", Verb: "PATCH"}, true},
		{"GET", "/api/v1/watch/namespaces/ns/pods", false, RequestInfo{Version: "v1", Namespace: "ns", Resource: "pods", Verb: "WATCH"}, true},
		{"GET", "/apis/apps", false, RequestInfo{}, false},
		{"GET", "/api/v1/a/b/c/d", false, RequestInfo{}, false},
		{"GET", "/healthz", false, RequestInfo{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseRequestInfo(tc.method, tc.path, tc.watch)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("%s %s: got %+v %v, want %+v %v", tc.method, tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseListOptions(t *testing.T) {
	tests := []struct {
		query   string
		wantErr bool
	}{
		{"limit=5&continue=abc", false},
		{"resourceVersion=10&resourceVersionMatch=NotOlderThan", false},
		{"resourceVersion=0&resourceVersionMatch=Exact", true},
		{"resourceVersionMatch=Exact", true},
		{"resourceVersion=x", true},
		{"limit=-1", true},
		{"limit=abc", true},
		{"watch=maybe", true},
		{"resourceVersion=5&continue=abc", true},
		{"watch=1&resourceVersion=5&resourceVersionMatch=NotOlderThan", true},
		{"watch=true&allowWatchBookmarks=true&timeoutSeconds=3", false},
		{"watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan", false},
		{"watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan", true},
	}
	for _, tc := range tests {
		q, _ := url.ParseQuery(tc.query)
		_, err := parseListOptions(q)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err %v", tc.query, err)
		}
		if err != nil && !apierrors.IsBadRequest(err) {
			t.Errorf("%s: %v is not a 400", tc.query, err)
		}
	}
}

func TestParseDeleteOptions(t *testing.T) {
	tests := []struct {
		query, body string
		wantErr     bool
		check       func(*meta.DeleteOptions) bool
	}{
		{"gracePeriodSeconds=0", "", false, func(o *meta.DeleteOptions) bool { return *o.GracePeriodSeconds == 0 }},
		{"propagationPolicy=Foreground", "", false, func(o *meta.DeleteOptions) bool { return *o.PropagationPolicy == meta.DeletePropagationForeground }},
		{"", `{"gracePeriodSeconds":5,"preconditions":{"uid":"u"}}`, false, func(o *meta.DeleteOptions) bool { return *o.GracePeriodSeconds == 5 && *o.Preconditions.UID == "u" }},
		{"gracePeriodSeconds=9", `{"gracePeriodSeconds":5}`, false, func(o *meta.DeleteOptions) bool { return *o.GracePeriodSeconds == 5 }},
		{"propagationPolicy=Sideways", "", true, nil},
		{"propagationPolicy=Orphan&orphanDependents=true", "", true, nil},
		{"", `{`, true, nil},
		{"dryRun=Some", "", true, nil},
	}
	for _, tc := range tests {
		req := httptest.NewRequest("DELETE", "/api/v1/namespaces/a/pods/b?"+tc.query, strings.NewReader(tc.body))
		o, err := parseDeleteOptions(req)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q %q: err %v", tc.query, tc.body, err)
			continue
		}
		if err == nil && !tc.check(o) {
			t.Errorf("%q %q: options %+v", tc.query, tc.body, o)
		}
	}
}

func TestCheckAccept(t *testing.T) {
	for accept, ok := range map[string]bool{
		"": true, "application/json": true, "*/*": true, "application/json, */*": true,
		"application/json;as=Table;v=v1;g=meta.k8s.io,application/json": true,
		"application/json;as=Table;v=v1;g=meta.k8s.io":                  false,
		"application/vnd.kubernetes.protobuf":                           false,
	} {
		req := httptest.NewRequest("GET", "/api/v1/pods", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		err := checkAccept(req)
		if (err == nil) != ok {
			t.Errorf("Accept %q: err %v", accept, err)
		}
		if err != nil && apierrors.CodeForError(err) != http.StatusNotAcceptable {
			t.Errorf("Accept %q: code %d", accept, apierrors.CodeForError(err))
		}
	}
}

func TestAddDefaultTolerations(t *testing.T) {
	p := &core.Pod{}
	addDefaultTolerations(p, 300, 200)
	if len(p.Spec.Tolerations) != 2 || *p.Spec.Tolerations[0].TolerationSeconds != 300 || *p.Spec.Tolerations[1].TolerationSeconds != 200 {
		t.Fatalf("tolerations %+v", p.Spec.Tolerations)
	}
	addDefaultTolerations(p, 300, 200)
	if len(p.Spec.Tolerations) != 2 {
		t.Fatalf("added twice: %+v", p.Spec.Tolerations)
	}
	all := &core.Pod{Spec: core.PodSpec{Tolerations: []core.Toleration{{Operator: core.TolerationOpExists}}}}
	addDefaultTolerations(all, 300, 300)
	if len(all.Spec.Tolerations) != 1 {
		t.Fatalf("a pod tolerating everything got %+v", all.Spec.Tolerations)
	}
}

func TestBuildPredicate(t *testing.T) {
	pods, _ := registry.Default().Lookup("", "v1", "pods")
	pred, err := buildPredicate(pods, "app=web", "spec.nodeName=n1,metadata.namespace!=kube-system")
	if err != nil {
		t.Fatal(err)
	}
	match := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "a", Labels: map[string]string{"app": "web"}}, Spec: core.PodSpec{NodeName: "n1"}}
	other := &core.Pod{ObjectMeta: meta.ObjectMeta{Namespace: "a", Labels: map[string]string{"app": "web"}}, Spec: core.PodSpec{NodeName: "n2"}}
	if !pred(match) || pred(other) {
		t.Fatal("predicate mismatch")
	}
	if _, err := buildPredicate(pods, "", "spec.bogus=x"); !apierrors.IsBadRequest(err) {
		t.Fatalf("unknown field label: %v", err)
	}
	if p, err := buildPredicate(pods, "", ""); p != nil || err != nil {
		t.Fatal("empty selectors must give no predicate")
	}
}

// The pods predicate reads fields in place; it must agree with the field
// set of the registry on every supported field, for = and !=.
func TestPodPredicateMatchesFieldSet(t *testing.T) {
	pods, _ := registry.Default().Lookup("", "v1", "pods")
	objs := []*core.Pod{
		{},
		{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: core.PodSpec{NodeName: "n1", HostNetwork: true,
			RestartPolicy: core.RestartPolicyNever, SchedulerName: "s", ServiceAccountName: "sa"},
			Status: core.PodStatus{Phase: core.PodRunning, PodIP: "10.0.0.1", PodIPs: []core.PodIP{{IP: "10.0.0.2"}}, NominatedNodeName: "n2"}},
	}
	for _, l := range pods.FieldLabels() {
		for _, o := range objs {
			set := fields.Set(pods.FieldSet(o))
			for _, v := range []string{"", set[l], "other"} {
				for _, op := range []string{"=", "!="} {
					sel := l + op + fields.EscapeValue(v)
					pred, err := buildPredicate(pods, "", sel)
					if err != nil {
						t.Fatal(err)
					}
					fs, _ := fields.Parse(sel)
					if got, want := pred(o), fs.Matches(set); got != want {
						t.Errorf("%s on %+v: %v, want %v", sel, o, got, want)
					}
				}
			}
		}
	}
}

func TestEncodeEvent(t *testing.T) {
	cms, _ := registry.Default().Lookup("", "v1", "configmaps")
	obj := &core.ConfigMap{ObjectMeta: meta.ObjectMeta{Name: "a", ResourceVersion: "3"}}
	line, err := encodeEvent(cms, storage.Event{Type: meta.Added, Cached: storage.NewCachedObject(obj)})
	if err != nil || !strings.HasPrefix(string(line), `{"type":"ADDED","object":{`) || !strings.HasSuffix(string(line), "}\n") {
		t.Fatalf("%s %v", line, err)
	}
	line, _ = encodeEvent(cms, storage.Event{Type: meta.Bookmark, Object: &core.ConfigMap{ObjectMeta: meta.ObjectMeta{ResourceVersion: "9"}}})
	if !strings.Contains(string(line), `"kind":"ConfigMap"`) || !strings.Contains(string(line), `"resourceVersion":"9"`) {
		t.Fatalf("bookmark %s", line)
	}
	line, _ = encodeEvent(cms, storage.Event{Type: meta.Error, Status: &apierrors.NewGone("too old").ErrStatus})
	if !strings.Contains(string(line), `"code":410`) || !strings.Contains(string(line), `"kind":"Status"`) {
		t.Fatalf("error %s", line)
	}
}

func TestSplitSegmentsAgreesWithSplit(t *testing.T) {
	for _, p := range []string{"", "a", "a/b", "a//b", "/a/", "api/v1/namespaces/ns/pods/p/status",
		"apis/g/v/watch/namespaces/ns/r/n/s", "apis/g/v/watch/namespaces/ns/r/n/s/x", "1/2/3/4/5/6/7/8/9/10/11"} {
		var arr [9]string
		got, ok := splitSegments(p, arr[:0])
		want := strings.Split(p, "/")
		if ok != (len(want) <= 9) || (ok && !slices.Equal(got, want)) {
			t.Errorf("%q: %q %v, want %q", p, got, ok, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, ok := ParseRequestInfo("PUT", "/api/v1/namespaces/default/pods/bench-2/status", false); !ok {
			t.Fatal("not a resource path")
		}
	}); n != 0 {
		t.Errorf("ParseRequestInfo: %v allocations, want 0", n)
	}
}
