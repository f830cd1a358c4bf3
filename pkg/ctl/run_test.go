package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// runCtl runs ctl with no server reachable and no kubeconfig.
func runCtl(args ...string) (out, errOut string, code int) {
	var o, e bytes.Buffer
	code = Run(context.Background(), append([]string{"--server", "http://127.0.0.1:1", "--kubeconfig", "testdata/empty-kubeconfig.yaml"}, args...),
		IOStreams{In: strings.NewReader(""), Out: &o, ErrOut: &e})
	return o.String(), e.String(), code
}

// The outputs of kubectl 1.32 for the same command lines.
const (
	kubectlRunPlain = `apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    run: x
  name: x
spec:
  containers:
  - image: busybox
    name: x
    resources: {}
  dnsPolicy: ClusterFirst
  restartPolicy: Always
status: {}
`
	kubectlRunFull = `apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    a: b
    c: d
  name: x
spec:
  containers:
  - command:
    - sh
    - -c
    - echo hi
    env:
    - name: A
      value: "1"
    - name: B
      value: "2"
    image: busybox
    name: x
    ports:
    - containerPort: 80
    resources: {}
  dnsPolicy: ClusterFirst
  restartPolicy: Never
status: {}
`
)

func TestRunDryRunClientMatchesKubectl(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "x", "--image=busybox", "--dry-run=client", "-o", "yaml"}, kubectlRunPlain},
		{[]string{"run", "x", "--image=busybox", "--restart=Never", "--env", "A=1", "--env", "B=2", "--labels", "a=b,c=d",
			"--port", "80", "--command", "--dry-run=client", "-o", "yaml", "--", "sh", "-c", "echo hi"}, kubectlRunFull},
		{[]string{"run", "x", "--image=busybox", "--dry-run=client", "-o", "name"}, "pod/x\n"},
		{[]string{"run", "x", "--image=busybox", "--dry-run=client"}, "pod/x created (dry run)\n"},
	} {
		out, errOut, code := runCtl(tc.args...)
		if code != 0 || out != tc.want {
			t.Errorf("ctl %s: exit %d, stderr %q, stdout:\n%s\nwant:\n%s", strings.Join(tc.args, " "), code, errOut, out, tc.want)
		}
	}
}

func TestRunPod(t *testing.T) {
	for _, tc := range []struct {
		name    string
		spec    RunSpec
		want    string // the pod's JSON, keys sorted
		wantErr string
	}{
		{name: "args, not command", spec: RunSpec{Name: "p", Image: "img", Args: []string{"a", "b"}},
			want: `{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":null,"labels":{"run":"p"},"name":"p"},"spec":{"containers":[{"args":["a","b"],"image":"img","name":"p","resources":{}}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always"},"status":{}}`},
		{name: "stdin once, tty, pull policy, annotations, namespace",
			spec: RunSpec{Name: "p", Image: "img", Stdin: true, TTY: true, ImagePullPolicy: "Never", Annotations: []string{"k=v=w"}, Namespace: "ns", Restart: "OnFailure"},
			want: `{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{"k":"v=w"},"creationTimestamp":null,"labels":{"run":"p"},"name":"p","namespace":"ns"},"spec":{"containers":[{"image":"img","imagePullPolicy":"Never","name":"p","resources":{},"stdin":true,"stdinOnce":true,"tty":true}],"dnsPolicy":"ClusterFirst","restartPolicy":"OnFailure"},"status":{}}`},
		{name: "stdin left open", spec: RunSpec{Name: "p", Image: "img", Stdin: true, LeaveStdinOpen: true},
			want: `{"apiVersion":"v1","kind":"Pod","metadata":{"creationTimestamp":null,"labels":{"run":"p"},"name":"p"},"spec":{"containers":[{"image":"img","name":"p","resources":{},"stdin":true}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always"},"status":{}}`},
		{name: "bad env", spec: RunSpec{Name: "p", Image: "img", Env: []string{"1A=b"}}, wantErr: "invalid env: 1A=b"},
		{name: "env without =", spec: RunSpec{Name: "p", Image: "img", Env: []string{"A"}}, wantErr: "invalid env: A"},
		{name: "bad label", spec: RunSpec{Name: "p", Image: "img", Labels: "a"}, wantErr: "unexpected label spec: a"},
		{name: "empty label key", spec: RunSpec{Name: "p", Image: "img", Labels: "=b"}, wantErr: "unexpected empty label key"},
		{name: "bad port", spec: RunSpec{Name: "p", Image: "img", Port: "http"}, wantErr: `invalid port number "http"`},
	} {
		obj, err := RunPod(tc.spec)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		b, err := json.Marshal(obj)
		if err != nil || string(b) != tc.want {
			t.Errorf("%s: %s (%v)\nwant %s", tc.name, b, err, tc.want)
		}
	}
}

