package resourcequota

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

func rl(kv ...string) core.ResourceList {
	l := core.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func pod(phase core.PodPhase, cpu string) *core.Pod {
	p := &core.Pod{Spec: core.PodSpec{Containers: []core.Container{{Name: "c"}}}, Status: core.PodStatus{Phase: phase}}
	if cpu != "" {
		p.Spec.Containers[0].Resources.Requests = rl("cpu", cpu)
	}
	return p
}

func TestStatus(t *testing.T) {
	now := time.Now()
	q := &core.ResourceQuota{Spec: core.ResourceQuotaSpec{Hard: rl("pods", "3", "requests.cpu", "2", "configmaps", "5")}}
	for _, tc := range []struct {
		name    string
		objects map[string][]meta.Object
		want    core.ResourceList
	}{
		{"empty namespace", nil, rl("pods", "0", "requests.cpu", "0", "configmaps", "0")},
		{"running and finished pods", map[string][]meta.Object{"pods": {pod(core.PodRunning, "500m"), pod(core.PodPending, "250m"),
			pod(core.PodSucceeded, "1"), pod(core.PodFailed, "")}}, rl("pods", "2", "requests.cpu", "750m", "configmaps", "0")},
		{"config maps", map[string][]meta.Object{"configmaps": {&core.ConfigMap{}, &core.ConfigMap{}}, "secrets": {&core.Secret{}}},
			rl("pods", "0", "requests.cpu", "0", "configmaps", "2")},
	} {
		st := Status(q, tc.objects, now)
		if !equal(st.Used, tc.want) || !equal(st.Hard, q.Spec.Hard) {
			t.Errorf("%s: status %v, want used %v", tc.name, st, tc.want)
		}
	}
	scoped := &core.ResourceQuota{Spec: core.ResourceQuotaSpec{Hard: rl("pods", "3"), Scopes: []core.ResourceQuotaScope{core.ResourceQuotaScopeBestEffort}}}
	st := Status(scoped, map[string][]meta.Object{"pods": {pod(core.PodRunning, "1"), pod(core.PodRunning, "")}}, now)
	if !equal(st.Used, rl("pods", "1")) {
		t.Errorf("BestEffort scope: used %v, want pods=1", st.Used)
	}
}

func TestNeedsSync(t *testing.T) {
	hard := rl("pods", "2")
	for _, tc := range []struct {
		name string
		st   core.ResourceQuotaStatus
		want bool
	}{
		{"new quota", core.ResourceQuotaStatus{}, true},
		{"synced", core.ResourceQuotaStatus{Hard: rl("pods", "2"), Used: rl("pods", "1")}, false},
		{"spec changed", core.ResourceQuotaStatus{Hard: rl("pods", "1"), Used: rl("pods", "1")}, true},
		{"used missing", core.ResourceQuotaStatus{Hard: rl("pods", "2")}, true},
		{"resource removed", core.ResourceQuotaStatus{Hard: rl("pods", "2", "secrets", "1"), Used: rl("pods", "0", "secrets", "0")}, true},
	} {
		q := &core.ResourceQuota{Spec: core.ResourceQuotaSpec{Hard: hard}, Status: tc.st}
		if got := NeedsSync(q); got != tc.want {
			t.Errorf("%s: NeedsSync = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestUsageDropped(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name     string
		old, cur *core.Pod
		want     bool
	}{
		{"finished", pod(core.PodRunning, "1"), pod(core.PodSucceeded, "1"), true},
		{"started", pod(core.PodPending, "1"), pod(core.PodRunning, "1"), false},
		{"labels", pod(core.PodRunning, ""), pod(core.PodRunning, ""), false},
	} {
		if got := UsageDropped("pods", tc.old, tc.cur, now); got != tc.want {
			t.Errorf("%s: UsageDropped = %v, want %v", tc.name, got, tc.want)
		}
	}
}
