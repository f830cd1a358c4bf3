package kubelet

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/ctl"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// serveEnv makes this test binary, run as a pod's command, a tiny HTTP
// server on 127.0.0.1:$serveEnv answering "hello from <pod>".
const serveEnv = "TK_PORTFORWARD_TEST_SERVE"

func init() {
	port := os.Getenv(serveEnv)
	if port == "" {
		return
	}
	name := os.Getenv("POD_NAME")
	err := http.ListenAndServe("127.0.0.1:"+port, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s %s\n", name, r.URL.Path)
	}))
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// serverPod runs this test binary as an HTTP server on port, a container
// port named "http".
func serverPod(t *testing.T, name, node string, port int) *core.Pod {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := shPod(name, "", core.RestartPolicyAlways)
	p.Labels = map[string]string{"app": name}
	p.Spec.NodeName = node
	c := &p.Spec.Containers[0]
	c.Command, c.Args = []string{self}, nil
	c.Ports = []core.ContainerPort{{Name: "http", ContainerPort: int32(port)}}
	c.Env = []core.EnvVar{{Name: serveEnv, Value: strconv.Itoa(port)},
		{Name: "POD_NAME", ValueFrom: &core.EnvVarSource{FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
	return p
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer written by one goroutine, read by another.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// forwarding is a running port-forward (kubectl or ctl).
type forwarding struct {
	out, errOut *syncBuffer
	stop        func()
	done        chan int // the exit code
}

var forwardingFrom = regexp.MustCompile(`Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)`)

// localPort waits for the "Forwarding from" line and returns its local port,
// or 0 when the forwarder exited first (its exit code is then in code).
func (f *forwarding) localPort(t *testing.T) (port, code int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := forwardingFrom.FindStringSubmatch(f.out.String()); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n, 0
		}
		select {
		case code := <-f.done:
			return 0, code
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no 'Forwarding from' line: out %q err %q", f.out, f.errOut)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition with a deadline
	}
}

// exit waits for the forwarder to end (after stop or on its own).
func (f *forwarding) exit(t *testing.T) int {
	t.Helper()
	select {
	case code := <-f.done:
		return code
	case <-time.After(30 * time.Second):
		f.stop()
		t.Fatalf("port-forward did not exit: out %q err %q", f.out, f.errOut)
		return -1
	}
}

type forwarderFunc func(t *testing.T, env []string, args ...string) *forwarding

func ctlForwarder(srv *framework.TestServer) forwarderFunc {
	return func(t *testing.T, _ []string, args ...string) *forwarding {
		ctx, cancel := context.WithCancel(context.Background())
		f := &forwarding{out: &syncBuffer{}, errOut: &syncBuffer{}, stop: cancel, done: make(chan int, 1)}
		go func() {
			f.done <- ctl.Run(ctx, append([]string{"--server", srv.URL, "-n", "default", "port-forward"}, args...),
				ctl.IOStreams{In: strings.NewReader(""), Out: f.out, ErrOut: f.errOut})
		}()
		return f
	}
}

func kubectlForwarder(bin, kubeconfig string) forwarderFunc {
	return func(t *testing.T, env []string, args ...string) *forwarding {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--cache-dir", filepath.Join(filepath.Dir(kubeconfig), "cache"),
			"-v=4", "port-forward"}, args...)...)
		cmd.Env = append(append(os.Environ(), "KUBECONFIG="+kubeconfig), env...)
		f := &forwarding{out: &syncBuffer{}, errOut: &syncBuffer{}, done: make(chan int, 1)}
		cmd.Stdout, cmd.Stderr = f.out, f.errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		f.stop = func() { _ = cmd.Process.Signal(os.Interrupt) }
		go func() {
			err := cmd.Wait()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			f.done <- code
		}()
		return f
	}
}

