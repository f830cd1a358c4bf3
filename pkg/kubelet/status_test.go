package kubelet

import (
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func testPod(policy core.RestartPolicy, inits []string, containers ...string) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"}, Spec: core.PodSpec{RestartPolicy: policy}}
	for _, n := range inits {
		p.Spec.InitContainers = append(p.Spec.InitContainers, core.Container{Name: n, Image: "img"})
	}
	for _, n := range containers {
		p.Spec.Containers = append(p.Spec.Containers, core.Container{Name: n, Image: "img"})
	}
	return p
}

func running(name string, attempt int32) runtime.ContainerStatus {
	return runtime.ContainerStatus{Name: name, ID: "process://1", Attempt: attempt, State: runtime.StateRunning, StartedAt: t0}
}

func exited(name string, code int32, attempt int32) runtime.ContainerStatus {
	return runtime.ContainerStatus{Name: name, ID: "process://1", Attempt: attempt, State: runtime.StateExited, StartedAt: t0,
		Exit: &runtime.Termination{ExitCode: code, Reason: "Error", StartedAt: t0, FinishedAt: t0.Add(time.Second)}}
}

func states(list ...runtime.ContainerStatus) map[string]runtime.ContainerStatus {
	out := map[string]runtime.ContainerStatus{}
	for _, s := range list {
		out[s.Name] = s
	}
	return out
}

func TestComputePodActions(t *testing.T) {
	never := func(string, time.Time) (bool, time.Duration) { return false, 0 }
	always := func(string, time.Time) (bool, time.Duration) { return true, 10 * time.Second }
	for _, tc := range []struct {
		name      string
		pod       *core.Pod
		rt        map[string]runtime.ContainerStatus
		liveFail  map[string]bool
		backoff   func(string, time.Time) (bool, time.Duration)
		wantStart string
		wantKill  string
		wantWait  string
	}{
		{"fresh pod starts all containers", testPod("", nil, "a", "b"), nil, nil, never, "a,b", "", ""},
		{"first init container first", testPod("", []string{"i1", "i2"}, "a"), nil, nil, never, "i1", "", ""},
		{"init running: wait", testPod("", []string{"i1", "i2"}, "a"), states(running("i1", 0)), nil, never, "", "", ""},
		{"init done: next init", testPod("", []string{"i1", "i2"}, "a"), states(exited("i1", 0, 0)), nil, never, "i2", "", ""},
		{"inits done: containers", testPod("", []string{"i1"}, "a"), states(exited("i1", 0, 0)), nil, never, "a", "", ""},
		{"failed init restarts", testPod(core.RestartPolicyOnFailure, []string{"i1"}, "a"), states(exited("i1", 1, 0)), nil, never, "i1", "", ""},
		{"failed init, Never: nothing", testPod(core.RestartPolicyNever, []string{"i1"}, "a"), states(exited("i1", 1, 0)), nil, never, "", "", ""},
		{"Always restarts a success", testPod(core.RestartPolicyAlways, nil, "a"), states(exited("a", 0, 0)), nil, never, "a", "", ""},
		{"OnFailure keeps a success", testPod(core.RestartPolicyOnFailure, nil, "a"), states(exited("a", 0, 0)), nil, never, "", "", ""},
		{"OnFailure restarts a failure", testPod(core.RestartPolicyOnFailure, nil, "a"), states(exited("a", 2, 0)), nil, never, "a", "", ""},
		{"Never keeps a failure", testPod(core.RestartPolicyNever, nil, "a"), states(exited("a", 2, 0)), nil, never, "", "", ""},
		{"back-off holds the restart", testPod("", nil, "a"), states(exited("a", 2, 3)), nil, always, "", "", "a"},
		{"liveness failure kills", testPod("", nil, "a", "b"), states(running("a", 0), running("b", 0)), map[string]bool{"b": true}, never, "", "b", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := tc.rt
			if rt == nil {
				rt = map[string]runtime.ContainerStatus{}
			}
			acts := computePodActions(actionInput{Pod: tc.pod, Containers: rt, LivenessFailed: tc.liveFail, InBackoff: tc.backoff, Now: t0})
			var waiting []string
			for n, w := range acts.Waiting {
				if w.Reason != ReasonCrashLoopBackOff || !strings.HasPrefix(w.Message, "back-off 10s restarting failed container="+n+" pod=p_ns(u)") {
					t.Fatalf("waiting %s = %+v", n, w)
				}
				waiting = append(waiting, n)
			}
			if got := strings.Join(acts.Start, ","); got != tc.wantStart {
				t.Errorf("start = %q, want %q", got, tc.wantStart)
			}
			if got := strings.Join(acts.Kill, ","); got != tc.wantKill {
				t.Errorf("kill = %q, want %q", got, tc.wantKill)
			}
			if got := strings.Join(waiting, ","); got != tc.wantWait {
				t.Errorf("waiting = %q, want %q", got, tc.wantWait)
			}
		})
	}
}

