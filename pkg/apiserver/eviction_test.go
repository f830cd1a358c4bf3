package apiserver

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

func evictionPod(phase core.PodPhase, ready bool) *core.Pod {
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"app": "web"}},
		Status: core.PodStatus{Phase: phase}}
	st := core.ConditionFalse
	if ready {
		st = core.ConditionTrue
	}
	p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: st}}
	return p
}

func budget(name string, sel *meta.LabelSelector, st policy.PodDisruptionBudgetStatus) *policy.PodDisruptionBudget {
	return &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", Generation: 1},
		Spec: policy.PodDisruptionBudgetSpec{Selector: sel}, Status: st}
}

func TestCanIgnoreBudgets(t *testing.T) {
	deleting := evictionPod(core.PodRunning, true)
	deleting.DeletionTimestamp = &meta.Time{Time: time.Now()}
	for _, tc := range []struct {
		name string
		pod  *core.Pod
		want bool
	}{
		{"pending", evictionPod(core.PodPending, false), true},
		{"succeeded", evictionPod(core.PodSucceeded, false), true},
		{"failed", evictionPod(core.PodFailed, false), true},
		{"deleting", deleting, true},
		{"running", evictionPod(core.PodRunning, true), false},
		{"running not ready", evictionPod(core.PodRunning, false), false},
		{"unknown", evictionPod(core.PodUnknown, false), false},
	} {
		if got := canIgnoreBudgets(tc.pod); got != tc.want {
			t.Errorf("%s: canIgnoreBudgets = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestBudgetsForPod(t *testing.T) {
	web := &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}
	db := &meta.LabelSelector{MatchLabels: map[string]string{"app": "db"}}
	expr := &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{
		{Key: "app", Operator: meta.LabelSelectorOpIn, Values: []string{"web", "api"}}}}
	bad := &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{{Key: "app", Operator: "Bogus"}}}
	other := budget("other-ns", web, policy.PodDisruptionBudgetStatus{})
	other.Namespace = "elsewhere"
	all := []*policy.PodDisruptionBudget{
		budget("web", web, policy.PodDisruptionBudgetStatus{}),
		budget("db", db, policy.PodDisruptionBudgetStatus{}),
		budget("nil", nil, policy.PodDisruptionBudgetStatus{}),
		budget("empty", &meta.LabelSelector{}, policy.PodDisruptionBudgetStatus{}),
		budget("expr", expr, policy.PodDisruptionBudgetStatus{}),
		budget("bad", bad, policy.PodDisruptionBudgetStatus{}),
		other,
	}
	var got []string
	pod := evictionPod(core.PodRunning, true)
	for _, b := range policy.MatchingBudgets(all, pod.Namespace, pod.Labels) {
		got = append(got, b.Name)
	}
	want := []string{"web", "empty", "expr"}
	if len(got) != len(want) {
		t.Fatalf("matching budgets = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("matching budgets = %v, want %v", got, want)
		}
	}
}

func TestDecideEviction(t *testing.T) {
	sel := &meta.LabelSelector{}
	always, ifHealthy := policy.AlwaysAllow, policy.IfHealthyBudget
	healthy := policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, CurrentHealthy: 3, DesiredHealthy: 2, DisruptionsAllowed: 1}
	short := policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, CurrentHealthy: 1, DesiredHealthy: 2}
	withPolicy := func(b *policy.PodDisruptionBudget, p *policy.UnhealthyPodEvictionPolicyType) *policy.PodDisruptionBudget {
		b.Spec.UnhealthyPodEvictionPolicy = p
		return b
	}
	for _, tc := range []struct {
		name     string
		pod      *core.Pod
		budgets  []*policy.PodDisruptionBudget
		want     evictionAction
		wantCode int32
	}{
		{"no budget", evictionPod(core.PodRunning, true), nil, evictDelete, 0},
		{"two budgets", evictionPod(core.PodRunning, true),
			[]*policy.PodDisruptionBudget{budget("a", sel, healthy), budget("b", sel, healthy)}, 0, http.StatusInternalServerError},
		{"ready pod takes a disruption", evictionPod(core.PodRunning, true),
			[]*policy.PodDisruptionBudget{budget("a", sel, healthy)}, evictTakeDisruption, 0},
		{"not ready, AlwaysAllow", evictionPod(core.PodRunning, false),
			[]*policy.PodDisruptionBudget{withPolicy(budget("a", sel, short), &always)}, evictDeleteUnhealthy, 0},
		{"not ready, default policy, budget healthy", evictionPod(core.PodRunning, false),
			[]*policy.PodDisruptionBudget{budget("a", sel, healthy)}, evictDeleteUnhealthy, 0},
		{"not ready, IfHealthyBudget, budget healthy", evictionPod(core.PodRunning, false),
			[]*policy.PodDisruptionBudget{withPolicy(budget("a", sel, healthy), &ifHealthy)}, evictDeleteUnhealthy, 0},
		{"not ready, IfHealthyBudget, budget short", evictionPod(core.PodRunning, false),
			[]*policy.PodDisruptionBudget{withPolicy(budget("a", sel, short), &ifHealthy)}, evictTakeDisruption, 0},
		{"not ready, nothing desired", evictionPod(core.PodRunning, false),
			[]*policy.PodDisruptionBudget{budget("a", sel, policy.PodDisruptionBudgetStatus{ObservedGeneration: 1})}, evictTakeDisruption, 0},
	} {
		got, b, err := decideEviction(tc.pod, tc.budgets)
		if tc.wantCode != 0 {
			st := apierrors.FromError(err)
			if st == nil || st.ErrStatus.Code != tc.wantCode || st.ErrStatus.Message != msgTooManyBudgets {
				t.Errorf("%s: err = %v, want code %d", tc.name, err, tc.wantCode)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: decideEviction = %v, %v, want %v", tc.name, got, err, tc.want)
		}
		if (b != nil) != (len(tc.budgets) == 1) {
			t.Errorf("%s: budget = %v", tc.name, b)
		}
	}
}

