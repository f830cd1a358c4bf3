package scheduler

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestPodsLandOnlyWhereTheyFit(t *testing.T) {
	e := newEnv(t)
	gpuTaint := core.Taint{Key: "dedicated", Value: "gpu", Effect: core.TaintEffectNoSchedule}
	e.createNode(nodeSpec{name: "small", cpu: "1", memory: "4Gi"})
	e.createNode(nodeSpec{name: "big", cpu: "8", memory: "16Gi"})
	e.createNode(nodeSpec{name: "ssd", cpu: "4", memory: "8Gi", labels: map[string]string{"disk": "ssd", "zone": "a"}})
	e.createNode(nodeSpec{name: "gpu", cpu: "16", memory: "64Gi", taints: []core.Taint{gpuTaint}})
	e.createNode(nodeSpec{name: "down", cpu: "64", memory: "64Gi", notReady: true})
	_, url := e.startScheduler(core.DefaultSchedulerName, false)

	needs2 := pod("needs-2-cpu", "2")
	selector := pod("wants-ssd", "100m")
	selector.Spec.NodeSelector = map[string]string{"disk": "ssd"}
	affinity := pod("affinity-zone-a", "")
	affinity.Spec.Affinity = &core.Affinity{NodeAffinity: &core.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &core.NodeSelector{
		NodeSelectorTerms: []core.NodeSelectorTerm{{MatchExpressions: []core.NodeSelectorRequirement{{Key: "zone", Operator: core.NodeSelectorOpIn, Values: []string{"a"}}}}}}}}
	huge := pod("needs-10-cpu-tolerates-gpu", "10")
	huge.Spec.Tolerations = []core.Toleration{{Key: "dedicated", Operator: core.TolerationOpEqual, Value: "gpu", Effect: core.TaintEffectNoSchedule}}
	impossible := pod("needs-100-cpu", "100")
	for _, p := range []*core.Pod{needs2, selector, affinity, huge, impossible} {
		e.createPod(p)
	}

	for name, allowed := range map[string][]string{
		"needs-2-cpu":                {"big", "ssd"},
		"wants-ssd":                  {"ssd"},
		"affinity-zone-a":            {"ssd"},
		"needs-10-cpu-tolerates-gpu": {"gpu"},
	} {
		node := e.waitBound(name)
		if !contains(allowed, node) {
			t.Errorf("pod %s landed on %s, allowed %v", name, node, allowed)
		}
		e.eventually("Scheduled event of "+name, 10*time.Second, func() bool { return len(e.events(name, "Scheduled")) > 0 })
		if evs := e.events(name, "Scheduled"); len(evs) != 1 || evs[0].Message != fmt.Sprintf("Successfully assigned %s/%s to %s", ns, name, node) {
			t.Errorf("pod %s: Scheduled events %+v", name, evs)
		}
	}
	msg := e.waitUnschedulable("needs-100-cpu")
	want := "0/5 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were not ready, 3 Insufficient cpu."
	if msg != want {
		t.Errorf("unschedulable message\n got: %s\nwant: %s", msg, want)
	}
	e.eventually("FailedScheduling event", 10*time.Second, func() bool {
		evs := e.events("needs-100-cpu", "FailedScheduling")
		return len(evs) > 0 && evs[0].Type == core.EventTypeWarning && evs[0].Message == want
	})

	if body := e.scrape(url, "/healthz"); !strings.HasPrefix(body, "ok") {
		t.Errorf("/healthz: %q", body)
	}
	metrics := e.scrape(url, "/metrics")
	for _, m := range []string{
		`scheduler_schedule_attempts_total{profile="default-scheduler",result="scheduled"}`,
		`scheduler_schedule_attempts_total{profile="default-scheduler",result="unschedulable"}`,
		`scheduler_scheduling_attempt_duration_seconds_bucket{profile="default-scheduler",result="scheduled"`,
		`scheduler_e2e_scheduling_duration_seconds_count{profile="default-scheduler",result="scheduled"}`,
		`scheduler_pending_pods{queue="unschedulable"}`,
		`scheduler_pending_pods{queue="active"}`,
	} {
		if !strings.Contains(metrics, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
}

func TestAntiAffinitySpreadsReplicas(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		e.createNode(nodeSpec{name: fmt.Sprintf("n%d", i), cpu: "4", memory: "8Gi"})
	}
	e.startScheduler(core.DefaultSchedulerName, false)
	replica := func(name string) *core.Pod {
		p := pod(name, "100m")
		p.Labels = map[string]string{"app": "web"}
		p.Spec.Affinity = &core.Affinity{PodAntiAffinity: &core.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []core.PodAffinityTerm{{
			TopologyKey: core.LabelHostname, LabelSelector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}}}
		return p
	}
	for i := range 4 {
		e.createPod(replica(fmt.Sprintf("web-%d", i)))
	}
	nodes := map[string]string{}
	e.eventually("three replicas bound", 20*time.Second, func() bool {
		for i := range 4 {
			name := fmt.Sprintf("web-%d", i)
			if n := e.getPod(name).Spec.NodeName; n != "" {
				nodes[name] = n
			}
		}
		return len(nodes) == 3
	})
	seen := map[string]bool{}
	var pending string
	for i := range 4 {
		name := fmt.Sprintf("web-%d", i)
		n, ok := nodes[name]
		if !ok {
			pending = name
			continue
		}
		if seen[n] {
			t.Fatalf("two replicas on %s: %v", n, nodes)
		}
		seen[n] = true
	}
	msg := e.waitUnschedulable(pending)
	if want := "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."; msg != want {
		t.Fatalf("message %q, want %q", msg, want)
	}
}

