package ctl

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/ctl"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// cluster is a running apiserver with a kubeconfig pointing at it.
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
		"users:\n- name: u\n  user: {}\ncontexts:\n- name: tk\n  context: {cluster: tk, user: u}\ncurrent-context: tk\n"
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	rc, err := rest.New(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.CloseIdleConnections)
	return &cluster{srv: srv, kubeconfig: kc, cs: clientset.New(rc), rest: rc}
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

// result is one ctl run.
type result struct {
	out, err string
	code     int
}

// ctlIn runs ctl with --server and stdin.
func (c *cluster) ctlIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := ctl.Run(ctx, append([]string{"--server", c.srv.URL}, args...),
		ctl.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
	return result{out: out.String(), err: errOut.String(), code: code}
}

func (c *cluster) ctl(t *testing.T, args ...string) result {
	t.Helper()
	return c.ctlIn(t, "", args...)
}

// mustCtl runs ctl and fails the test unless it exits 0.
func (c *cluster) mustCtl(t *testing.T, args ...string) string {
	t.Helper()
	r := c.ctl(t, args...)
	if r.code != 0 {
		t.Fatalf("ctl %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	}
	return r.out
}

// startCtl runs ctl in the background (get -w); stop ends it and waits.
func (c *cluster) startCtl(args ...string) (out *syncBuffer, stop func() int) {
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- ctl.Run(ctx, append([]string{"--server", c.srv.URL}, args...),
			ctl.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: io.Discard})
	}()
	return out, func() int {
		cancel()
		return <-done
	}
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
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

// examplesDir is the repository's examples/.
func examplesDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../../../examples")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeFile writes a file in a fresh temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runNoServer runs ctl with only what KUBECONFIG says.
func runNoServer(t *testing.T, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := ctl.Run(ctx, args, ctl.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return result{out: out.String(), err: errOut.String(), code: code}
}

// squeeze collapses the runs of spaces of a table, line by line.
func squeeze(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
