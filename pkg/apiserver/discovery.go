package apiserver

import (
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/gorilla/mux"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// VersionInfo is the answer of /version, shaped as Kubernetes' version.Info.
type VersionInfo struct {
	Major        string `json:"major"`
	Minor        string `json:"minor"`
	GitVersion   string `json:"gitVersion"`
	GitCommit    string `json:"gitCommit"`
	GitTreeState string `json:"gitTreeState"`
	BuildDate    string `json:"buildDate"`
	GoVersion    string `json:"goVersion"`
	Compiler     string `json:"compiler"`
	Platform     string `json:"platform"`
}

// Version reports the Kubernetes version the API follows, and the build:
// gitCommit, gitTreeState and buildDate as set with -ldflags (make build,
// as Kubernetes does), else from the VCS stamp Go embeds in a binary built
// in a git checkout; without either they are empty, "" and the epoch.
func Version() VersionInfo {
	v := VersionInfo{
		Major: "1", Minor: "31", GitVersion: "v1.31.0-tinykube",
		BuildDate: "1970-01-01T00:00:00Z", GoVersion: runtime.Version(), Compiler: runtime.Compiler,
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	b := stamp{commit: gitCommit, treeState: gitTreeState, time: buildDate}
	if b.commit == "" {
		b = buildStamp()
	}
	v.GitCommit, v.GitTreeState = b.commit, b.treeState
	if b.time != "" {
		v.BuildDate = b.time
	}
	return v
}

// Set at build time with -ldflags -X (hack/version-ldflags.sh).
var gitCommit, gitTreeState, buildDate string

type stamp struct{ commit, treeState, time string }

// buildStamp reads the binary's VCS settings once.
var buildStamp = sync.OnceValue(func() stamp {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return stamp{}
	}
	return stampOf(info.Settings)
})

// stampOf picks vcs.revision, vcs.modified and vcs.time out of a build's
// settings.
func stampOf(settings []debug.BuildSetting) stamp {
	var st stamp
	modified := false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			st.commit = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		case "vcs.time":
			st.time = s.Value
		}
	}
	if st.commit != "" {
		st.treeState = "clean"
		if modified {
			st.treeState = "dirty"
		}
	}
	return st
}

func (s *Server) installDiscovery(r *mux.Router) {
	get := []string{http.MethodGet, http.MethodHead}
	r.HandleFunc("/version", func(w http.ResponseWriter, req *http.Request) {
		writeJSON(w, req, http.StatusOK, Version())
	}).Methods(get...)
	r.HandleFunc("/api", func(w http.ResponseWriter, req *http.Request) {
		writeJSON(w, req, http.StatusOK, &meta.APIVersions{
			TypeMeta: meta.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"},
			ServerAddressByClientCIDRs: []meta.ServerAddressByClientCIDR{{ClientCIDR: "0.0.0.0/0", ServerAddress: req.Host}},
		})
	}).Methods(get...)
	r.HandleFunc("/apis", func(w http.ResponseWriter, req *http.Request) {
		writeJSON(w, req, http.StatusOK, APIGroupList(s.cfg.Resources))
	}).Methods(get...)
	// The groups and versions are read from the table per request: custom
	// resources come and go.
	r.HandleFunc("/api/{version}", func(w http.ResponseWriter, req *http.Request) {
		s.serveAPIResourceList(w, req, meta.GroupVersion{Version: mux.Vars(req)["version"]})
	}).Methods(get...)
	r.HandleFunc("/apis/{group}", func(w http.ResponseWriter, req *http.Request) {
		g := apiGroup(s.cfg.Resources, mux.Vars(req)["group"])
		if len(g.Versions) == 0 {
			writeError(w, req, notFoundPath(req.URL.Path))
			return
		}
		writeJSON(w, req, http.StatusOK, g)
	}).Methods(get...)
	r.HandleFunc("/apis/{group}/{version}", func(w http.ResponseWriter, req *http.Request) {
		v := mux.Vars(req)
		s.serveAPIResourceList(w, req, meta.GroupVersion{Group: v["group"], Version: v["version"]})
	}).Methods(get...)
}

