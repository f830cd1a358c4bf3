package crdclients

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/manager"
	"github.com/tinykube/tinykube/pkg/ctl"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// crontabCRD is the sample definition all helpers test with.
const crontabCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec: {type: string}
              image: {type: string}
              replicas: {type: integer, minimum: 1, maximum: 10, default: 1}
          status:
            type: object
            properties:
              replicas: {type: integer}
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
`

// cluster is a running apiserver with a kubeconfig and clients of it.
type cluster struct {
	srv        *framework.TestServer
	kubeconfig string
	cs         *clientset.Clientset
	rest       *rest.Client
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	srv := framework.StartAPIServer(t)
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: tk\n  cluster: {server: \"" + srv.URL + "\"}\n" +
		"users:\n- name: u\n  user: {}\ncontexts:\n- name: tk\n  context: {cluster: tk, user: u, namespace: default}\ncurrent-context: tk\n"
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	rc, err := rest.New(&rest.Config{Host: srv.URL, QPS: -1, Transport: tr, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &cluster{srv: srv, kubeconfig: kc, cs: clientset.New(rc), rest: rc}
}

// installCronTab creates the sample definition with ctl and waits until it
// is Established.
func (c *cluster) installCronTab(t *testing.T) {
	t.Helper()
	c.mustCtlIn(t, crontabCRD, "apply", "-f", "-")
	c.mustCtl(t, "wait", "--for=condition=Established", "crd/crontabs.stable.example.com", "--timeout=20s")
}

// startManager runs the given controllers (no leader election, a GC and
// discovery period of 1 s) until the test ends; it returns their Info and
// higher log entries.
func (c *cluster) startManager(t *testing.T, controllers ...string) *observer.ObservedLogs {
	t.Helper()
	return c.startManagerWith(t, nil, controllers...)
}

// startManagerWith is startManager with the options changed by configure.
func (c *cluster) startManagerWith(t *testing.T, configure func(*manager.Options), controllers ...string) *observer.ObservedLogs {
	t.Helper()
	opts := manager.NewOptions()
	opts.Controllers = controllers
	opts.LeaderElection.LeaderElect = false
	opts.GCPeriod = time.Second
	opts.GCDiscoveryPeriod = time.Second
	if configure != nil {
		configure(opts)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	core, logs := observer.New(zap.InfoLevel)
	logger := zap.New(zapcore.NewTee(core, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)).Core()))
	go func() { done <- manager.RunControllers(ctx, opts, c.cs, logger) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("controller-manager: %v", err)
		}
	})
	return logs
}

// result is one ctl or kubectl run.
type result struct {
	out, err string
	code     int
}

func (c *cluster) ctlIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := ctl.Run(ctx, append([]string{"--kubeconfig", c.kubeconfig}, args...),
		ctl.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	return result{out: out.String(), err: errOut.String(), code: code}
}

func (c *cluster) ctl(t *testing.T, args ...string) result {
	t.Helper()
	return c.ctlIn(t, "", args...)
}

func (c *cluster) mustCtlIn(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	r := c.ctlIn(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("ctl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

func (c *cluster) mustCtl(t *testing.T, args ...string) string {
	t.Helper()
	return c.mustCtlIn(t, "", args...)
}

// startCtl runs ctl in the background (get -w); stop ends it and waits.
func (c *cluster) startCtl(args ...string) (out *syncBuffer, stop func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- ctl.Run(ctx, append([]string{"--kubeconfig", c.kubeconfig}, args...),
			ctl.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: out})
	}()
	return out, func() int {
		cancel()
		return <-done
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// kubectl runs the real kubectl against the cluster.
type kubectl struct {
	bin, kubeconfig, cacheDir string
}

// findKubectl returns the kubectl to compare with, or skips the test.
func (c *cluster) findKubectl(t *testing.T) kubectl {
	t.Helper()
	p := os.Getenv("KUBECTL")
	if p == "" {
		var err error
		if p, err = exec.LookPath("kubectl"); err != nil {
			t.Skip("kubectl comparison skipped: no kubectl on PATH (or set KUBECTL=/path/to/kubectl)")
		}
	}
	return kubectl{bin: p, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
}

func (k kubectl) run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, k.bin, append([]string{"--cache-dir", k.cacheDir}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		code = 1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	return result{out: out.String(), err: errOut.String(), code: code}
}

func (k kubectl) must(t *testing.T, args ...string) string {
	t.Helper()
	r := k.run(t, "", args...)
	if r.code != 0 {
		t.Fatalf("kubectl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

// eventually polls cond every 20 ms until it returns nil or the deadline
// passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %v", timeout, what, err)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}

func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: missing %q in:\n%s", what, w, got)
		}
	}
}
