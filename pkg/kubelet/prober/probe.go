// Package prober runs a container's liveness, readiness and startup probes
// (exec, httpGet, tcpSocket) with Kubernetes semantics: initialDelaySeconds,
// periodSeconds, timeoutSeconds and the success and failure thresholds;
// liveness and readiness wait for the startup probe to succeed.
package prober

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// Result of a probe.
type Result int

// Probe results.
const (
	Unknown Result = iota
	Success
	Failure
)

func (r Result) String() string {
	switch r {
	case Success:
		return "success"
	case Failure:
		return "failure"
	}
	return "unknown"
}

// Kind of a probe.
type Kind string

// Probe kinds.
const (
	Liveness  Kind = "Liveness"
	Readiness Kind = "Readiness"
	Startup   Kind = "Startup"
)

// Execer runs a command in a container's environment (runtime.Runtime.Exec).
type Execer func(ctx context.Context, spec runtime.ContainerSpec, argv []string) (int, []byte, error)

// Target is what a probe checks.
type Target struct {
	Pod       *core.Pod
	Container *core.Container
	// Host is where httpGet and tcpSocket connect when the probe names no host.
	Host string
	// Spec is the container's runtime spec (env, working dir) for exec.
	Spec runtime.ContainerSpec
}

// Defaults of a probe's fields, as Kubernetes sets them.
func timeoutOf(p *core.Probe) time.Duration { return secondsOr(p.TimeoutSeconds, 1) }
func periodOf(p *core.Probe) time.Duration  { return secondsOr(p.PeriodSeconds, 10) }
func thresholds(p *core.Probe) (success, failure int32) {
	success, failure = p.SuccessThreshold, p.FailureThreshold
	if success <= 0 {
		success = 1
	}
	if failure <= 0 {
		failure = 3
	}
	return success, failure
}

func secondsOr(s, def int32) time.Duration {
	if s <= 0 {
		s = def
	}
	return time.Duration(s) * time.Second
}

// Run runs one probe with its timeout and says what it found.
func Run(ctx context.Context, p *core.Probe, t Target, exec Execer) (Result, string) {
	ctx, cancel := context.WithTimeout(ctx, timeoutOf(p))
	defer cancel()
	switch {
	case p.Exec != nil:
		return runExec(ctx, p.Exec, t, exec)
	case p.HTTPGet != nil:
		return runHTTP(ctx, p.HTTPGet, t)
	case p.TCPSocket != nil:
		return runTCP(ctx, p.TCPSocket, t)
	}
	return Unknown, "probe has no handler the kubelet supports"
}

func runExec(ctx context.Context, a *core.ExecAction, t Target, exec Execer) (Result, string) {
	code, out, err := exec(ctx, t.Spec, a.Command)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return Failure, "command timed out"
	case err != nil:
		return Failure, err.Error()
	case code != 0:
		return Failure, fmt.Sprintf("command %q exited with %d: %s", strings.Join(a.Command, " "), code, truncate(out))
	}
	return Success, ""
}

func runHTTP(ctx context.Context, a *core.HTTPGetAction, t Target) (Result, string) {
	port, err := resolvePort(a.Port, t.Container)
	if err != nil {
		return Failure, err.Error()
	}
	scheme := "http"
	if a.Scheme == core.URISchemeHTTPS {
		scheme = "https"
	}
	host := a.Host
	if host == "" {
		host = t.Host
	}
	path := a.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port))}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String()+path, nil)
	if err != nil {
		return Failure, err.Error()
	}
	req.Header.Set("User-Agent", "tinykube-probe/1.0")
	for _, h := range a.HTTPHeaders {
		if strings.EqualFold(h.Name, "Host") {
			req.Host = h.Value
			continue
		}
		req.Header.Add(h.Name, h.Value)
	}
	client := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, // as the kubelet: probes do not verify
	}}
	resp, err := client.Do(req)
	if err != nil {
		return Failure, err.Error()
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return Failure, fmt.Sprintf("HTTP probe failed with statuscode: %d", resp.StatusCode)
	}
	return Success, ""
}

func runTCP(ctx context.Context, a *core.TCPSocketAction, t Target) (Result, string) {
	port, err := resolvePort(a.Port, t.Container)
	if err != nil {
		return Failure, err.Error()
	}
	host := a.Host
	if host == "" {
		host = t.Host
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return Failure, err.Error()
	}
	conn.Close()
	return Success, ""
}

// resolvePort turns a number or the name of one of the container's ports
// into a port number.
func resolvePort(p intstr.IntOrString, c *core.Container) (int, error) {
	if p.Type == intstr.Int {
		if p.IntVal <= 0 || p.IntVal > 65535 {
			return 0, fmt.Errorf("invalid port number %d", p.IntVal)
		}
		return int(p.IntVal), nil
	}
	if n, err := strconv.Atoi(p.StrVal); err == nil {
		return resolvePort(intstr.FromInt32(int32(n)), c)
	}
	if c != nil {
		for _, cp := range c.Ports {
			if cp.Name == p.StrVal && (cp.Protocol == "" || cp.Protocol == core.ProtocolTCP) {
				return int(cp.ContainerPort), nil
			}
		}
	}
	return 0, fmt.Errorf("no port named %q in the container", p.StrVal)
}

func truncate(b []byte) string {
	const max = 256
	if len(b) > max {
		b = b[:max]
	}
	return strings.TrimSpace(string(b))
}