func TestGeneratePodStatus(t *testing.T) {
	crashWait := map[string]core.ContainerStateWaiting{"a": {Reason: ReasonCrashLoopBackOff, Message: "back-off"}}
	for _, tc := range []struct {
		name        string
		pod         *core.Pod
		rt          map[string]runtime.ContainerStatus
		ready       map[string]bool
		waiting     map[string]core.ContainerStateWaiting
		phase       core.PodPhase
		podReady    core.ConditionStatus
		initialized core.ConditionStatus
		check       func(t *testing.T, st core.PodStatus)
	}{
		{name: "nothing started", pod: testPod("", nil, "a"), phase: core.PodPending, podReady: core.ConditionFalse, initialized: core.ConditionTrue,
			check: func(t *testing.T, st core.PodStatus) {
				if w := st.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != ReasonContainerCreating {
					t.Errorf("state = %+v", st.ContainerStatuses[0].State)
				}
			}},
		{name: "never created", pod: testPod("", nil, "a"), phase: core.PodPending, podReady: core.ConditionFalse, initialized: core.ConditionTrue,
			waiting: map[string]core.ContainerStateWaiting{"a": {Reason: ReasonCreateContainerError, Message: "cannot mount"}},
			check: func(t *testing.T, st core.PodStatus) {
				if w := st.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != ReasonCreateContainerError || w.Message != "cannot mount" {
					t.Errorf("state = %+v", st.ContainerStatuses[0].State)
				}
			}},
		{name: "initializing", pod: testPod("", []string{"i"}, "a"), rt: states(running("i", 0)), phase: core.PodPending,
			podReady: core.ConditionFalse, initialized: core.ConditionFalse,
			check: func(t *testing.T, st core.PodStatus) {
				if w := st.ContainerStatuses[0].State.Waiting; w == nil || w.Reason != ReasonPodInitializing {
					t.Errorf("state = %+v", st.ContainerStatuses[0].State)
				}
				if _, c := core.GetPodCondition(&st, core.PodInitialized); c.Message != "containers with incomplete status: [i]" {
					t.Errorf("initialized = %+v", c)
				}
			}},
		{name: "running, not ready", pod: testPod("", nil, "a", "b"), rt: states(running("a", 0), running("b", 0)),
			ready: map[string]bool{"a": true}, phase: core.PodRunning, podReady: core.ConditionFalse, initialized: core.ConditionTrue,
			check: func(t *testing.T, st core.PodStatus) {
				if _, c := core.GetPodCondition(&st, core.ContainersReady); c.Message != "containers with unready status: [b]" {
					t.Errorf("containers ready = %+v", c)
				}
				if st.ContainerStatuses[0].ContainerID != "process://1" || st.HostIP != "10.0.0.1" || st.PodIP != "10.0.0.1" {
					t.Errorf("status = %+v", st)
				}
			}},
		{name: "running and ready", pod: testPod("", nil, "a"), rt: states(running("a", 0)), ready: map[string]bool{"a": true},
			phase: core.PodRunning, podReady: core.ConditionTrue, initialized: core.ConditionTrue},
		{name: "crash loop is Running under Always", pod: testPod(core.RestartPolicyAlways, nil, "a"), rt: states(exited("a", 3, 2)),
			waiting: crashWait, phase: core.PodRunning, podReady: core.ConditionFalse, initialized: core.ConditionTrue,
			check: func(t *testing.T, st core.PodStatus) {
				s := st.ContainerStatuses[0]
				if s.State.Waiting == nil || s.RestartCount != 2 || s.LastTerminationState.Terminated == nil ||
					s.LastTerminationState.Terminated.ExitCode != 3 {
					t.Errorf("container = %+v", s)
				}
			}},
		{name: "all succeeded under OnFailure", pod: testPod(core.RestartPolicyOnFailure, nil, "a"), rt: states(exited("a", 0, 0)),
			phase: core.PodSucceeded, podReady: core.ConditionFalse, initialized: core.ConditionTrue},
		{name: "failed under Never", pod: testPod(core.RestartPolicyNever, nil, "a", "b"), rt: states(exited("a", 0, 0), exited("b", 1, 0)),
			phase: core.PodFailed, podReady: core.ConditionFalse, initialized: core.ConditionTrue},
		{name: "one still running under Never", pod: testPod(core.RestartPolicyNever, nil, "a", "b"), rt: states(exited("a", 1, 0), running("b", 0)),
			phase: core.PodRunning, podReady: core.ConditionFalse, initialized: core.ConditionTrue},
		{name: "failed init under Never", pod: testPod(core.RestartPolicyNever, []string{"i"}, "a"), rt: states(exited("i", 1, 0)),
			phase: core.PodFailed, podReady: core.ConditionFalse, initialized: core.ConditionFalse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := tc.rt
			if rt == nil {
				rt = map[string]runtime.ContainerStatus{}
			}
			st := generatePodStatus(statusInput{Pod: tc.pod, Containers: rt, Ready: tc.ready, Started: tc.ready,
				Waiting: tc.waiting, HostIP: "10.0.0.1", PodIP: "10.0.0.1", Now: t0})
			if st.Phase != tc.phase {
				t.Errorf("phase = %s, want %s", st.Phase, tc.phase)
			}
			for typ, want := range map[core.PodConditionType]core.ConditionStatus{core.PodReady: tc.podReady,
				core.PodInitialized: tc.initialized, core.PodScheduled: core.ConditionTrue} {
				if _, c := core.GetPodCondition(&st, typ); c == nil || c.Status != want {
					t.Errorf("condition %s = %+v, want %s", typ, c, want)
				}
			}
			if tc.check != nil {
				tc.check(t, st)
			}
		})
	}
}

