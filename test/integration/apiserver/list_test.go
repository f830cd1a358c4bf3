package apiserver

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func podNames(c *client, query string) []string {
	var l meta.List[core.Pod]
	c.must(http.StatusOK, "GET", "/api/v1/pods?"+query, nil, &l)
	var out []string
	for _, p := range l.Items {
		out = append(out, p.Name)
	}
	return out
}

// TestSelectors: label selectors (=, !=, in, notin, exists, !) and field
// selectors (metadata.name, metadata.namespace, spec.nodeName, status.phase).
func TestSelectors(t *testing.T) {
	c := newClient(t)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces", ns("other"), nil)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods", pod("a", map[string]string{"app": "web", "tier": "front"}), nil)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods", pod("b", map[string]string{"app": "db"}), nil)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/other/pods", pod("c", map[string]string{"app": "web"}), nil)
	c.must(http.StatusCreated, "POST", "/api/v1/namespaces/default/pods/a/binding",
		map[string]any{"metadata": map[string]any{"name": "a"}, "target": map[string]any{"name": "n1"}}, nil)
	tests := []struct{ query, want string }{
		{"labelSelector=app%3Dweb", "a,c"},
		{"labelSelector=app!%3Dweb", "b"},
		{"labelSelector=" + url.QueryEscape("app in (db,web),tier"), "a"},
		{"labelSelector=" + url.QueryEscape("app notin (web)"), "b"},
		{"labelSelector=" + url.QueryEscape("!tier"), "b,c"},
		{"fieldSelector=metadata.namespace%3Dother", "c"},
		{"fieldSelector=metadata.name%3Db", "b"},
		{"fieldSelector=spec.nodeName%3Dn1", "a"},
		{"fieldSelector=spec.nodeName%3D", "b,c"},
		{"fieldSelector=status.phase%3DPending,metadata.namespace!%3Dother", "a,b"},
		{"labelSelector=app%3Dweb&fieldSelector=metadata.namespace%3Ddefault", "a"},
	}
	for _, tc := range tests {
		if got := strings.Join(podNames(c, tc.query), ","); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.query, got, tc.want)
		}
	}
}

// TestPagination: limit and continue walk the whole list once, at one
// resourceVersion, even with writes in between.
func TestPagination(t *testing.T) {
	c := newClient(t)
	writeN(c, "p", 0, 25)
	var names []string
	cont, rv := "", ""
	for pages := 0; ; pages++ {
		q := "?limit=10"
		if cont != "" {
			q += "&continue=" + url.QueryEscape(cont)
		}
		var l meta.List[core.ConfigMap]
		c.must(http.StatusOK, "GET", cmPath+q, nil, &l)
		if rv == "" {
			rv = l.ListMeta.ResourceVersion
		} else if l.ListMeta.ResourceVersion != rv {
			t.Fatalf("page %d at resourceVersion %s, first at %s", pages, l.ListMeta.ResourceVersion, rv)
		}
		for _, it := range l.Items {
			names = append(names, it.Name)
		}
		if pages == 0 {
			writeN(c, "z", 0, 3) // must not show up in this paginated list
		}
		if l.ListMeta.Continue == "" {
			break
		}
		cont = l.ListMeta.Continue
		if len(l.Items) != 10 {
			t.Fatalf("page %d has %d items", pages, len(l.Items))
		}
	}
	if len(names) != 25 {
		t.Fatalf("got %d items: %v", len(names), names)
	}
	checkSequence(t, names, "p", 0)
}

