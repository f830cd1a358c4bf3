package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/ctl"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// TestRun runs ctl run -i --rm (and the real kubectl's, when on PATH) on a
// process-runtime kubelet through the scheduler: the input reaches the
// container, the output comes back, the pod is deleted after, and with
// --restart=Never the container's exit code is ctl's. Where kubectl is on
// PATH, the pods both make are compared.
func TestRun(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	k := startKubelet(t, srv, kubeletSpec{root: t.TempDir(), nodes: []string{"node-a"}})
	defer k.stop(t)
	startScheduler(t, cs)
	kc := writeKubeconfig(t, srv)
	kubectl, _ := exec.LookPath("kubectl")

	// ctl reads the kubeconfig kubectl reads (its context's namespace,
	// no -n).
	ctlRun := func(stdin string, args ...string) execResult {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		var out, errOut bytes.Buffer
		code := ctl.Run(ctx, append([]string{"--kubeconfig", kc}, args...),
			ctl.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut})
		return execResult{out: out.String(), err: errOut.String(), code: code}
	}
	clients := map[string]func(stdin string, args ...string) execResult{"ctl": ctlRun}
	if kubectl != "" {
		clients["kubectl"] = func(stdin string, args ...string) execResult { return runKubectl(t, kubectl, kc, stdin, args...) }
	}

	t.Run("run -i --rm --restart=Never", func(t *testing.T) {
		for name, run := range clients {
			pod := map[string]string{"ctl": "t", "kubectl": "t-kubectl"}[name]
			r := run("hi\n", "run", "-i", "--rm", "--restart=Never", pod, "--image=busybox", "--", "sh", "-c", "read x; echo got $x")
			if r.code != 0 || r.out != "got hi\npod \""+pod+"\" deleted\n" ||
				!strings.Contains(r.err, "If you don't see a command prompt, try pressing enter.") {
				t.Errorf("%s run -i --rm: %+v", name, r)
			}
			waitFor(t, 30*time.Second, "pod "+pod+" gone", func() bool { return getPod(t, cs, pod) == nil })
		}
	})

	t.Run("the container's exit code", func(t *testing.T) {
		for name, run := range clients {
			pod := "fail-" + name
			r := run("x\n", "run", "-i", "-q", "--rm", "--restart=Never", pod, "--image=busybox", "--", "sh", "-c", "read x; echo bye; exit 3")
			// The process runtime's reason for a non-zero exit is Error, as
			// the container runtimes'.
			if r.code != 3 || r.out != "bye\n" || r.err != "pod default/"+pod+" terminated (Error)\n" {
				t.Errorf("%s run -i -q --rm of a failing container: %+v", name, r)
			}
			waitFor(t, 30*time.Second, "pod "+pod+" gone", func() bool { return getPod(t, cs, pod) == nil })
		}
	})

	t.Run("the pod is kubectl's", func(t *testing.T) {
		if kubectl == "" {
			t.Skip("no kubectl on PATH")
		}
		for _, args := range [][]string{
			{"run", "x", "--image=busybox", "--dry-run=client", "-o", "yaml"},
			{"run", "x", "--image=busybox", "--restart=Never", "--env", "A=1", "--labels", "a=b,c=d", "--port", "80",
				"--annotations", "k=v", "--image-pull-policy=IfNotPresent", "-n", "default", "--dry-run=client", "-o", "yaml", "--", "sleep", "1"},
			{"run", "x", "--image=busybox", "--command", "--dry-run=client", "-o", "yaml", "--", "sh", "-c", "echo hi"},
		} {
			want := runKubectl(t, kubectl, kc, "", args...)
			got := ctlRun("", args...)
			if want.code != 0 || got.code != 0 || got.out != want.out {
				t.Errorf("%s:\nctl (exit %d, %s):\n%s\nkubectl (exit %d, %s):\n%s", strings.Join(args, " "),
					got.code, got.err, got.out, want.code, want.err, want.out)
			}
		}
		// The pod the apiserver makes of each (a server dry run): the same
		// spec, labels and status.
		args := []string{"run", "x", "--image=busybox", "--restart=OnFailure", "--env", "A=1", "--dry-run=server", "-o", "json", "--", "sleep", "1"}
		want, got := runKubectl(t, kubectl, kc, "", args...), ctlRun("", args...)
		var wantPod, gotPod map[string]any
		if err := json.Unmarshal([]byte(want.out), &wantPod); err != nil {
			t.Fatalf("kubectl %v: %v %+v", args, err, want)
		}
		if err := json.Unmarshal([]byte(got.out), &gotPod); err != nil {
			t.Fatalf("ctl %v: %v %+v", args, err, got)
		}
		for _, field := range []string{"spec", "status", "kind", "apiVersion"} {
			if !reflect.DeepEqual(gotPod[field], wantPod[field]) {
				t.Errorf("server dry run %s: ctl %v, kubectl %v", field, gotPod[field], wantPod[field])
			}
		}
		gm, wm := gotPod["metadata"].(map[string]any), wantPod["metadata"].(map[string]any)
		if !reflect.DeepEqual(gm["labels"], wm["labels"]) || gm["namespace"] != wm["namespace"] || gm["name"] != wm["name"] {
			t.Errorf("server dry run metadata: ctl %v, kubectl %v", gm, wm)
		}
	})

	waitFor(t, 10*time.Second, "no child process", func() bool { return len(childProcesses()) == 0 })
}
