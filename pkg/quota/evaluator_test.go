package quota

import (
	"reflect"
	"strings"
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

// str renders a list as sorted "k=v" for comparisons.
func str(l core.ResourceList) string {
	if l == nil {
		return "<nil>"
	}
	return prettyPrint(l, sortedKeys(l))
}

func sortedKeys(l core.ResourceList) []core.ResourceName {
	out := make([]core.ResourceName, 0, len(l))
	for k := range l {
		out = append(out, k)
	}
	return out
}

func pod(name string, req, lim core.ResourceList) *core.Pod {
	return &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns"}, Spec: core.PodSpec{
		Containers: []core.Container{{Name: "main", Resources: core.ResourceRequirements{Requests: req, Limits: lim}}}}}
}

func TestUsage(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	failed := pod("f", rl("cpu", "1"), nil)
	failed.Status.Phase = core.PodFailed
	gone := pod("g", rl("cpu", "1"), nil)
	gone.DeletionTimestamp = &meta.Time{Time: now.Add(-time.Minute)}
	gone.DeletionGracePeriodSeconds = meta.Ptr(int64(30))
	two := pod("two", rl("cpu", "250m", "memory", "64Mi"), rl("cpu", "1"))
	two.Spec.Containers = append(two.Spec.Containers, core.Container{Name: "side", Resources: core.ResourceRequirements{Requests: rl("cpu", "250m")}})
	class := "fast"
	for _, tc := range []struct {
		name string
		res  string
		obj  meta.Object
		want string
	}{
		{"pod", "pods", two, "count/pods=1,cpu=500m,limits.cpu=1,memory=64Mi,pods=1,requests.cpu=500m,requests.memory=64Mi"},
		{"best effort pod", "pods", pod("b", nil, nil), "count/pods=1,pods=1"},
		{"terminal pod", "pods", failed, "count/pods=1"},
		{"past grace", "pods", gone, "count/pods=1"},
		{"service", "services", &core.Service{}, "count/services=1,services=1"},
		{"node port", "services", &core.Service{Spec: core.ServiceSpec{Type: core.ServiceTypeNodePort, Ports: []core.ServicePort{{Port: 1}, {Port: 2}}}},
			"count/services=1,services=1,services.nodeports=2"},
		{"configmap", "configmaps", &core.ConfigMap{}, "configmaps=1,count/configmaps=1"},
		{"secret", "secrets", &core.Secret{}, "count/secrets=1,secrets=1"},
		{"claim", "persistentvolumeclaims", &core.PersistentVolumeClaim{Spec: core.PersistentVolumeClaimSpec{StorageClassName: &class,
			Resources: core.VolumeResourceRequirements{Requests: rl("storage", "1Gi")}}},
			"count/persistentvolumeclaims=1,fast.storageclass.storage.k8s.io/persistentvolumeclaims=1,fast.storageclass.storage.k8s.io/requests.storage=1Gi,persistentvolumeclaims=1,requests.storage=1Gi"},
	} {
		if got := str(Usage(tc.res, tc.obj, now)); got != tc.want {
			t.Errorf("%s: usage %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestCovers(t *testing.T) {
	be := pod("be", nil, nil)
	burst := pod("burst", rl("cpu", "1"), nil)
	deadline := pod("dl", nil, nil)
	deadline.Spec.ActiveDeadlineSeconds = meta.Ptr(int64(60))
	q := func(scopes ...core.ResourceQuotaScope) *core.ResourceQuota {
		return &core.ResourceQuota{Spec: core.ResourceQuotaSpec{Scopes: scopes}}
	}
	sel := &core.ResourceQuota{Spec: core.ResourceQuotaSpec{ScopeSelector: &core.ScopeSelector{MatchExpressions: []core.ScopedResourceSelectorRequirement{
		{ScopeName: core.ResourceQuotaScopeBestEffort, Operator: core.ScopeSelectorOpDoesNotExist}}}}}
	for _, tc := range []struct {
		name string
		q    *core.ResourceQuota
		res  string
		obj  meta.Object
		want bool
	}{
		{"no scopes, pod", q(), "pods", be, true},
		{"no scopes, service", q(), "services", &core.Service{}, true},
		{"scoped quota, service", q("NotTerminating"), "services", &core.Service{}, false},
		{"BestEffort", q("BestEffort"), "pods", be, true},
		{"BestEffort, burstable", q("BestEffort"), "pods", burst, false},
		{"NotBestEffort", q("NotBestEffort"), "pods", burst, true},
		{"Terminating", q("Terminating"), "pods", deadline, true},
		{"Terminating, no deadline", q("Terminating"), "pods", be, false},
		{"NotTerminating", q("NotTerminating"), "pods", be, true},
		{"both", q("NotTerminating", "BestEffort"), "pods", deadline, false},
		{"selector DoesNotExist", sel, "pods", burst, true},
		{"selector DoesNotExist, best effort", sel, "pods", be, false},
	} {
		if got := Covers(tc.q, tc.res, tc.obj); got != tc.want {
			t.Errorf("%s: Covers = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAdmit(t *testing.T) {
	now := time.Now()
	quota := func(hard, used core.ResourceList) *core.ResourceQuota {
		return &core.ResourceQuota{ObjectMeta: meta.ObjectMeta{Name: "q"}, Spec: core.ResourceQuotaSpec{Hard: hard},
			Status: core.ResourceQuotaStatus{Hard: hard, Used: used}}
	}
	noStatus := quota(rl("pods", "2"), nil)
	noStatus.Status.Hard = nil
	init := pod("i", rl("cpu", "1"), nil)
	init.Spec.InitContainers = []core.Container{{Name: "setup"}}
	for _, tc := range []struct {
		name    string
		q       *core.ResourceQuota
		res     string
		obj     meta.Object
		want    string // the new status.used
		wantErr string
	}{
		{"charged", quota(rl("pods", "2"), rl("pods", "1")), "pods", pod("a", nil, nil), "pods=2", ""},
		{"exceeded", quota(rl("pods", "2"), rl("pods", "2")), "pods", pod("a", nil, nil), "<nil>",
			"exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"},
		{"exceeded cpu only", quota(rl("pods", "5", "requests.cpu", "1"), rl("pods", "1", "requests.cpu", "800m")), "pods",
			pod("a", rl("cpu", "500m"), nil), "<nil>", "exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=800m, limited: requests.cpu=1"},
		{"cpu charged", quota(rl("pods", "5", "requests.cpu", "1", "limits.cpu", "2"), rl("pods", "1", "requests.cpu", "0", "limits.cpu", "0")), "pods",
			pod("a", rl("cpu", "500m"), rl("cpu", "1")), "limits.cpu=1,pods=2,requests.cpu=500m", ""},
		{"must specify", quota(rl("requests.cpu", "1", "limits.memory", "1Gi"), rl("requests.cpu", "0", "limits.memory", "0")), "pods",
			pod("a", nil, nil), "<nil>", "failed quota: q: must specify limits.memory for: main; requests.cpu for: main"},
		{"must specify, init container", quota(rl("cpu", "2"), rl("cpu", "0")), "pods", init, "<nil>", "failed quota: q: must specify cpu for: setup"},
		{"status unknown", quota(rl("pods", "2"), nil), "pods", pod("a", nil, nil), "<nil>", "status unknown for quota: q, resources: pods"},
		{"not seen by the controller", noStatus, "pods", pod("a", nil, nil), "<nil>", ""},
		{"other kind", quota(rl("pods", "2"), rl("pods", "2")), "configmaps", &core.ConfigMap{}, "<nil>", ""},
		{"count", quota(rl("count/configmaps", "1", "pods", "1"), rl("count/configmaps", "0", "pods", "1")), "configmaps", &core.ConfigMap{}, "count/configmaps=1,pods=1", ""},
	} {
		got, err := Admit(tc.q, tc.res, tc.obj, now)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || str(got) != tc.want {
			t.Errorf("%s: used %s (%v), want %s", tc.name, str(got), err, tc.want)
		}
	}
}

func TestNamespaceUsage(t *testing.T) {
	done := pod("done", rl("cpu", "1"), nil)
	done.Status.Phase = core.PodSucceeded
	q := &core.ResourceQuota{Spec: core.ResourceQuotaSpec{Hard: rl("pods", "10", "requests.cpu", "4", "services", "2", "count/pods", "20")}}
	objs := map[string][]meta.Object{
		"pods":       {pod("a", rl("cpu", "500m"), nil), pod("b", rl("cpu", "250m"), nil), done},
		"services":   {&core.Service{}},
		"configmaps": {&core.ConfigMap{}},
	}
	got := NamespaceUsage(q, q.Spec.Hard, objs, time.Now())
	if want := "count/pods=3,pods=2,requests.cpu=750m,services=1"; str(got) != want {
		t.Errorf("usage %s, want %s", str(got), want)
	}
	empty := NamespaceUsage(q, q.Spec.Hard, nil, time.Now())
	if want := "count/pods=0,pods=0,requests.cpu=0,services=0"; str(empty) != want {
		t.Errorf("empty usage %s, want %s", str(empty), want)
	}
	if !reflect.DeepEqual(Tracked(q.Spec.Hard, "pods"), []core.ResourceName{"count/pods", "pods", "requests.cpu"}) ||
		!strings.Contains(strings.Join(Counted, ","), "secrets") {
		t.Errorf("Tracked(pods) = %v", Tracked(q.Spec.Hard, "pods"))
	}
}