// TestDiscovery checks the shapes of /api, /apis, /api/v1, /apis/apps/v1 and /version.
func TestDiscovery(t *testing.T) {
	c := newClient(t)
	var versions meta.APIVersions
	c.must(http.StatusOK, "GET", "/api", nil, &versions)
	if versions.Kind != "APIVersions" || len(versions.Versions) != 1 || versions.Versions[0] != "v1" {
		t.Fatalf("/api: %+v", versions)
	}
	var groups meta.APIGroupList
	c.must(http.StatusOK, "GET", "/apis", nil, &groups)
	var gnames []string
	for _, g := range groups.Groups {
		gnames = append(gnames, g.Name+"="+g.PreferredVersion.GroupVersion)
	}
	if got := strings.Join(gnames, ","); got != "apps=apps/v1,batch=batch/v1,coordination.k8s.io=coordination.k8s.io/v1,"+
		"policy=policy/v1,rbac.authorization.k8s.io=rbac.authorization.k8s.io/v1,storage.k8s.io=storage.k8s.io/v1,"+
		"apiextensions.k8s.io=apiextensions.k8s.io/v1,authorization.k8s.io=authorization.k8s.io/v1,"+
		"discovery.k8s.io=discovery.k8s.io/v1,networking.k8s.io=networking.k8s.io/v1,"+
		"scheduling.k8s.io=scheduling.k8s.io/v1,autoscaling=autoscaling/v2" {
		t.Fatalf("/apis groups: %s", got)
	}
	var core1 meta.APIResourceList
	c.must(http.StatusOK, "GET", "/api/v1", nil, &core1)
	byName := map[string]meta.APIResource{}
	for _, r := range core1.APIResources {
		byName[r.Name] = r
	}
	if p := byName["pods"]; !p.Namespaced || p.Kind != "Pod" || strings.Join(p.ShortNames, ",") != "po" || len(p.Verbs) != 8 || strings.Join(p.Categories, ",") != "all" {
		t.Fatalf("pods: %+v", p)
	}
	if s := byName["pods/status"]; s.Kind != "Pod" || strings.Join(s.Verbs, ",") != "get,patch,update" {
		t.Fatalf("pods/status: %+v", s)
	}
	if b := byName["pods/binding"]; b.Kind != "Binding" || strings.Join(b.Verbs, ",") != "create" {
		t.Fatalf("pods/binding: %+v", b)
	}
	if n := byName["namespaces"]; n.Namespaced || strings.Join(n.ShortNames, ",") != "ns" {
		t.Fatalf("namespaces: %+v", n)
	}
	var appsv1 meta.APIResourceList
	c.must(http.StatusOK, "GET", "/apis/apps/v1", nil, &appsv1)
	found := false
	for _, r := range appsv1.APIResources {
		if r.Name == "deployments/scale" {
			found = r.Group == "autoscaling" && r.Version == "v1" && r.Kind == "Scale"
		}
	}
	if appsv1.GroupVersion != "apps/v1" || !found {
		t.Fatalf("apps/v1: %+v", appsv1)
	}
	var v struct{ Major, Minor, GitVersion, Platform, GoVersion string }
	c.must(http.StatusOK, "GET", "/version", nil, &v)
	if v.Major != "1" || v.Minor == "" || !strings.HasPrefix(v.GitVersion, "v1.") || v.Platform == "" || v.GoVersion == "" {
		t.Fatalf("/version: %+v", v)
	}
}

