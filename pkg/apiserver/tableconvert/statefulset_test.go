package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestStatefulSetTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	p := For("StatefulSet")
	var names []string
	var wideNames []string
	for _, c := range p.Columns {
		if c.Priority == 0 {
			names = append(names, c.Name)
		} else {
			wideNames = append(wideNames, c.Name)
		}
	}
	if want := []string{"Name", "Ready", "Age"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("columns = %v, want %v", names, want)
	}
	if want := []string{"Containers", "Images"}; !reflect.DeepEqual(wideNames, want) {
		t.Fatalf("wide columns = %v, want %v", wideNames, want)
	}
	ss := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "web", CreationTimestamp: meta.NewTime(now.Add(-5 * time.Minute))},
		Spec: apps.StatefulSetSpec{Replicas: meta.Ptr(int32(3)), Template: core.PodTemplateSpec{Spec: core.PodSpec{
			Containers: []core.Container{{Name: "nginx", Image: "nginx:1"}, {Name: "side", Image: "busybox"}}}}},
		Status: apps.StatefulSetStatus{ReadyReplicas: 2}}
	want := []any{"web", "2/3", "5m", "nginx,side", "nginx:1,busybox"}
	if got := p.Cells(ss, now); !reflect.DeepEqual(got, want) {
		t.Errorf("cells = %#v, want %#v", got, want)
	}
}
