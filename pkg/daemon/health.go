package daemon

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// Check is one named health check. Fn returns nil when healthy.
type Check struct {
	Name string
	Fn   func(*http.Request) error
}

// PingCheck always passes; every endpoint has it, as Kubernetes' "ping".
var PingCheck = Check{Name: "ping", Fn: func(*http.Request) error { return nil }}

// checkSet is a set of checks served under one path, as Kubernetes' healthz:
// GET /path runs all of them (200 "ok" or 500 naming failures), ?verbose
// lists each, ?exclude=name skips one, and GET /path/name runs one.
type checkSet struct {
	mu     sync.RWMutex
	checks []Check
}

func (c *checkSet) add(ch Check) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks = append(c.checks, ch)
}

func (c *checkSet) snapshot() []Check {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]Check(nil), c.checks...)
}

// checkResult is the outcome of one check.
type checkResult struct {
	name string
	err  error
}

// runChecks runs the checks not excluded and reports whether all passed.
func runChecks(r *http.Request, checks []Check, exclude map[string]bool) ([]checkResult, bool) {
	ok := true
	res := make([]checkResult, 0, len(checks))
	for _, ch := range checks {
		if exclude[ch.Name] {
			continue
		}
		err := ch.Fn(r)
		if err != nil {
			ok = false
		}
		res = append(res, checkResult{name: ch.Name, err: err})
	}
	return res, ok
}

// renderChecks writes the verbose report Kubernetes writes.
func renderChecks(path string, res []checkResult, ok bool) string {
	var b strings.Builder
	for _, r := range res {
		if r.err != nil {
			fmt.Fprintf(&b, "[-]%s failed: %v\n", r.name, r.err)
		} else {
			fmt.Fprintf(&b, "[+]%s ok\n", r.name)
		}
	}
	if ok {
		fmt.Fprintf(&b, "%s check passed\n", path)
	} else {
		fmt.Fprintf(&b, "%s check failed\n", path)
	}
	return b.String()
}

// checksHandler serves the checks that list returns under path.
func checksHandler(path string, list func() []Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checks := list()
		if sub := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, path), "/"); sub != "" {
			checks = pick(checks, sub)
			if checks == nil {
				http.NotFound(w, r)
				return
			}
		}
		exclude := map[string]bool{}
		for _, e := range r.URL.Query()["exclude"] {
			exclude[e] = true
		}
		res, ok := runChecks(r, checks, exclude)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, verbose := r.URL.Query()["verbose"]
		switch {
		case !ok:
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = fmt.Fprint(w, renderChecks(path, res, ok))
		case verbose:
			_, _ = fmt.Fprint(w, renderChecks(path, res, ok))
		default:
			_, _ = fmt.Fprint(w, "ok")
		}
	})
}

func pick(checks []Check, name string) []Check {
	for _, ch := range checks {
		if ch.Name == name {
			return []Check{ch}
		}
	}
	return nil
}
