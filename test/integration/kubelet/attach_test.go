package kubelet

import (
	"context"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/ctl"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// stdinPod is shPod with a container that has stdin: true (and stdinOnce).
func stdinPod(name, script string, policy core.RestartPolicy, once bool) *core.Pod {
	p := shPod(name, script, policy)
	p.Spec.Containers[0].Stdin, p.Spec.Containers[0].StdinOnce = true, once
	return p
}

// ctlSession is ctl running in the background until its context ends.
type ctlSession struct {
	out, errOut *syncBuffer
	cancel      context.CancelFunc
	done        chan int
}

func startCtl(srv *framework.TestServer, in io.Reader, args ...string) *ctlSession {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	s := &ctlSession{out: &syncBuffer{}, errOut: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- ctl.Run(ctx, append([]string{"--server", srv.URL, "-n", "default"}, args...),
			ctl.IOStreams{In: in, Out: s.out, ErrOut: s.errOut})
	}()
	return s
}

func (s *ctlSession) wait() int {
	defer s.cancel()
	return <-s.done
}

func waitRunning(t *testing.T, cs *clientset.Clientset, name string) {
	t.Helper()
	waitFor(t, 30*time.Second, "pod "+name+" Running", func() bool {
		p := getPod(t, cs, name)
		return p != nil && p.Status.Phase == core.PodRunning && len(p.Status.ContainerStatuses) == 1 &&
			p.Status.ContainerStatuses[0].State.Running != nil
	})
}

// TestAttach attaches ctl and the real kubectl (when on PATH) through the
// apiserver's pods/attach to containers of a process-runtime kubelet, and
// runs kubectl run -i --rm.
func TestAttach(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}})
	defer k.stop(t)
	sim := startKubelet(t, srv, kubeletSpec{nodes: []string{"sim-a"}})
	defer sim.stop(t)
	startScheduler(t, cs)

	createPod(t, cs, shPod("ticker", `echo early; i=0; while sleep 0.1; do i=$((i+1)); echo "tick $i"; done`, core.RestartPolicyAlways))
	createPod(t, cs, stdinPod("reader", `while read l; do echo "got $l"; done; echo "stdin closed"; sleep 300`, core.RestartPolicyAlways, false))
	createPod(t, cs, stdinPod("once-ctl", `read x; echo "got $x"`, core.RestartPolicyNever, true))
	createPod(t, cs, stdinPod("once-kubectl", `read x; echo "got $x"`, core.RestartPolicyNever, true))
	simPod := execPod("simpod", "sim-a")
	createPod(t, cs, simPod)
	for _, name := range []string{"ticker", "reader", "once-ctl", "once-kubectl", "simpod"} {
		waitRunning(t, cs, name)
	}
	kc := writeKubeconfig(t, srv)
	kubectl, _ := exec.LookPath("kubectl")

	t.Run("discovery lists pods/attach", func(t *testing.T) {
		code, body := httpGet(srv.URL + "/api/v1")
		if code != 200 || !strings.Contains(body, `"name":"pods/attach"`) || !strings.Contains(body, `"kind":"PodAttachOptions","verbs":["create","get"]`) {
			t.Errorf("GET /api/v1 = %d, no pods/attach in %s", code, body)
		}
	})

	t.Run("output from the moment of attach", func(t *testing.T) {
		waitFor(t, 30*time.Second, "the first tick in the log", func() bool {
			_, body := httpGet(k.URL + "/containerLogs/default/ticker/c")
			return strings.Contains(body, "tick 1\n")
		})
		s := startCtl(srv, strings.NewReader(""), "attach", "ticker")
		waitFor(t, 30*time.Second, "two ticks through attach", func() bool { return strings.Count(s.out.String(), "tick ") >= 2 })
		s.cancel()
		s.wait()
		lines := strings.Split(s.out.String(), "\n")
		n, err := strconv.Atoi(strings.TrimPrefix(lines[0], "tick "))
		if err != nil || n < 2 {
			t.Errorf("attached output starts with %q, not a tick printed after attaching", lines[0])
		}
		if !strings.Contains(s.errOut.String(), "If you don't see a command prompt, try pressing enter.") {
			t.Errorf("ctl attach stderr = %q", s.errOut.String())
		}
	})

	t.Run("input reaches a container with stdin", func(t *testing.T) {
		in, w := io.Pipe()
		defer in.Close()
		s := startCtl(srv, in, "attach", "-i", "reader")
		if _, err := io.WriteString(w, "hello\n"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "the echo of the input", func() bool { return s.out.String() == "got hello\n" })
		// Without stdinOnce the end of the client's input ends the session
		// and the container's stdin stays open for the next one.
		w.Close()
		if code := s.wait(); code != 0 {
			t.Fatalf("ctl attach -i = %d, stderr %q", code, s.errOut.String())
		}
		s = startCtl(srv, strings.NewReader("again\n"), "attach", "-i", "reader")
		waitFor(t, 30*time.Second, "the echo in a second session", func() bool {
			_, body := httpGet(k.URL + "/containerLogs/default/reader/c")
			return body == "got hello\ngot again\n"
		})
		s.wait()
	})

	t.Run("stdinOnce: the container's input ends with the session's", func(t *testing.T) {
		clients := map[string]func(stdin string, args ...string) execResult{"ctl": func(stdin string, args ...string) execResult {
			s := startCtl(srv, strings.NewReader(stdin), args...)
			code := s.wait()
			return execResult{out: s.out.String(), err: s.errOut.String(), code: code}
		}}
		if kubectl != "" {
			clients["kubectl"] = func(stdin string, args ...string) execResult { return runKubectl(t, kubectl, kc, stdin, args...) }
		}
		for name, run := range clients {
			pod := "once-" + name
			if r := run("hello\n", "attach", "-i", pod); r.code != 0 || r.out != "got hello\n" {
				t.Errorf("%s attach -i %s: %+v", name, pod, r)
			}
			waitFor(t, 30*time.Second, pod+" Succeeded", func() bool {
				p := getPod(t, cs, pod)
				return p != nil && p.Status.Phase == core.PodSucceeded
			})
			if r := run("", "attach", pod); r.code == 0 || !strings.Contains(r.err, "cannot attach a container in a completed pod; current phase is Succeeded") {
				t.Errorf("%s attach to a completed pod: %+v", name, r)
			}
			if r := run("x\n", "attach", "-i", "ticker"); r.code == 0 ||
				!strings.Contains(r.err, "cannot attach to the stdin of container c in pod ticker: the container was not started with stdin: true") {
				t.Errorf("%s attach -i to a container without stdin: %+v", name, r)
			}
			if r := run("", "attach", "-c", "nope", "ticker"); r.code == 0 || !strings.Contains(r.err, "container nope not found in pod ticker") {
				t.Errorf("%s attach to an unknown container: %+v", name, r)
			}
			if r := run("", "attach", "nosuchpod"); r.code == 0 || !strings.Contains(r.err, `pods "nosuchpod" not found`) {
				t.Errorf("%s attach to a missing pod: %+v", name, r)
			}
			if r := run("", "attach", "simpod"); r.code == 0 || !strings.Contains(r.err, "attach is not supported by the simulated runtime") {
				t.Errorf("%s attach on a simulated node: %+v", name, r)
			}
		}
	})

	t.Run("kubectl run -i --rm", func(t *testing.T) {
		if kubectl == "" {
			t.Skip("no kubectl on PATH")
		}
		// The scheduler places it; the node selector keeps it off the
		// simulated node.
		r := runKubectl(t, kubectl, kc, "hello\n", "run", "-i", "--rm", "--restart=Never", "--image=busybox",
			`--overrides={"spec":{"nodeSelector":{"kubernetes.io/hostname":"node-a"}}}`, "t", "--", "sh", "-c", "read x; echo got $x")
		if r.code != 0 || !strings.Contains(r.out, "got hello\n") || !strings.Contains(r.out, `pod "t" deleted`) {
			t.Errorf("kubectl run -i --rm: %+v", r)
		}
		waitFor(t, 30*time.Second, "pod t gone", func() bool { return getPod(t, cs, "t") == nil })
	})

	deletePods(t, cs, "default", "ticker", "reader", "once-ctl", "once-kubectl", "simpod", "t")
	waitFor(t, 10*time.Second, "no child process", func() bool { return len(childProcesses()) == 0 })
}
