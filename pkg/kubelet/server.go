package kubelet

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// Register adds the kubelet's own endpoints to mux (the daemon server adds
// /healthz and /metrics):
//
//	GET /pods                                         PodList of this kubelet's pods
//	GET /containerLogs/{namespace}/{pod}/{container}  ?follow&previous&timestamps&tailLines&limitBytes&sinceSeconds
//	GET|POST /exec/{namespace}/{pod}/{container}    ?command=...&stdin&stdout&stderr&tty (WebSocket, exec.go)
//	GET|POST /attach/{namespace}/{pod}/{container}  ?stdin&stdout&stderr&tty (WebSocket, attach.go)
//	GET|POST /portForward/{namespace}/{pod}         portforward.k8s.io over SPDY/3.1 (portforward.go)
func (k *Kubelet) Register(mux interface {
	Handle(pattern string, h http.Handler)
}) {
	mux.Handle("GET /pods", http.HandlerFunc(k.servePods))
	mux.Handle("GET /containerLogs/{namespace}/{pod}/{container}", http.HandlerFunc(k.serveLogs))
	mux.Handle("GET /exec/{namespace}/{pod}/{container}", http.HandlerFunc(k.serveExec))
	mux.Handle("POST /exec/{namespace}/{pod}/{container}", http.HandlerFunc(k.serveExec))
	mux.Handle("GET /attach/{namespace}/{pod}/{container}", http.HandlerFunc(k.serveAttach))
	mux.Handle("POST /attach/{namespace}/{pod}/{container}", http.HandlerFunc(k.serveAttach))
	mux.Handle("GET /portForward/{namespace}/{pod}", http.HandlerFunc(k.servePortForward))
	mux.Handle("POST /portForward/{namespace}/{pod}", http.HandlerFunc(k.servePortForward))
}

func (k *Kubelet) servePods(w http.ResponseWriter, _ *http.Request) {
	list := &core.PodList{TypeMeta: meta.TypeMeta{Kind: "PodList", APIVersion: "v1"}}
	if w := k.workersOrNil(); w != nil {
		for _, p := range w.list() {
			list.Items = append(list.Items, *p)
		}
	}
	sort.Slice(list.Items, func(i, j int) bool {
		a, b := &list.Items[i], &list.Items[j]
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(list)
}

// ParseLogOptions reads the query parameters of pods/log and containerLogs.
func ParseLogOptions(q map[string][]string, now time.Time) (runtime.LogOptions, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	opts := runtime.LogOptions{TailLines: -1}
	for name, dst := range map[string]*bool{"follow": &opts.Follow, "previous": &opts.Previous, "timestamps": &opts.Timestamps} {
		if v := get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return opts, fmt.Errorf("%s=%q is not a boolean", name, v)
			}
			*dst = b
		}
	}
	var since int64
	for name, dst := range map[string]*int64{"tailLines": &opts.TailLines, "limitBytes": &opts.LimitBytes, "sinceSeconds": &since} {
		if v := get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return opts, fmt.Errorf("%s=%q is not a non-negative integer", name, v)
			}
			*dst = n
		}
	}
	if since > 0 {
		opts.Since = now.Add(-time.Duration(since) * time.Second)
	}
	return opts, nil
}

func (k *Kubelet) serveLogs(w http.ResponseWriter, r *http.Request) {
	ns, name, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	opts, err := ParseLogOptions(r.URL.Query(), time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var pod *core.Pod
	if w := k.workersOrNil(); w != nil {
		for _, p := range w.list() {
			if p.Namespace == ns && p.Name == name {
				pod = p
			}
		}
	}
	if pod == nil {
		http.Error(w, fmt.Sprintf("pod %s/%s not found on this node", ns, name), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fw := &flushWriter{w: w}
	if f, ok := w.(http.Flusher); ok {
		fw.f = f
	}
	err = k.runtime.Logs(r.Context(), string(pod.UID), container, opts, fw)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !fw.wrote:
		http.Error(w, err.Error(), http.StatusNotFound)
	case !fw.wrote:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// flushWriter flushes after each write so that followed logs stream.
type flushWriter struct {
	w     http.ResponseWriter
	f     http.Flusher
	wrote bool
}

func (f *flushWriter) Write(b []byte) (int, error) {
	f.wrote = true
	return f.w.Write(b)
}

// Flush is called by the runtime after each batch of lines.
func (f *flushWriter) Flush() {
	if f.f != nil {
		f.f.Flush()
	}
}
