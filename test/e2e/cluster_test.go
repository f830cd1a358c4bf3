//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/client/clientcmd"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// cluster is the compose cluster under test, reached from the host.
type cluster struct {
	client     *clientset.Clientset
	cfg        *rest.Config // the client's configuration
	server     string       // apiserver URL
	prometheus string       // Prometheus URL
	compose    []string     // the compose command with -p and -f
	apiservers int          // instances behind the balancer (APISERVERS)
	caFile     string       // the CA the admin kubeconfig trusts ("" without TLS)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// newCluster reads TINYKUBE_KUBECONFIG (the admin kubeconfig; without it
// TINYKUBE_SERVER, unauthenticated), TINYKUBE_PROMETHEUS and COMPOSE_CMD (set
// by hack/e2e.sh through hack/compose.sh).
func newCluster(t *testing.T) *cluster {
	t.Helper()
	c := &cluster{
		server:     envOr("TINYKUBE_SERVER", "http://localhost:8080"),
		prometheus: envOr("TINYKUBE_PROMETHEUS", "http://localhost:9090"),
		compose:    strings.Fields(os.Getenv("COMPOSE_CMD")),
	}
	n, err := strconv.Atoi(envOr("APISERVERS", "2"))
	if err != nil || n < 1 {
		t.Fatalf("APISERVERS=%q: want a positive number", os.Getenv("APISERVERS"))
	}
	c.apiservers = n
	if len(c.compose) == 0 {
		t.Fatal("COMPOSE_CMD is not set: run through hack/e2e.sh (make e2e)")
	}
	cfg := &rest.Config{Host: c.server}
	if path := os.Getenv("TINYKUBE_KUBECONFIG"); path != "" {
		opts := clientcmd.NewClientOptions()
		opts.Kubeconfig = path
		if cfg, err = opts.RESTConfig(); err != nil {
			t.Fatalf("admin kubeconfig %s: %v", path, err)
		}
		c.server, c.caFile = cfg.Host, cfg.TLSClientConfig.CAFile
	}
	cfg.UserAgent, cfg.Timeout = "e2e", 15*time.Second
	cs, err := clientset.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	c.client, c.cfg = cs, cfg
	return c
}

// run runs a command from the repository root and returns its output.
func run(ctx context.Context, argv ...string) (string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, out)
	}
	return strings.TrimSpace(string(out)), nil
}

// composeRun runs a compose subcommand.
func (c *cluster) composeRun(ctx context.Context, args ...string) (string, error) {
	return run(ctx, append(append([]string{}, c.compose...), args...)...)
}

// containerID is the container of a compose service.
func (c *cluster) containerID(ctx context.Context, service string) (string, error) {
	id, err := c.composeRun(ctx, "ps", "-q", service)
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", fmt.Errorf("no container for service %s", service)
	}
	return strings.Fields(id)[0], nil
}

// kill sends SIGKILL to a service's container; Docker does not restart a
// killed container, so it stays down until start.
func (c *cluster) kill(t *testing.T, ctx context.Context, service string) {
	t.Helper()
	id, err := c.containerID(ctx, service)
	if err != nil {
		t.Fatalf("kill %s: %v", service, err)
	}
	if _, err := run(ctx, "docker", "kill", id); err != nil {
		t.Fatalf("kill %s: %v", service, err)
	}
	logf(t, "killed container %s (%s)", service, id[:12])
}

// start starts a stopped service's container again.
func (c *cluster) start(t *testing.T, ctx context.Context, service string) {
	t.Helper()
	if _, err := c.composeRun(ctx, "start", service); err != nil {
		t.Errorf("start %s: %v", service, err)
		return
	}
	logf(t, "started %s again", service)
}

// healthy reports whether a service's container passes its health check.
func (c *cluster) healthy(ctx context.Context, service string) (bool, string, error) {
	id, err := c.containerID(ctx, service)
	if err != nil {
		return false, "", err
	}
	st, err := run(ctx, "docker", "inspect", "-f", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", id)
	if err != nil {
		return false, "", err
	}
	return st == "running healthy", service + " is " + st, nil
}

// readyz asks the apiserver (through the balancer) whether it is ready, over
// the admin client's connection, so with its TLS settings.
func (c *cluster) readyz(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.client.RESTClient().Get().AbsPath("/readyz").Do(ctx).Error(); err != nil {
		return fmt.Errorf("readyz: %w", err)
	}
	return nil
}

// get GETs a URL and returns the body of a 2xx answer.
func get(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", url, err)
	}
	if resp.StatusCode/100 != 2 {
		return body, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}

// logf prints a progress line at once (go test -v buffers nothing for
// top-level output, and a reader of `make e2e` wants to see each step).
func logf(t *testing.T, format string, args ...any) {
	t.Helper()
	fmt.Printf("    %s %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// eventually polls cond every second until it holds or timeout passes. cond
// returns whether it holds and a description of what it saw, which is
// printed when it changes and in the failure.
func eventually(t *testing.T, ctx context.Context, what string, timeout time.Duration, cond func(ctx context.Context) (bool, string, error)) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start, last := time.Now(), ""
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		ok, seen, err := cond(ctx)
		if err != nil && ctx.Err() != nil {
			seen = last // the deadline cut the last poll short; keep what was seen
		} else if err != nil {
			seen = "error: " + err.Error()
		}
		if seen != last {
			logf(t, "%s: %s", what, seen)
			last = seen
		}
		if ok && err == nil {
			logf(t, "%s: ok after %s", what, time.Since(start).Round(time.Second))
			return true
		}
		select {
		case <-ctx.Done():
			t.Errorf("%s: not within %s; last seen: %s", what, timeout, last)
			return false
		case <-tick.C:
		}
	}
}