func TestTakeDisruption(t *testing.T) {
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	tooMany := map[string]meta.Time{}
	for i := range maxDisruptedPods + 1 {
		tooMany[fmt.Sprintf("pod-%d", i)] = meta.NewTime(now)
	}
	for _, tc := range []struct {
		name      string
		gen       int64
		st        policy.PodDisruptionBudgetStatus
		wantCode  int32
		wantCause string
		wantLeft  int32
	}{
		{"allowed", 1, policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 2}, 0, "", 1},
		{"last one", 1, policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 1}, 0, "", 0},
		{"generation behind", 2, policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 5},
			http.StatusTooManyRequests, "The disruption budget b is still being processed by the server.", 0},
		{"negative", 1, policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: -1},
			http.StatusForbidden, "", 0},
		{"too many disrupted", 1, policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 1, DisruptedPods: tooMany},
			http.StatusForbidden, "", 0},
		{"none allowed", 1, policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, DesiredHealthy: 3, CurrentHealthy: 2},
			http.StatusTooManyRequests, "The disruption budget b needs 3 healthy pods and has 2 currently", 0},
	} {
		b := budget("b", &meta.LabelSelector{}, tc.st)
		b.Generation = tc.gen
		before := meta.DeepCopy(b)
		got, err := takeDisruption(b, "p", now)
		if tc.wantCode != 0 {
			st := apierrors.FromError(err)
			if st == nil || st.ErrStatus.Code != tc.wantCode {
				t.Errorf("%s: err = %v, want code %d", tc.name, err, tc.wantCode)
				continue
			}
			if tc.wantCode == http.StatusTooManyRequests {
				d := st.ErrStatus.Details
				if st.ErrStatus.Message != msgViolatesBudget || d == nil || len(d.Causes) != 1 ||
					d.Causes[0].Type != policy.DisruptionBudgetCause || d.Causes[0].Message != tc.wantCause || d.RetryAfterSeconds != 0 {
					t.Errorf("%s: status = %+v", tc.name, st.ErrStatus)
				}
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.Status.DisruptionsAllowed != tc.wantLeft {
			t.Errorf("%s: disruptionsAllowed = %d, want %d", tc.name, got.Status.DisruptionsAllowed, tc.wantLeft)
		}
		if ts, ok := got.Status.DisruptedPods["p"]; !ok || !ts.Time.Equal(now) {
			t.Errorf("%s: disruptedPods = %v", tc.name, got.Status.DisruptedPods)
		}
		hasFalse := len(got.Status.Conditions) == 1 && got.Status.Conditions[0].Status == "False" &&
			got.Status.Conditions[0].Reason == policy.InsufficientPodsReason && !got.Status.Conditions[0].LastTransitionTime.IsZero()
		if hasFalse != (tc.wantLeft == 0) {
			t.Errorf("%s: conditions = %+v", tc.name, got.Status.Conditions)
		}
		if b.Status.DisruptionsAllowed != before.Status.DisruptionsAllowed || len(b.Status.DisruptedPods) != len(before.Status.DisruptedPods) {
			t.Errorf("%s: the input budget was modified", tc.name)
		}
	}
}