func getThrough(port int, path string) (string, error) {
	c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// TestPortForward runs kubectl port-forward (the real kubectl, when on
// PATH: over its WebSocket tunnel, and over SPDY alone) and ctl
// port-forward through the apiserver to a process-runtime kubelet, fetching
// from a pod's HTTP server through the local port; nothing listening, a
// simulated node and a missing pod are the error cases.
func TestPortForward(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}})
	defer k.stop(t)
	sim := startKubelet(t, srv, kubeletSpec{nodes: []string{"sim-a"}})
	defer sim.stop(t)
	ctx := context.Background()
	port := freePort(t)
	createPod(t, cs, serverPod(t, "web", "node-a", port))
	simPod := execPod("simpod", "sim-a")
	createPod(t, cs, simPod)
	svc := &core.Service{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: core.ServiceSpec{Selector: map[string]string{"app": "web"},
			Ports: []core.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}}}
	if _, err := cs.CoreV1().Services("default").Create(ctx, svc, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "pods Running", func() bool {
		p, s := getPod(t, cs, "web"), getPod(t, cs, "simpod")
		return p != nil && p.Status.Phase == core.PodRunning && s != nil && s.Status.Phase == core.PodRunning
	})
	waitFor(t, 30*time.Second, "the pod's server answering", func() bool {
		body, err := getThrough(port, "/")
		return err == nil && body == "hello from web /\n"
	})
	closed := freePort(t) // nothing listens there

	clients := map[string]forwarderFunc{"ctl": ctlForwarder(srv)}
	if bin, err := exec.LookPath("kubectl"); err == nil {
		kc := writeKubeconfig(t, srv)
		clients["kubectl"] = kubectlForwarder(bin, kc)
	} else {
		t.Log("no kubectl on PATH: only ctl port-forward is tested")
	}
	for name, start := range clients {
		modes := map[string][]string{"default": nil}
		if name == "kubectl" {
			modes["spdy"] = []string{"KUBECTL_PORT_FORWARD_WEBSOCKETS=false"}
		}
		for mode, env := range modes {
			t.Run(name+"/"+mode, func(t *testing.T) {
				for _, target := range []string{"web", "pod/web", "svc/web"} {
					remote := strconv.Itoa(port)
					if target == "svc/web" {
						remote = "80"
					}
					f := start(t, env, "--address", "127.0.0.1", target, ":"+remote)
					local, code := f.localPort(t)
					if local == 0 {
						t.Fatalf("%s: port-forward exited %d: out %q err %q", target, code, f.out, f.errOut)
					}
					for _, path := range []string{"/a", "/b"} {
						if body, err := getThrough(local, path); err != nil || body != "hello from web "+path+"\n" {
							t.Errorf("%s: GET %s through port %d: %q, %v (err %q)", target, path, local, body, err, f.errOut)
						}
					}
					f.stop()
					f.exit(t)
					if !strings.Contains(f.out.String(), "Handling connection for "+strconv.Itoa(local)) {
						t.Errorf("%s: no 'Handling connection' line: %q", target, f.out)
					}
					if name == "kubectl" && mode == "default" && strings.Contains(f.errOut.String(), "fallback to secondary dialer") {
						t.Errorf("%s: kubectl fell back to SPDY: %q", target, f.errOut)
					}
				}

				// Nothing listening: the kubelet's error reaches the client,
				// which ends the port-forward (as kubectl 1.32 does).
				f := start(t, env, "web", "0:"+strconv.Itoa(closed))
				local, code := f.localPort(t)
				if local == 0 {
					t.Fatalf("port-forward to a closed port exited %d: %q", code, f.errOut)
				}
				if _, err := getThrough(local, "/"); err == nil {
					t.Errorf("GET through a port-forward to a closed port succeeded")
				}
				if code := f.exit(t); code == 0 {
					t.Errorf("port-forward to a closed port exited 0")
				}
				t.Logf("port-forward to a closed port: stderr %q", f.errOut)
				want := fmt.Sprintf("error forwarding port %d to pod default/web, uid %s", closed, getPod(t, cs, "web").UID)
				if e := f.errOut.String(); !strings.Contains(e, want) || !strings.Contains(e, "connection refused") ||
					!strings.Contains(e, "lost connection to pod") {
					t.Errorf("port-forward to a closed port: stderr %q, want %q, connection refused, lost connection to pod", e, want)
				}

				for target, want := range map[string]string{
					"simpod":    "port forwarding is not supported by the simulated runtime",
					"nosuchpod": `pods "nosuchpod" not found`,
				} {
					f := start(t, env, target, "8080:80")
					if code := f.exit(t); code == 0 || !strings.Contains(f.errOut.String(), want) {
						t.Errorf("port-forward %s: exit %d, stderr %q, want %q", target, code, f.errOut, want)
					}
				}
			})
		}
	}
	deletePods(t, cs, "default", "web", "simpod")
	waitFor(t, 10*time.Second, "no child process", func() bool { return len(childProcesses()) == 0 })
}
