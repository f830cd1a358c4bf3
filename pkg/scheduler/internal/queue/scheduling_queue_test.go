package queue

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type clock struct{ t time.Time }

func (c *clock) now() time.Time       { return c.t }
func (c *clock) step(d time.Duration) { c.t = c.t.Add(d) }
func newQueue() (*PriorityQueue, *clock) {
	c := &clock{t: time.Unix(10000, 0)}
	return NewPriorityQueue(Options{Now: c.now}), c
}
func created(sec int64) meta.Time { return meta.Time{Time: time.Unix(sec, 0)} }
func podAt(name string, sec int64) *core.Pod {
	return st.MakePod().Name(name).Created(created(sec)).Obj()
}

func popNames(t *testing.T, q *PriorityQueue, n int) []string {
	t.Helper()
	var out []string
	for range n {
		p, err := q.Pop()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Pod.Name)
	}
	return out
}

func TestActiveQOrdersByPriorityThenAge(t *testing.T) {
	q, _ := newQueue()
	q.Add(st.MakePod().Name("old-low").Created(created(1)).Obj())
	q.Add(st.MakePod().Name("new-high").Priority(100).Created(created(5)).Obj())
	q.Add(st.MakePod().Name("young-low").Created(created(3)).Obj())
	q.Add(st.MakePod().Name("old-high").Priority(100).Created(created(2)).Obj())
	got := popNames(t, q, 4)
	want := []string{"old-high", "new-high", "old-low", "young-low"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

func TestBackoffDuration(t *testing.T) {
	want := []time.Duration{1, 2, 4, 8, 10, 10}
	for i, w := range want {
		if got := BackoffDuration(i+1, time.Second, 10*time.Second); got != w*time.Second {
			t.Errorf("attempt %d: %v, want %v", i+1, got, w*time.Second)
		}
	}
}

func TestErroredPodBacksOff(t *testing.T) {
	q, c := newQueue()
	q.Add(podAt("p", 1))
	p, _ := q.Pop()
	cycle := q.SchedulingCycle()
	if err := q.AddUnschedulableIfNotPresent(p, cycle); err != nil { // no plugins: an error
		t.Fatal(err)
	}
	if a, b, u := q.PendingPods(); a != 0 || b != 1 || u != 0 {
		t.Fatalf("pending %d/%d/%d, want backoff 1", a, b, u)
	}
	c.step(900 * time.Millisecond)
	q.flushBackoffQCompleted()
	if a, _, _ := q.PendingPods(); a != 0 {
		t.Fatal("left backoff before 1s")
	}
	c.step(200 * time.Millisecond)
	q.flushBackoffQCompleted()
	if a, b, _ := q.PendingPods(); a != 1 || b != 0 {
		t.Fatal("still backing off after 1s")
	}
	// Second failure: 2s.
	p, _ = q.Pop()
	_ = q.AddUnschedulableIfNotPresent(p, q.SchedulingCycle())
	c.step(1500 * time.Millisecond)
	q.flushBackoffQCompleted()
	if a, _, _ := q.PendingPods(); a != 0 {
		t.Fatal("second back-off shorter than 2s")
	}
	c.step(600 * time.Millisecond)
	q.flushBackoffQCompleted()
	if a, _, _ := q.PendingPods(); a != 1 {
		t.Fatal("second back-off longer than 2s")
	}
}

func TestUnschedulablePodMovesOnClusterEvent(t *testing.T) {
	q, c := newQueue()
	q.Add(podAt("p", 1))
	p, _ := q.Pop()
	p.UnschedulablePlugins = []string{"NodeResourcesFit"}
	if err := q.AddUnschedulableIfNotPresent(p, q.SchedulingCycle()); err != nil {
		t.Fatal(err)
	}
	if _, _, u := q.PendingPods(); u != 1 {
		t.Fatal("not in unschedulablePods")
	}
	c.step(5 * time.Second) // back-off (1s) over: straight to activeQ
	q.MoveAllToActiveOrBackoffQueue(nil)
	if a, _, u := q.PendingPods(); a != 1 || u != 0 {
		t.Fatalf("after the event: active %d unschedulable %d", a, u)
	}
}

func TestMoveDuringCycleSendsFailedPodToBackoff(t *testing.T) {
	q, _ := newQueue()
	q.Add(podAt("p", 1))
	p, _ := q.Pop()
	cycle := q.SchedulingCycle()
	q.MoveAllToActiveOrBackoffQueue(nil) // e.g. a node was added meanwhile
	p.UnschedulablePlugins = []string{"NodeResourcesFit"}
	_ = q.AddUnschedulableIfNotPresent(p, cycle)
	if _, b, u := q.PendingPods(); b != 1 || u != 0 {
		t.Fatalf("backoff %d unschedulable %d, want the pod in backoff", b, u)
	}
}

func TestUnschedulableLeftoverAfterMaxStay(t *testing.T) {
	q, c := newQueue()
	q.Add(podAt("p", 1))
	p, _ := q.Pop()
	p.UnschedulablePlugins = []string{"X"}
	_ = q.AddUnschedulableIfNotPresent(p, q.SchedulingCycle())
	c.step(4 * time.Minute)
	q.flushUnschedulablePodsLeftover()
	if _, _, u := q.PendingPods(); u != 1 {
		t.Fatal("moved before 5 minutes")
	}
	c.step(2 * time.Minute)
	q.flushUnschedulablePodsLeftover()
	if a, _, u := q.PendingPods(); a != 1 || u != 0 {
		t.Fatal("not moved after 5 minutes")
	}
}

func TestUpdateOfUnschedulablePod(t *testing.T) {
	q, c := newQueue()
	old := podAt("p", 1)
	q.Add(old)
	p, _ := q.Pop()
	p.UnschedulablePlugins = []string{"X"}
	_ = q.AddUnschedulableIfNotPresent(p, q.SchedulingCycle())
	c.step(time.Minute)

	statusOnly := meta.DeepCopy(old)
	statusOnly.Status.Conditions = []core.PodCondition{{Type: core.PodScheduled, Status: core.ConditionFalse}}
	q.Update(old, statusOnly)
	if _, _, u := q.PendingPods(); u != 1 {
		t.Fatal("a status-only update moved the pod")
	}
	relaxed := meta.DeepCopy(statusOnly)
	relaxed.Spec.NodeSelector = map[string]string{"zone": "a"}
	q.Update(statusOnly, relaxed)
	if a, _, u := q.PendingPods(); a != 1 || u != 0 {
		t.Fatal("a spec update did not move the pod")
	}
	got, _ := q.Pop()
	if got.Pod.Spec.NodeSelector["zone"] != "a" {
		t.Fatal("queue kept the old pod")
	}
}

func TestAssignedPodAddedMovesOnlyAffinityPods(t *testing.T) {
	q, c := newQueue()
	plain := podAt("plain", 1)
	aff := st.MakePod().Name("aff").PodAffinity("zone", map[string]string{"app": "db"}).Obj()
	for _, pod := range []*core.Pod{plain, aff} {
		q.Add(pod)
		p, _ := q.Pop()
		p.UnschedulablePlugins = []string{"X"}
		_ = q.AddUnschedulableIfNotPresent(p, q.SchedulingCycle())
	}
	c.step(time.Minute)
	q.AssignedPodAdded(st.MakePod().Name("db").Label("app", "db").Obj())
	if got := popNames(t, q, 1); got[0] != "aff" {
		t.Fatalf("popped %v", got)
	}
	if _, _, u := q.PendingPods(); u != 1 {
		t.Fatal("the plain pod moved too")
	}
}

func TestDeleteAndPopBlocksUntilAddOrClose(t *testing.T) {
	q, _ := newQueue()
	q.Add(podAt("gone", 1))
	q.Delete(podAt("gone", 1))
	got := make(chan string, 1)
	go func() {
		p, err := q.Pop()
		if err != nil {
			got <- err.Error()
			return
		}
		got <- p.Pod.Name
	}()
	q.Add(podAt("next", 2))
	if name := <-got; name != "next" {
		t.Fatalf("Pop returned %q", name)
	}
	go func() {
		_, err := q.Pop()
		got <- err.Error()
	}()
	q.Close()
	if msg := <-got; msg != ErrClosed.Error() {
		t.Fatalf("Pop after Close: %q", msg)
	}
}

func TestRecordPending(t *testing.T) {
	seen := map[string]int{}
	q := NewPriorityQueue(Options{RecordPending: func(queue string, n int) { seen[queue] = n }})
	q.Add(podAt("a", 1))
	q.Add(podAt("b", 2))
	if seen["active"] != 2 || seen["backoff"] != 0 || seen["unschedulable"] != 0 {
		t.Fatalf("recorded %v", seen)
	}
}
