package controller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

// failWithExit plays the kubelet: the pod ends Failed, its container "c"
// terminated with code (its conditions, DisruptionTarget among them, kept).
func (e *env) failWithExit(p *core.Pod, code int32) error {
	cp := meta.DeepCopy(p)
	cp.Status.Phase = core.PodFailed
	cp.Status.ContainerStatuses = []core.ContainerStatus{{Name: "c", State: core.ContainerState{
		Terminated: &core.ContainerStateTerminated{ExitCode: code, FinishedAt: meta.Now()}}}}
	_, err := e.cs.CoreV1().Pods(p.Namespace).UpdateStatus(context.Background(), cp, meta.UpdateOptions{})
	return err
}

// waitActivePods waits until selector has n active pods and returns them.
func (e *env) waitActivePods(t *testing.T, selector string, n int) []core.Pod {
	t.Helper()
	var pods []core.Pod
	eventually(t, 20*time.Second, fmt.Sprintf("%d active pods of %s", n, selector), func() error {
		pods = activePods(e.listPods(testNS, selector))
		if len(pods) != n {
			return fmt.Errorf("%d active pods: %s", len(pods), names(pods))
		}
		return nil
	})
	return pods
}

// TestJobPodFailurePolicyFailJob: a container exiting 42 under a FailJob
// rule for exit code 42 fails the job at once (backoffLimit 6 far off),
// with FailureTarget and Failed for PodFailurePolicy and Kubernetes'
// message, and the job's other pod is deleted.
func TestJobPodFailurePolicyFailJob(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "job")
	bg := context.Background()
	j := newJob("exit42", 2, 2, 6)
	j.Spec.PodFailurePolicy = &batch.PodFailurePolicy{Rules: []batch.PodFailurePolicyRule{
		{Action: batch.PodFailurePolicyActionIgnore, OnExitCodes: &batch.PodFailurePolicyOnExitCodesRequirement{
			Operator: batch.PodFailurePolicyOnExitCodesOpIn, Values: []int32{1}}},
		{Action: batch.PodFailurePolicyActionFailJob, OnExitCodes: &batch.PodFailurePolicyOnExitCodesRequirement{
			ContainerName: meta.Ptr("c"), Operator: batch.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}}},
	}}
	if _, err := e.cs.BatchV1().Jobs(testNS).Create(bg, j, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := e.waitActivePods(t, "job=exit42", 2)
	victim := pods[0]
	if err := e.failWithExit(&victim, 42); err != nil {
		t.Fatal(err)
	}
	var got *batch.Job
	eventually(t, 20*time.Second, "job Failed by its podFailurePolicy", func() error {
		var err error
		if got, err = e.cs.BatchV1().Jobs(testNS).Get(bg, "exit42", meta.GetOptions{}); err != nil {
			return err
		}
		if c := jobCondition(got, batch.JobFailed); c == nil || c.Status != core.ConditionTrue {
			return fmt.Errorf("status %+v", got.Status)
		}
		return nil
	})
	want := fmt.Sprintf("Container c for pod %s/%s failed with exit code 42 matching FailJob rule at index 1", testNS, victim.Name)
	for _, typ := range []batch.JobConditionType{batch.JobFailureTarget, batch.JobFailed} {
		c := jobCondition(got, typ)
		if c == nil || c.Status != core.ConditionTrue || c.Reason != batch.JobReasonPodFailurePolicy || c.Message != want {
			t.Errorf("%s condition %+v, want True %s %q", typ, c, batch.JobReasonPodFailurePolicy, want)
		}
	}
	if got.Status.Failed != 1 || got.Status.Active != 0 {
		t.Errorf("status failed=%d active=%d, want 1 and 0", got.Status.Failed, got.Status.Active)
	}
	eventually(t, 20*time.Second, "the other pod deleted", func() error {
		if n := len(activePods(e.listPods(testNS, "job=exit42"))); n != 0 {
			return fmt.Errorf("%d pods still active", n)
		}
		return nil
	})
	if n := len(e.listPods(testNS, "job=exit42")); n != 1 {
		t.Errorf("%d pods left, want only the failed one (no replacement)", n)
	}
}

