package kubelet

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/ctl"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// execResult is one run of kubectl or ctl exec.
type execResult struct {
	out, err string
	code     int
}

// writeKubeconfig points a kubeconfig at srv.
func writeKubeconfig(t *testing.T, srv *framework.TestServer) string {
	t.Helper()
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	cfg := "apiVersion: v1\nkind: Config\nclusters:\n- name: tk\n  cluster: {server: \"" + srv.URL + "\"}\n" +
		"users:\n- name: u\n  user: {}\ncontexts:\n- name: tk\n  context: {cluster: tk, user: u, namespace: default}\ncurrent-context: tk\n"
	if err := os.WriteFile(kc, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return kc
}

func runKubectl(t *testing.T, bin, kubeconfig, stdin string, args ...string) execResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--cache-dir", filepath.Join(filepath.Dir(kubeconfig), "cache")}, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if err != nil {
		code = -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
	}
	return execResult{out: out.String(), err: errOut.String(), code: code}
}

// execPod runs "sleep 300" with POD_NAME from a fieldRef.
func execPod(name, node string) *core.Pod {
	p := shPod(name, "sleep 300", core.RestartPolicyAlways)
	p.Spec.NodeName = node
	p.Spec.Containers[0].Env = []core.EnvVar{{Name: "POD_NAME", ValueFrom: &core.EnvVarSource{
		FieldRef: &core.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
	return p
}

// TestExec runs kubectl exec (the real kubectl, when on PATH) through the
// apiserver's pods/exec proxy to a kubelet with the process runtime.
func TestExec(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}})
	defer k.stop(t)
	sim := startKubelet(t, srv, kubeletSpec{nodes: []string{"sim-a"}})
	defer sim.stop(t)
	createPod(t, cs, execPod("sh", "node-a"))
	createPod(t, cs, execPod("simpod", "sim-a"))
	waitFor(t, 30*time.Second, "pod sh Running", func() bool {
		p := getPod(t, cs, "sh")
		return p != nil && p.Status.Phase == core.PodRunning && len(p.Status.ContainerStatuses) == 1 &&
			p.Status.ContainerStatuses[0].State.Running != nil
	})
	waitFor(t, 30*time.Second, "pod simpod Running", func() bool {
		p := getPod(t, cs, "simpod")
		return p != nil && p.Status.Phase == core.PodRunning
	})
	kc := writeKubeconfig(t, srv)

	type runner func(t *testing.T, stdin string, args ...string) execResult
	clients := map[string]runner{"ctl": func(t *testing.T, stdin string, args ...string) execResult {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var out, errOut bytes.Buffer
		code := ctl.Run(ctx, append([]string{"--server", srv.URL, "-n", "default"}, args...),
			ctl.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
		return execResult{out: out.String(), err: errOut.String(), code: code}
	}}
	if bin, err := exec.LookPath("kubectl"); err == nil {
		clients["kubectl"] = func(t *testing.T, stdin string, args ...string) execResult {
			return runKubectl(t, bin, kc, stdin, args...)
		}
	} else {
		t.Log("no kubectl on PATH: only ctl exec is tested")
	}
	for name, run := range clients {
		t.Run(name, func(t *testing.T) {
			if r := run(t, "", "exec", "sh", "--", "echo", "hello"); r.code != 0 || r.out != "hello\n" {
				t.Errorf("exec echo hello: %+v", r)
			}
			r := run(t, "", "exec", "sh", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
			if r.code != 3 || r.out != "out\n" || !strings.Contains(r.err, "err\n") ||
				!strings.Contains(r.err, "command terminated with exit code 3") {
				t.Errorf("exec exit 3: %+v", r)
			}
			if r := run(t, "data\n", "exec", "-i", "sh", "--", "cat"); r.code != 0 || r.out != "data\n" {
				t.Errorf("exec -i cat: %+v", r)
			}
			if r := run(t, "", "exec", "sh", "--", "printenv", "POD_NAME"); r.code != 0 || r.out != "sh\n" {
				t.Errorf("exec printenv POD_NAME: %+v", r)
			}
			if r := run(t, "", "exec", "sh", "-c", "nope", "--", "true"); r.code == 0 || !strings.Contains(r.err, "container nope is not valid for pod sh") {
				t.Errorf("exec in an unknown container: %+v", r)
			}
			if r := run(t, "", "exec", "simpod", "--", "true"); r.code == 0 || !strings.Contains(r.err, "exec is not supported by the simulated runtime") {
				t.Errorf("exec on a simulated node: %+v", r)
			}
			if r := run(t, "", "exec", "nosuchpod", "--", "true"); r.code == 0 || !strings.Contains(r.err, `pods "nosuchpod" not found`) {
				t.Errorf("exec in a missing pod: %+v", r)
			}
		})
	}
	deletePods(t, cs, "default", "sh", "simpod")
	waitFor(t, 10*time.Second, "no child process", func() bool { return len(childProcesses()) == 0 })
}