// serveAPIResourceList answers the discovery document of gv, 404 when no
// resource of the table has it.
func (s *Server) serveAPIResourceList(w http.ResponseWriter, req *http.Request, gv meta.GroupVersion) {
	if !slices.Contains(s.cfg.Resources.GroupVersions(), gv) {
		writeError(w, req, notFoundPath(req.URL.Path))
		return
	}
	writeJSON(w, req, http.StatusOK, APIResourceList(s.cfg.Resources, gv))
}

// APIGroupList is the /apis document for the table (named groups only).
func APIGroupList(t *registry.Table) *meta.APIGroupList {
	out := &meta.APIGroupList{TypeMeta: meta.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}, Groups: []meta.APIGroup{}}
	seen := map[string]bool{}
	for _, gv := range t.GroupVersions() {
		if gv.Group == "" || seen[gv.Group] {
			continue
		}
		seen[gv.Group] = true
		g := *apiGroup(t, gv.Group)
		g.TypeMeta = meta.TypeMeta{}
		out.Groups = append(out.Groups, g)
	}
	return out
}

// apiGroup is the discovery document of a group: its versions by
// Kubernetes' version priority (v2 > v1 > v1beta1 > v1alpha1 > others),
// the first preferred.
func apiGroup(t *registry.Table, group string) *meta.APIGroup {
	g := &meta.APIGroup{TypeMeta: meta.TypeMeta{Kind: "APIGroup", APIVersion: "v1"}, Name: group}
	for _, gv := range t.GroupVersions() {
		if gv.Group != group {
			continue
		}
		g.Versions = append(g.Versions, meta.GroupVersionForDiscovery{GroupVersion: gv.String(), Version: gv.Version})
	}
	slices.SortStableFunc(g.Versions, func(a, b meta.GroupVersionForDiscovery) int {
		return CompareKubeAwareVersions(b.Version, a.Version)
	})
	if len(g.Versions) > 0 {
		g.PreferredVersion = g.Versions[0]
	}
	return g
}

// APIResourceList is the discovery document of one group/version, with
// subresources as "pods/status".
func APIResourceList(t *registry.Table, gv meta.GroupVersion) *meta.APIResourceList {
	out := &meta.APIResourceList{TypeMeta: meta.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
		GroupVersion: gv.String(), APIResources: []meta.APIResource{}}
	for _, r := range t.All() {
		if r.GroupVersion() != gv {
			continue
		}
		verbs := []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
		if r.Verbs != nil {
			verbs = r.Verbs
		}
		out.APIResources = append(out.APIResources, meta.APIResource{
			Name: r.Resource, SingularName: r.Singular, Namespaced: r.Namespaced, Kind: r.Kind,
			Verbs:      verbs,
			ShortNames: r.ShortNames, Categories: r.Categories,
		})
		for _, sub := range r.Subresources {
			out.APIResources = append(out.APIResources, subresourceDiscovery(r, sub))
		}
	}
	return out
}

func subresourceDiscovery(r *registry.Resource, sub string) meta.APIResource {
	a := meta.APIResource{Name: r.Resource + "/" + sub, Namespaced: r.Namespaced, Kind: r.Kind}
	switch sub {
	case registry.SubStatus:
		a.Verbs = []string{"get", "patch", "update"}
	case registry.SubScale:
		a.Group, a.Version, a.Kind = "autoscaling", "v1", "Scale"
		a.Verbs = []string{"get", "patch", "update"}
	case registry.SubBinding:
		a.Kind, a.Verbs = "Binding", []string{"create"}
	case registry.SubEviction:
		a.Group, a.Version, a.Kind = "policy", "v1", "Eviction"
		a.Verbs = []string{"create"}
	case registry.SubFinalize:
		a.Verbs = []string{"update"}
	case registry.SubLog:
		a.Verbs = []string{"get"}
	case "exec":
		a.Kind, a.Verbs = "PodExecOptions", []string{"create", "get"}
	case "attach":
		a.Kind, a.Verbs = "PodAttachOptions", []string{"create", "get"}
	case "portforward":
		a.Kind, a.Verbs = "PodPortForwardOptions", []string{"create", "get"}
	case SubToken:
		a.Group, a.Version, a.Kind = "authentication.k8s.io", "v1", "TokenRequest"
		a.Verbs = []string{"create"}
	}
	return a
}