// TestHealthAndMetrics: /healthz, /livez, /readyz?verbose and the request metrics.
func TestHealthAndMetrics(t *testing.T) {
	c := newClient(t)
	for _, p := range []string{"/healthz", "/livez", "/readyz"} {
		code, body := c.do("GET", p, nil)
		if code != http.StatusOK || string(body) != "ok" {
			t.Fatalf("%s: %d %q", p, code, body)
		}
	}
	code, body := c.do("GET", "/readyz?verbose", nil)
	if code != http.StatusOK || !strings.Contains(string(body), "[+]etcd ok") {
		t.Fatalf("readyz verbose: %d %s", code, body)
	}
	c.must(http.StatusOK, "GET", "/api/v1/namespaces/default/pods", nil, nil)
	resp, err := http.Get(c.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	m, _ := io.ReadAll(resp.Body)
	w := c.watch(cmPath + "?watch=1")
	_ = w
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, body := c.do("GET", "/metrics", nil)
		if strings.Contains(string(body), `apiserver_longrunning_requests{component="apiserver",group="",resource="configmaps",scope="namespace",subresource="",verb="WATCH",version="v1"} 1`) &&
			strings.Contains(string(body), `apiserver_registered_watchers{group="",kind="configmaps"} 1`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no watch in the metrics")
		}
	}
	for _, want := range []string{
		`apiserver_request_total{code="200",component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"}`,
		`apiserver_request_duration_seconds_bucket{component="apiserver",group="",resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"`,
		`apiserver_current_inflight_requests{request_kind="readOnly"}`,
		`etcd_request_duration_seconds`,
	} {
		if !strings.Contains(string(m), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestDryRunAndGenerateName: dryRun=All persists nothing; generateName gets
// a 5-character suffix; deletecollection honours selectors.
func TestDryRunAndGenerateName(t *testing.T) {
	c := newClient(t)
	var cm core.ConfigMap
	c.must(http.StatusCreated, "POST", cmPath+"?dryRun=All", configMap("dry", nil), &cm)
	c.status(http.StatusNotFound, meta.StatusReasonNotFound, "GET", cmPath+"/dry", nil)
	body := map[string]any{"metadata": map[string]any{"generateName": "gen-"}}
	c.must(http.StatusCreated, "POST", cmPath, body, &cm)
	if !strings.HasPrefix(cm.Name, "gen-") || len(cm.Name) != len("gen-")+5 {
		t.Fatalf("generated name %q", cm.Name)
	}
	c.must(http.StatusOK, "GET", fmt.Sprintf("%s/%s?pretty=true", cmPath, cm.Name), nil, nil)
	// deletecollection removes the selected objects only.
	writeN(c, "dc", 0, 3)
	c.must(http.StatusOK, "PATCH", cmPath+"/dc-001", `{"metadata":{"labels":{"keep":"yes"}}}`, nil, "application/merge-patch+json")
	c.must(http.StatusOK, "DELETE", cmPath+"?labelSelector=!keep", nil, nil)
	var l meta.List[core.ConfigMap]
	c.must(http.StatusOK, "GET", cmPath, nil, &l)
	if len(l.Items) != 1 || l.Items[0].Name != "dc-001" {
		t.Fatalf("after deletecollection: %+v", l.Items)
	}
}

// TestListResourceVersionSemantics: Exact reads the past, NotOlderThan and
// "0" answer at least as new as asked, continue tokens from the past work.
func TestListResourceVersionSemantics(t *testing.T) {
	c := newClient(t)
	rvs := writeN(c, "v", 0, 3)
	rvs = append(rvs, writeN(c, "v", 3, 6)...)
	var l meta.List[core.ConfigMap]
	c.must(http.StatusOK, "GET", cmPath+"?resourceVersion="+rvs[2]+"&resourceVersionMatch=Exact", nil, &l)
	if len(l.Items) != 3 || l.ListMeta.ResourceVersion != rvs[2] {
		t.Fatalf("Exact at %s: %d items at %s", rvs[2], len(l.Items), l.ListMeta.ResourceVersion)
	}
	// NotOlderThan and "0" may be served from the watch cache, which can lag
	// the last writes: the list must be at least as new as asked and hold
	// exactly the objects written up to the revision it reports.
	consistent := func(what string, min int64) {
		t.Helper()
		at, err := strconv.ParseInt(l.ListMeta.ResourceVersion, 10, 64)
		if err != nil || at < min {
			t.Fatalf("%s: list resourceVersion %q older than %d", what, l.ListMeta.ResourceVersion, min)
		}
		want := 0
		for _, rv := range rvs {
			if n, _ := strconv.ParseInt(rv, 10, 64); n <= at {
				want++
			}
		}
		if len(l.Items) != want {
			t.Fatalf("%s: %d items at resourceVersion %d, want %d", what, len(l.Items), at, want)
		}
	}
	min, _ := strconv.ParseInt(rvs[2], 10, 64)
	c.must(http.StatusOK, "GET", cmPath+"?resourceVersion="+rvs[2]+"&resourceVersionMatch=NotOlderThan", nil, &l)
	consistent("NotOlderThan", min)
	c.must(http.StatusOK, "GET", cmPath+"?resourceVersion=0", nil, &l)
	consistent("resourceVersion=0", 0)
	c.must(http.StatusOK, "GET", cmPath+"?resourceVersion="+rvs[2]+"&resourceVersionMatch=Exact&limit=2", nil, &l)
	if len(l.Items) != 2 || l.ListMeta.Continue == "" {
		t.Fatalf("Exact with limit: %d items, continue %q", len(l.Items), l.ListMeta.Continue)
	}
	c.must(http.StatusOK, "GET", cmPath+"?limit=2&continue="+l.ListMeta.Continue, nil, &l)
	if len(l.Items) != 1 || l.Items[0].Name != "v-002" {
		t.Fatalf("continued Exact list: %+v", l.Items)
	}
}