func TestUnschedulablePodSchedulesWhenANodeFits(t *testing.T) {
	e := newEnv(t)
	e.createNode(nodeSpec{name: "small", cpu: "1", memory: "4Gi"})
	e.startScheduler(core.DefaultSchedulerName, false)
	e.createPod(pod("big", "4"))
	if msg := e.waitUnschedulable("big"); msg != "0/1 nodes are available: 1 Insufficient cpu." {
		t.Fatalf("message %q", msg)
	}
	e.eventually("FailedScheduling event", 10*time.Second, func() bool { return len(e.events("big", "FailedScheduling")) > 0 })
	e.createNode(nodeSpec{name: "large", cpu: "8", memory: "16Gi"})
	if node := e.waitBound("big"); node != "large" {
		t.Fatalf("bound to %s, want large", node)
	}
}

func TestTwoSchedulersEachTakeOnlyTheirPods(t *testing.T) {
	e := newEnv(t)
	e.createNode(nodeSpec{name: "n1", cpu: "8", memory: "16Gi"})
	e.createNode(nodeSpec{name: "n2", cpu: "8", memory: "16Gi"})
	e.startScheduler(core.DefaultSchedulerName, false)
	e.startScheduler("second", false)
	names := map[string]string{"a-default": "", "b-default-explicit": core.DefaultSchedulerName, "c-second": "second", "d-nobody": "nobody"}
	for name, sched := range names {
		p := pod(name, "100m")
		p.Spec.SchedulerName = sched
		e.createPod(p)
	}
	for _, name := range []string{"a-default", "b-default-explicit", "c-second"} {
		e.waitBound(name)
		want := names[name]
		if want == "" {
			want = core.DefaultSchedulerName
		}
		e.eventually("Scheduled event of "+name, 10*time.Second, func() bool { return len(e.events(name, "Scheduled")) == 1 })
		if got := e.events(name, "Scheduled")[0].Source.Component; got != want {
			t.Errorf("pod %s scheduled by %q, want %q", name, got, want)
		}
	}
	// Both schedulers have drained their queues of the pods created with
	// the others; the pod of a scheduler that does not run stays pending.
	p := e.getPod("d-nobody")
	if p.Spec.NodeName != "" || len(p.Status.Conditions) != 0 || len(e.events("d-nobody", "FailedScheduling")) != 0 {
		t.Fatalf("a pod for scheduler %q was touched: node %q, conditions %+v", "nobody", p.Spec.NodeName, p.Status.Conditions)
	}
}

func TestLeaderElectedReplicasNeverBindTwice(t *testing.T) {
	e := newEnv(t)
	e.createNode(nodeSpec{name: "n1", cpu: "32", memory: "64Gi"})
	e.createNode(nodeSpec{name: "n2", cpu: "32", memory: "64Gi"})
	stopFirst, url := e.startScheduler(core.DefaultSchedulerName, true)
	e.createPod(pod("first", "100m"))
	e.waitBound("first") // the first replica leads
	if m := e.scrape(url, "/metrics"); !strings.Contains(m, `leader_election_master_status{name="it-default-scheduler"} 1`) {
		t.Errorf("/metrics of the leader lacks leader_election_master_status 1")
	}
	e.startScheduler(core.DefaultSchedulerName, true)
	for i := range 20 {
		e.createPod(pod(fmt.Sprintf("p-%02d", i), "100m"))
	}
	for i := range 20 {
		e.waitBound(fmt.Sprintf("p-%02d", i))
	}
	stopFirst() // releases the lease; the standby takes over
	for i := 20; i < 30; i++ {
		e.createPod(pod(fmt.Sprintf("p-%02d", i), "100m"))
	}
	for i := 20; i < 30; i++ {
		e.waitBound(fmt.Sprintf("p-%02d", i))
	}
	for i := range 30 {
		name := fmt.Sprintf("p-%02d", i)
		e.eventually("Scheduled event of "+name, 10*time.Second, func() bool { return len(e.events(name, "Scheduled")) > 0 })
		if n := len(e.events(name, "Scheduled")); n != 1 {
			t.Errorf("pod %s: %d Scheduled events, want 1", name, n)
		}
		for _, ev := range e.events(name, "FailedScheduling") {
			if strings.Contains(ev.Message, "binding rejected") {
				t.Errorf("pod %s: a second binding was attempted: %s", name, ev.Message)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