func TestStatusKeepsTransitionTimesAndIsStable(t *testing.T) {
	pod := testPod("", nil, "a")
	in := statusInput{Pod: pod, Containers: states(running("a", 0)), Ready: map[string]bool{"a": true}, Now: t0}
	first := generatePodStatus(in)
	pod.Status = first
	in.Now = t0.Add(time.Minute)
	second := generatePodStatus(in)
	if !statusEqual(&first, &second) {
		t.Fatalf("unchanged input gave a new status:\n%+v\n%+v", first, second)
	}
	in.Ready = map[string]bool{}
	third := generatePodStatus(in)
	_, c := core.GetPodCondition(&third, core.PodReady)
	if c.Status != core.ConditionFalse || !c.LastTransitionTime.Equal(t0.Add(time.Minute)) {
		t.Fatalf("ready after flip = %+v", c)
	}
	_, s := core.GetPodCondition(&third, core.PodScheduled)
	if !s.LastTransitionTime.Equal(t0) {
		t.Fatalf("scheduled transition time moved: %+v", s)
	}
}

func TestParseLogOptions(t *testing.T) {
	opts, err := ParseLogOptions(map[string][]string{"follow": {"true"}, "tailLines": {"5"}, "sinceSeconds": {"10"},
		"limitBytes": {"100"}, "timestamps": {"1"}, "previous": {"false"}}, t0)
	if err != nil || !opts.Follow || opts.TailLines != 5 || opts.LimitBytes != 100 || !opts.Timestamps || opts.Previous ||
		!opts.Since.Equal(t0.Add(-10*time.Second)) {
		t.Fatalf("opts = %+v, %v", opts, err)
	}
	if opts, _ := ParseLogOptions(nil, t0); opts.TailLines != -1 {
		t.Fatalf("default tail = %d", opts.TailLines)
	}
	for _, bad := range []map[string][]string{{"tailLines": {"-1"}}, {"follow": {"yes please"}}} {
		if _, err := ParseLogOptions(bad, t0); err == nil {
			t.Fatalf("%v parsed", bad)
		}
	}
}

func TestParseFlags(t *testing.T) {
	labels, err := ParseNodeLabels("a=b, zone=z1")
	if err != nil || labels["a"] != "b" || labels["zone"] != "z1" {
		t.Fatalf("labels = %v %v", labels, err)
	}
	labels, err = ParseNodeLabels("node.kubernetes.io/pool=a,example.com/x=y,topology.kubernetes.io/zone=z")
	if err != nil || len(labels) != 3 {
		t.Fatalf("allowed labels = %v %v", labels, err)
	}
	for _, bad := range []string{"node-restriction.kubernetes.io/team=a", "kubernetes.io/role=master", "x.k8s.io/y=z"} {
		if _, err := ParseNodeLabels("a=b," + bad); err == nil {
			t.Fatalf("%s accepted", bad)
		}
	}
	taints, err := ParseTaints([]string{"dedicated=gpu:NoSchedule", "spot:PreferNoSchedule"})
	if err != nil || len(taints) != 2 || taints[0].Value != "gpu" || taints[1].Key != "spot" {
		t.Fatalf("taints = %v %v", taints, err)
	}
	if _, err := ParseTaints([]string{"x=y:Sometimes"}); err == nil {
		t.Fatal("bad effect parsed")
	}
	o := NewOptions()
	o.NodeName, o.Nodes = "n", 3
	if _, err := o.NodeNames(); err == nil {
		t.Fatal("--nodes with the process runtime accepted")
	}
	o.Runtime = "simulated"
	if names, _ := o.NodeNames(); len(names) != 3 || names[2] != "n-2" {
		t.Fatalf("names = %v", names)
	}
}
