package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"net/http/pprof"
	"sort"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// installHealth adds /healthz, /livez, /readyz, /metrics and, with
// Config.Profiling, /debug/pprof.
func (s *Server) installHealth(r *mux.Router) {
	ping := map[string]func(context.Context) error{"ping": func(context.Context) error { return nil }}
	r.Handle("/livez", s.healthHandler(ping)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/healthz", s.healthHandler(s.readyChecks())).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/readyz", s.healthHandler(s.readyChecks())).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/metrics", promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{})).Methods(http.MethodGet)
	if s.cfg.Profiling {
		r.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		r.HandleFunc("/debug/pprof/profile", pprof.Profile)
		r.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		r.HandleFunc("/debug/pprof/trace", pprof.Trace)
		r.PathPrefix("/debug/pprof/").HandlerFunc(pprof.Index) // the index and named profiles (heap, goroutine...)
	}
}

func (s *Server) readyChecks() map[string]func(context.Context) error {
	checks := map[string]func(context.Context) error{
		"ping": func(context.Context) error { return nil },
		"shutdown": func(context.Context) error {
			if s.stopCtx.Err() != nil {
				return fmt.Errorf("server is shutting down")
			}
			return nil
		},
	}
	for name, c := range s.cfg.ReadyChecks {
		checks[name] = c
	}
	return checks
}

// healthHandler runs every check; any failure answers 500. ?verbose lists
// each check as kube-apiserver does ("[+]etcd ok").
func (s *Server) healthHandler(checks map[string]func(context.Context) error) http.Handler {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx, cancel := context.WithTimeout(req.Context(), 5*time.Second)
		defer cancel()
		var b strings.Builder
		failed := false
		for _, n := range names {
			if err := checks[n](ctx); err != nil {
				failed = true
				fmt.Fprintf(&b, "[-]%s failed: %v\n", n, err)
			} else {
				fmt.Fprintf(&b, "[+]%s ok\n", n)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, verbose := req.URL.Query()["verbose"]
		if failed {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, b.String())
			fmt.Fprintf(w, "%s check failed\n", strings.TrimPrefix(req.URL.Path, "/"))
			return
		}
		if verbose {
			fmt.Fprint(w, b.String())
			fmt.Fprintf(w, "%s check passed\n", strings.TrimPrefix(req.URL.Path, "/"))
			return
		}
		fmt.Fprint(w, "ok")
	})
}