func TestRunValidation(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "x"}, `error: required flag(s) "image" not set`},
		{[]string{"run", "--image=busybox"}, "error: NAME is required for run"},
		{[]string{"run", "x", "--image=busybox", "-t"}, "error: -i/--stdin is required for containers with -t/--tty=true"},
		{[]string{"run", "x", "--image=busybox", "--rm"}, "error: --rm should only be used for attached containers"},
		{[]string{"run", "x", "--image=busybox", "-i", "--dry-run=client"},
			"error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)"},
		{[]string{"run", "x", "--image=busybox", "--restart=Sometimes"}, "error: invalid restart policy: Sometimes"},
		{[]string{"run", "x", "--image=busybox", "--image-pull-policy=Maybe"}, "error: invalid image pull policy: Maybe"},
	} {
		_, errOut, code := runCtl(tc.args...)
		if code != 1 || strings.TrimSpace(errOut) != tc.want {
			t.Errorf("ctl %s: exit %d, stderr %q, want %q", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
	}
}

func TestExitPolicy(t *testing.T) {
	for _, tc := range []struct {
		restart     string
		interactive bool
		want        core.RestartPolicy
	}{
		{"", false, core.RestartPolicyAlways},
		{"", true, core.RestartPolicyOnFailure},
		{"Never", true, core.RestartPolicyNever},
		{"Always", true, core.RestartPolicyAlways},
	} {
		if got, err := exitPolicy(tc.restart, tc.interactive); err != nil || got != tc.want {
			t.Errorf("exitPolicy(%q, %v) = %q, %v; want %q", tc.restart, tc.interactive, got, err, tc.want)
		}
	}
}

func podIn(phase core.PodPhase, ready bool) *core.Pod {
	p := &core.Pod{Status: core.PodStatus{Phase: phase}}
	if ready {
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: core.ConditionTrue}}
	}
	return p
}

func TestPodConditions(t *testing.T) {
	type result struct {
		done bool
		err  error
	}
	for _, tc := range []struct {
		pod                                   *core.Pod
		runningAndReady, completed, succeeded result
	}{
		{podIn(core.PodPending, false), result{}, result{}, result{}},
		{podIn(core.PodRunning, false), result{}, result{}, result{}},
		{podIn(core.PodRunning, true), result{done: true}, result{}, result{}},
		{podIn(core.PodSucceeded, false), result{err: errPodCompleted}, result{done: true}, result{done: true}},
		{podIn(core.PodFailed, false), result{err: errPodCompleted}, result{done: true}, result{}},
	} {
		for name, c := range map[string]struct {
			cond podCondition
			want result
		}{"runningAndReady": {podRunningAndReady, tc.runningAndReady}, "completed": {podCompleted, tc.completed}, "succeeded": {podSucceeded, tc.succeeded}} {
			done, err := c.cond(tc.pod)
			if done != c.want.done || !errors.Is(err, c.want.err) || (err == nil) != (c.want.err == nil) {
				t.Errorf("%s(%s) = %v, %v; want %+v", name, tc.pod.Status.Phase, done, err, c.want)
			}
		}
	}
}

func TestRunResult(t *testing.T) {
	failed := func(code int32) *core.Pod {
		p := &core.Pod{Status: core.PodStatus{Phase: core.PodFailed}}
		p.Namespace, p.Name = "default", "t"
		p.Status.ContainerStatuses = []core.ContainerStatus{{State: core.ContainerState{
			Terminated: &core.ContainerStateTerminated{ExitCode: code, Reason: "Error"}}}}
		return p
	}
	if err := runResult(podIn(core.PodSucceeded, false)); err != nil {
		t.Errorf("succeeded: %v", err)
	}
	err := runResult(failed(3))
	var exit *exitCodeError
	if !errors.As(err, &exit) || exit.code != 3 || err.Error() != "pod default/t terminated (Error)" {
		t.Errorf("failed with 3: %#v %q", err, err)
	}
	if err := runResult(failed(0)); err == nil || err.Error() != "pod default/t failed with unknown exit code" {
		t.Errorf("failed with 0: %v", err)
	}
	running := podIn(core.PodRunning, true)
	running.Namespace, running.Name = "default", "t"
	if err := runResult(running); err == nil || err.Error() != "pod default/t left in phase Running" {
		t.Errorf("running: %v", err)
	}
	if !reflect.DeepEqual(errors.Unwrap(runResult(failed(2))), &exitCodeError{code: 2}) {
		t.Errorf("the exit code error is not wrapped")
	}
}
