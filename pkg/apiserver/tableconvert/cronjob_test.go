package tableconvert

import (
	"reflect"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestCronJobTable(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	created := meta.NewTime(now.Add(-5 * time.Minute))
	last := meta.NewTime(now.Add(-40 * time.Second))
	p := For("CronJob")
	var names []string
	for _, c := range p.Columns {
		if c.Priority == 0 {
			names = append(names, c.Name)
		}
	}
	if want := []string{"Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("columns = %v, want %v", names, want)
	}
	tmpl := batch.JobTemplateSpec{Spec: batch.JobSpec{Template: core.PodTemplateSpec{Spec: core.PodSpec{
		Containers: []core.Container{{Name: "hello", Image: "busybox"}}}}}}
	for _, tc := range []struct {
		name string
		c    *batch.CronJob
		want []any
	}{
		{"scheduled", &batch.CronJob{ObjectMeta: meta.ObjectMeta{Name: "a", CreationTimestamp: created},
			Spec:   batch.CronJobSpec{Schedule: "*/1 * * * *", TimeZone: meta.Ptr("Europe/Paris"), Suspend: meta.Ptr(false), JobTemplate: tmpl},
			Status: batch.CronJobStatus{Active: []core.ObjectReference{{Name: "a-1"}, {Name: "a-2"}}, LastScheduleTime: &last}},
			[]any{"a", "*/1 * * * *", "Europe/Paris", "False", int64(2), "40s", "5m", "hello", "busybox", "<none>"}},
		{"never scheduled, suspended", &batch.CronJob{ObjectMeta: meta.ObjectMeta{Name: "b", CreationTimestamp: created},
			Spec: batch.CronJobSpec{Schedule: "@hourly", Suspend: meta.Ptr(true), JobTemplate: tmpl}},
			[]any{"b", "@hourly", "<none>", "True", int64(0), "<none>", "5m", "hello", "busybox", "<none>"}},
		{"suspend unset", &batch.CronJob{ObjectMeta: meta.ObjectMeta{Name: "c"}, Spec: batch.CronJobSpec{Schedule: "0 0 * * *"}},
			[]any{"c", "0 0 * * *", "<none>", "<unset>", int64(0), "<none>", "<unknown>", "", "", "<none>"}},
	} {
		if got := p.Cells(tc.c, now); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: cells = %#v, want %#v", tc.name, got, tc.want)
		}
	}
}
