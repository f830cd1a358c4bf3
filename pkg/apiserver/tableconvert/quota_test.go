package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

func TestQuotaTables(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	created := meta.NewTime(now.Add(-5 * time.Minute))
	rl := func(kv ...string) core.ResourceList {
		l := core.ResourceList{}
		for i := 0; i < len(kv); i += 2 {
			l[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
		}
		return l
	}
	q := &core.ResourceQuota{ObjectMeta: meta.ObjectMeta{Name: "q", CreationTimestamp: created},
		Status: core.ResourceQuotaStatus{
			Hard: rl("pods", "10", "requests.cpu", "1", "limits.memory", "1Gi", "limits.cpu", "2"),
			Used: rl("pods", "1", "requests.cpu", "500m", "limits.cpu", "1")}}
	fresh := &core.ResourceQuota{ObjectMeta: meta.ObjectMeta{Name: "new", CreationTimestamp: created},
		Spec: core.ResourceQuotaSpec{Hard: rl("pods", "2")}}
	lr := &core.LimitRange{ObjectMeta: meta.ObjectMeta{Name: "limits", CreationTimestamp: created}}
	for _, tc := range []struct {
		kind string
		obj  meta.Object
		want []any
	}{
		{"ResourceQuota", q, []any{"q", "5m", "pods: 1/10, requests.cpu: 500m/1", "limits.cpu: 1/2, limits.memory: 0/1Gi"}},
		{"ResourceQuota", fresh, []any{"new", "5m", "", ""}},
		{"LimitRange", lr, []any{"limits", "2025-01-01T11:55:00Z"}},
	} {
		if got := For(tc.kind).Cells(tc.obj, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %s: cells = %#v, want %#v", tc.kind, tc.obj.GetObjectMeta().Name, got, tc.want)
		}
	}
}
