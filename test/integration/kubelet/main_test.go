// Package kubelet tests the kubelet against a real apiserver (embedded
// etcd): real processes, probes, back-off, deletion, adoption across a
// kubelet restart, and 200 simulated nodes from one kubelet.
package kubelet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/daemon"
	"github.com/tinykube/tinykube/pkg/kubelet"
	kruntime "github.com/tinykube/tinykube/pkg/kubelet/runtime"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/process"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime/simulated"
	"github.com/tinykube/tinykube/pkg/kubelet/volume"
	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) {
	process.Init() // containers with volume mounts re-execute this binary as their init
	framework.RunWithLeakCheck(m, noChildProcesses)
}

// noChildProcesses fails when a process this one started is still alive.
func noChildProcesses() error {
	if kids := childProcesses(); len(kids) > 0 {
		return fmt.Errorf("leaked child processes: %v", kids)
	}
	return nil
}

// childProcesses lists live (non-zombie) processes whose parent is this one.
func childProcesses() []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	me := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == me && f[0] != "Z" {
			out = append(out, e.Name())
		}
	}
	return out
}

func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond) // polling a condition with a deadline
	}
}

func newClient(t *testing.T, srv *framework.TestServer) *clientset.Clientset {
	return newClientAs(t, srv, "")
}

// newClientAs is a client sending the bearer token ("" none).
func newClientAs(t *testing.T, srv *framework.TestServer, token string) *clientset.Clientset {
	return newClientCA(t, srv, token, nil)
}

// newClientCA is newClientAs trusting the PEM CA bundle ca (an https
// apiserver).
func newClientCA(t *testing.T, srv *framework.TestServer, token string, ca []byte) *clientset.Clientset {
	cs, err := clientset.NewForConfig(&rest.Config{Host: srv.URL, QPS: -1, BearerToken: token, TLSClientConfig: rest.TLSClientConfig{CAData: ca}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// testKubelet is a kubelet running in the test process with its HTTP server.
type testKubelet struct {
	URL    string
	cancel context.CancelFunc
	done   chan error
}

func (k *testKubelet) stop(t *testing.T) {
	k.cancel()
	if err := <-k.done; err != nil {
		t.Errorf("kubelet: %v", err)
	}
}

type kubeletSpec struct {
	root    string // process runtime root; empty: simulated
	nodes   []string
	backoff *kubelet.Backoff
	// noMounts runs the process runtime as if it could not mount.
	noMounts bool
	// token is the kubelet's bearer token ("" none).
	token string
	// ca is the PEM CA of an https apiserver (nil: plain http).
	ca []byte
}

func startKubelet(t *testing.T, srv *framework.TestServer, s kubeletSpec) *testKubelet {
	t.Helper()
	log := zaptest.NewLogger(t)
	var owner atomic.Pointer[kubelet.Kubelet]
	notify := func(uid string) {
		if k := owner.Load(); k != nil {
			k.Notify(uid)
		}
	}
	var rt kruntime.Runtime = simulated.New(notify)
	var vols *volume.Manager
	if s.root != "" {
		p, err := process.New(process.Options{RootDir: s.root, Logger: log, Notify: notify, PollInterval: 50 * time.Millisecond,
			DisableMounts: s.noMounts})
		if err != nil {
			t.Fatal(err)
		}
		rt = p
		vols = volume.NewManager(volume.Options{RootDir: s.root, Getter: kubelet.APIGetter{Client: newClientCA(t, srv, s.token, s.ca)},
			CanMount: !s.noMounts && process.CanMount(), ReclaimPeriod: 200 * time.Millisecond, Logger: log})
	}
	reg := prometheus.NewRegistry()
	hs := daemon.NewServer(&daemon.ServingOptions{BindAddress: "127.0.0.1", Port: 0}, log, reg)
	ln, err := hs.Listen()
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(interface{ String() string }).String()
	_, p, _ := strings.Cut(port, ":")
	portN, _ := strconv.Atoi(p)
	capacity, err := kubelet.MachineCapacity(110)
	if err != nil {
		t.Fatal(err)
	}
	k, err := kubelet.New(kubelet.Config{Client: newClientCA(t, srv, s.token, s.ca), Runtime: rt, Volumes: vols, NodeNames: s.nodes,
		NodeIP: "127.0.0.1", Port: portN, Capacity: capacity, Backoff: s.backoff, Logger: log,
		PodResync: 200 * time.Millisecond, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	owner.Store(k)
	k.Register(hs)
	ctx, cancel := context.WithCancel(context.Background())
	tk := &testKubelet{URL: "http://" + port, cancel: cancel, done: make(chan error, 1)}
	go func() {
		tk.done <- daemon.RunAll(ctx, k.Run, func(ctx context.Context) error { return hs.Serve(ctx, ln) })
	}()
	return tk
}

func getPod(t *testing.T, cs *clientset.Clientset, name string) *core.Pod {
	t.Helper()
	p, err := cs.CoreV1().Pods("default").Get(context.Background(), name, meta.GetOptions{})
	if err != nil {
		return nil
	}
	return p
}

func createPod(t *testing.T, cs *clientset.Clientset, p *core.Pod) {
	t.Helper()
	p.Namespace = "default"
	if _, err := cs.CoreV1().Pods("default").Create(context.Background(), p, meta.CreateOptions{}); err != nil {
		t.Fatalf("create pod %s: %v", p.Name, err)
	}
}

func httpGet(url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func kubeletPods(t *testing.T, k *testKubelet) *core.PodList {
	code, body := httpGet(k.URL + "/pods")
	list := &core.PodList{}
	if code != 200 || json.Unmarshal([]byte(body), list) != nil {
		return nil
	}
	return list
}

func pidOf(cs core.ContainerStatus) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(cs.ContainerID, "process://"))
	return n
}

// deletePods deletes the named pods of ns (a second's grace; a pod already
// gone is fine) and waits until ns has no pod left.
func deletePods(t *testing.T, cs *clientset.Clientset, ns string, names ...string) {
	t.Helper()
	ctx := context.Background()
	for _, name := range names {
		err := cs.CoreV1().Pods(ns).Delete(ctx, name, meta.DeleteOptions{GracePeriodSeconds: meta.Ptr(int64(1))})
		if err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("delete pod %s/%s: %v", ns, name, err)
		}
	}
	waitFor(t, 30*time.Second, "the pods of "+ns+" to go", func() bool {
		l, err := cs.CoreV1().Pods(ns).List(ctx, meta.ListOptions{})
		return err == nil && len(l.Items) == 0
	})
}
