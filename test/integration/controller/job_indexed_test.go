package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller/manager"
)

// checkIndexedPod reports what is wrong with a pod of the Indexed job
// "job": its index annotation and label, JOB_COMPLETION_INDEX, hostname,
// subdomain and name must all agree. It returns the index.
func checkIndexedPod(p *core.Pod, job, subdomain string) (string, error) {
	idx := p.Annotations[batch.JobCompletionIndexAnnotation]
	if idx == "" || p.Labels[batch.JobCompletionIndexLabel] != idx {
		return "", fmt.Errorf("pod %s: index annotation %q, label %q", p.Name, idx, p.Labels[batch.JobCompletionIndexLabel])
	}
	if !strings.HasPrefix(p.Name, job+"-"+idx+"-") || len(p.Name) != len(job+"-"+idx+"-")+5 {
		return "", fmt.Errorf("pod %s of index %s: name not <job>-<index>-<suffix>", p.Name, idx)
	}
	if p.Spec.Hostname != job+"-"+idx || p.Spec.Subdomain != subdomain {
		return "", fmt.Errorf("pod %s: hostname %q subdomain %q", p.Name, p.Spec.Hostname, p.Spec.Subdomain)
	}
	for _, c := range p.Spec.Containers {
		found := false
		for _, e := range c.Env {
			found = found || (e.Name == batch.JobCompletionIndexEnvVar && e.Value == idx)
		}
		if !found {
			return "", fmt.Errorf("pod %s container %s: no %s=%s in %+v", p.Name, c.Name, batch.JobCompletionIndexEnvVar, idx, c.Env)
		}
	}
	return idx, nil
}

// finishPod plays the kubelet for one pod: it ends in phase.
func (e *env) finishPod(p *core.Pod, phase core.PodPhase) error {
	cp := meta.DeepCopy(p)
	cp.Status.Phase = phase
	code := int32(0)
	if phase == core.PodFailed {
		code = 1
	}
	cp.Status.ContainerStatuses = []core.ContainerStatus{{Name: "c", State: core.ContainerState{
		Terminated: &core.ContainerStateTerminated{ExitCode: code, FinishedAt: meta.Now()}}}}
	_, err := e.cs.CoreV1().Pods(p.Namespace).UpdateStatus(context.Background(), cp, meta.UpdateOptions{})
	return err
}

// TestJobIndexed runs an Indexed job of 3 completions 2 at a time: never
// more than 2 pods nor two pods of one index active, every pod carries its
// index (annotation, label, env, hostname, name); the first pod of index 0
// fails and is replaced by another pod of index 0; the job ends Complete
// with completedIndexes "0-2".
func TestJobIndexed(t *testing.T) {
	e := newEnv(t)
	e.startManager(func(o *manager.Options) { o.JobBackoffBase = 100 * time.Millisecond }, "job")
	bg := context.Background()
	j := newJob("idx", 3, 2, 6)
	j.Spec.CompletionMode = meta.Ptr(batch.IndexedCompletion)
	j.Spec.Template.Spec.Subdomain = "workers"
	if _, err := e.cs.BatchV1().Jobs(testNS).Create(bg, j, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	failedPod := ""
	eventually(t, 30*time.Second, "indexed job Complete", func() error {
		j, err := e.cs.BatchV1().Jobs(testNS).Get(bg, "idx", meta.GetOptions{})
		if err != nil {
			return err
		}
		if c := jobCondition(j, batch.JobComplete); c != nil && c.Status == core.ConditionTrue {
			return nil
		}
		active := activePods(e.listPods(testNS, "job=idx"))
		if len(active) > 2 {
			t.Fatalf("%d active pods with parallelism 2: %s", len(active), names(active))
		}
		byIndex := map[string]string{}
		for i := range active {
			idx, err := checkIndexedPod(&active[i], "idx", "workers")
			if err != nil {
				t.Fatal(err)
			}
			if other, dup := byIndex[idx]; dup {
				t.Fatalf("pods %s and %s both active for index %s", other, active[i].Name, idx)
			}
			byIndex[idx] = active[i].Name
		}
		for i := range active {
			p := &active[i]
			phase := core.PodSucceeded
			if failedPod == "" && p.Annotations[batch.JobCompletionIndexAnnotation] == "0" {
				phase = core.PodFailed
			} else if failedPod == "" {
				continue // fail index 0 first, so its retry runs beside the others
			}
			if err := e.finishPod(p, phase); err != nil {
				return err
			}
			if phase == core.PodFailed {
				failedPod = p.Name
			}
		}
		return fmt.Errorf("status %+v", j.Status)
	})

	j, err := e.cs.BatchV1().Jobs(testNS).Get(bg, "idx", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := j.Status; st.CompletedIndexes != "0-2" || st.Succeeded != 3 || st.Failed != 1 || st.Active != 0 || st.CompletionTime == nil {
		t.Fatalf("status %+v, want completedIndexes 0-2, 3 succeeded, 1 failed, none active", st)
	}
	perIndex := map[string][]core.PodPhase{}
	for _, p := range e.listPods(testNS, "job=idx") {
		idx, err := checkIndexedPod(&p, "idx", "workers")
		if err != nil {
			t.Fatal(err)
		}
		perIndex[idx] = append(perIndex[idx], p.Status.Phase)
		if p.Name == failedPod && idx != "0" {
			t.Fatalf("failed pod %s has index %s", p.Name, idx)
		}
	}
	if got := fmt.Sprint(len(perIndex["0"]), len(perIndex["1"]), len(perIndex["2"]), len(perIndex)); got != "2 1 1 3" {
		t.Fatalf("pods per index 0,1,2 and indexes: %s, want 2 1 1 3 (%v)", got, perIndex)
	}
	if p0 := perIndex["0"]; !(p0[0] == core.PodFailed && p0[1] == core.PodSucceeded) && !(p0[0] == core.PodSucceeded && p0[1] == core.PodFailed) {
		t.Fatalf("index 0 pods %v, want one Failed and its Succeeded replacement", p0)
	}
}