// TestJobPodFailurePolicyIgnoreEviction: with an Ignore rule on the
// DisruptionTarget condition (status defaulted to True) and backoffLimit
// 0, a pod evicted through pods/eviction (which marks it DisruptionTarget)
// and then failed by its kubelet is not counted: the job replaces it,
// status.failed stays 0, and the job completes.
func TestJobPodFailurePolicyIgnoreEviction(t *testing.T) {
	e := newEnv(t)
	e.startManager(nil, "job")
	bg := context.Background()
	j := newJob("evicted", 1, 1, 0)
	j.Spec.PodFailurePolicy = &batch.PodFailurePolicy{Rules: []batch.PodFailurePolicyRule{
		{Action: batch.PodFailurePolicyActionIgnore, OnPodConditions: []batch.PodFailurePolicyOnPodConditionsPattern{{Type: core.DisruptionTarget}}},
	}}
	created, err := e.cs.BatchV1().Jobs(testNS).Create(bg, j, meta.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := created.Spec.PodFailurePolicy.Rules[0].OnPodConditions[0].Status; st != core.ConditionTrue {
		t.Fatalf("onPodConditions status defaulted to %q, want True", st)
	}
	first := e.waitActivePods(t, "job=evicted", 1)[0]
	// Bound, the pod is deleted gracefully: it stays to be failed by its
	// kubelet, as on a node. (It is not made Ready: status.ready=1 below
	// must come from the replacement.)
	if err := e.cs.CoreV1().Pods(testNS).Bind(bg, &core.Binding{ObjectMeta: meta.ObjectMeta{Name: first.Name, Namespace: testNS},
		Target: core.ObjectReference{Kind: "Node", Name: "n1"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.cs.CoreV1().Pods(testNS).Evict(bg, &policy.Eviction{ObjectMeta: meta.ObjectMeta{Name: first.Name, Namespace: testNS}}); err != nil {
		t.Fatal(err)
	}
	p, err := e.cs.CoreV1().Pods(testNS).Get(bg, first.Name, meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, c := core.GetPodCondition(&p.Status, core.DisruptionTarget); c == nil || p.DeletionTimestamp == nil {
		t.Fatalf("evicted pod: deletionTimestamp %v, DisruptionTarget %+v", p.DeletionTimestamp, c)
	}
	// A terminating pod is not active: the job replaces it at once.
	second := e.waitActivePods(t, "job=evicted", 1)[0]
	if err := e.failWithExit(p, 137); err != nil {
		t.Fatal(err)
	}
	// The job controller has seen the failed pod once it reports the
	// replacement Ready (one watch of pods, in order): with backoffLimit 0
	// a counted failure would have failed the job and deleted the
	// replacement by then.
	if err := e.markReady(&second, "10.0.0.10"); err != nil {
		j, _ := e.cs.BatchV1().Jobs(testNS).Get(bg, "evicted", meta.GetOptions{})
		t.Fatalf("mark the replacement ready: %v; job status %+v", err, j.Status)
	}
	eventually(t, 20*time.Second, "replacement reported ready, the failure not counted", func() error {
		got, err := e.cs.BatchV1().Jobs(testNS).Get(bg, "evicted", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c := jobCondition(got, batch.JobFailed); c != nil || got.Status.Failed != 0 {
			t.Fatalf("evicted pod counted: failed=%d, Failed condition %+v", got.Status.Failed, c)
		}
		if got.Status.Ready == nil || *got.Status.Ready != 1 {
			return fmt.Errorf("status %+v", got.Status)
		}
		return nil
	})
	if n := e.finishPods("job=evicted", core.PodSucceeded); n != 1 {
		t.Fatalf("%d pods finished, want the replacement", n)
	}
	eventually(t, 20*time.Second, "job Complete", func() error {
		got, err := e.cs.BatchV1().Jobs(testNS).Get(bg, "evicted", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c := jobCondition(got, batch.JobFailed); c != nil {
			t.Fatalf("job failed: %+v", c)
		}
		if c := jobCondition(got, batch.JobComplete); c == nil || c.Status != core.ConditionTrue {
			return fmt.Errorf("status %+v", got.Status)
		}
		if got.Status.Failed != 0 || got.Status.Succeeded != 1 {
			t.Fatalf("complete with failed=%d succeeded=%d, want 0 and 1", got.Status.Failed, got.Status.Succeeded)
		}
		return nil
	})
}
