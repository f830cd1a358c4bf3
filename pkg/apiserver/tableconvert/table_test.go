package tableconvert

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/discovery"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/api/scheduling"
	"github.com/tinykube/tinykube/pkg/api/storage"
)

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-2 * time.Second, "<invalid>"},
		{-time.Millisecond, "0s"},
		{5 * time.Second, "5s"},
		{119 * time.Second, "119s"},
		{200 * time.Second, "3m20s"},
		{5 * time.Minute, "5m"},
		{15 * time.Minute, "15m"},
		{179 * time.Minute, "179m"},
		{5*time.Hour + 10*time.Minute, "5h10m"},
		{7 * time.Hour, "7h"},
		{26 * time.Hour, "26h"},
		{52 * time.Hour, "2d4h"},
		{72 * time.Hour, "3d"},
		{45 * 24 * time.Hour, "45d"},
		{(365*2 + 30) * 24 * time.Hour, "2y30d"},
		{365 * 9 * 24 * time.Hour, "9y"},
	} {
		if got := HumanDuration(tc.d); got != tc.want {
			t.Errorf("HumanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestPodStatus(t *testing.T) {
	now := meta.Now()
	running := core.ContainerState{Running: &core.ContainerStateRunning{}}
	for _, tc := range []struct {
		name string
		pod  core.Pod
		want string
	}{
		{"pending", core.Pod{Status: core.PodStatus{Phase: core.PodPending}}, "Pending"},
		{"waiting reason", core.Pod{Status: core.PodStatus{Phase: core.PodPending, ContainerStatuses: []core.ContainerStatus{
			{State: core.ContainerState{Waiting: &core.ContainerStateWaiting{Reason: "ContainerCreating"}}}}}}, "ContainerCreating"},
		{"crash loop", core.Pod{Status: core.PodStatus{Phase: core.PodRunning, ContainerStatuses: []core.ContainerStatus{
			{State: core.ContainerState{Waiting: &core.ContainerStateWaiting{Reason: "CrashLoopBackOff"}}}}}}, "CrashLoopBackOff"},
		{"running", core.Pod{Status: core.PodStatus{Phase: core.PodRunning, ContainerStatuses: []core.ContainerStatus{
			{Ready: true, State: running}}}}, "Running"},
		{"completed", core.Pod{Status: core.PodStatus{Phase: core.PodSucceeded, ContainerStatuses: []core.ContainerStatus{
			{State: core.ContainerState{Terminated: &core.ContainerStateTerminated{Reason: "Completed"}}}}}}, "Completed"},
		{"exit code", core.Pod{Status: core.PodStatus{Phase: core.PodFailed, ContainerStatuses: []core.ContainerStatus{
			{State: core.ContainerState{Terminated: &core.ContainerStateTerminated{ExitCode: 3}}}}}}, "ExitCode:3"},
		{"init waiting", core.Pod{Spec: core.PodSpec{InitContainers: []core.Container{{Name: "a"}, {Name: "b"}}},
			Status: core.PodStatus{Phase: core.PodPending, InitContainerStatuses: []core.ContainerStatus{
				{State: core.ContainerState{Terminated: &core.ContainerStateTerminated{}}},
				{State: running}}}}, "Init:1/2"},
		{"terminating", core.Pod{ObjectMeta: meta.ObjectMeta{DeletionTimestamp: &now},
			Status: core.PodStatus{Phase: core.PodRunning}}, "Terminating"},
	} {
		if got := PodStatus(&tc.pod); got != tc.want {
			t.Errorf("%s: PodStatus = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestConvertPodsTable(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default",
		CreationTimestamp: meta.NewTime(now.Add(-200 * time.Second))},
		Spec: core.PodSpec{NodeName: "n1", Containers: []core.Container{{Name: "c"}}},
		Status: core.PodStatus{Phase: core.PodRunning, PodIP: "10.0.0.5", ContainerStatuses: []core.ContainerStatus{
			{Name: "c", Ready: true, RestartCount: 2, State: core.ContainerState{Running: &core.ContainerStateRunning{}},
				LastTerminationState: core.ContainerState{Terminated: &core.ContainerStateTerminated{
					FinishedAt: meta.NewTime(now.Add(-5 * time.Minute))}}}}}}
	tbl, err := Convert("Pod", []meta.Object{p}, meta.ListMeta{ResourceVersion: "7"}, "", now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(tbl.Rows[0].Cells)
	if want := `["web","1/1","Running","2 (5m ago)","3m20s","10.0.0.5","n1","\u003cnone\u003e","\u003cnone\u003e"]`; string(b) != want {
		t.Errorf("cells = %s, want %s", b, want)
	}
	var pom PartialObjectMetadata
	if err := json.Unmarshal(tbl.Rows[0].Object, &pom); err != nil || pom.Kind != "PartialObjectMetadata" || pom.Name != "web" {
		t.Errorf("row object = %s (%v)", tbl.Rows[0].Object, err)
	}
	if tbl.Kind != "Table" || tbl.APIVersion != "meta.k8s.io/v1" || tbl.ListMeta.ResourceVersion != "7" {
		t.Errorf("table meta = %+v %+v", tbl.TypeMeta, tbl.ListMeta)
	}
}

func TestEveryPrinterMatchesItsColumns(t *testing.T) {
	now := time.Now()
	objs := map[string]meta.Object{
		"Pod": &core.Pod{}, "Node": &core.Node{}, "Namespace": &core.Namespace{}, "Service": &core.Service{},
		"Endpoints": &core.Endpoints{}, "ConfigMap": &core.ConfigMap{}, "Secret": &core.Secret{}, "Event": &core.Event{},
		"Deployment": &apps.Deployment{}, "ReplicaSet": &apps.ReplicaSet{}, "DaemonSet": &apps.DaemonSet{},
		"ControllerRevision": &apps.ControllerRevision{}, "StatefulSet": &apps.StatefulSet{}, "ServiceAccount": &core.ServiceAccount{},
		"Job": &batch.Job{}, "CronJob": &batch.CronJob{}, "Lease": &coordination.Lease{}, "PodDisruptionBudget": &policy.PodDisruptionBudget{},
		"PersistentVolume": &core.PersistentVolume{}, "PersistentVolumeClaim": &core.PersistentVolumeClaim{},
		"StorageClass": &storage.StorageClass{}, "CustomResourceDefinition": &apiextensions.CustomResourceDefinition{},
		"ResourceQuota": &core.ResourceQuota{}, "LimitRange": &core.LimitRange{},
	}
	objs["EndpointSlice"] = &discovery.EndpointSlice{}
	for kind, o := range networkingSamples {
		objs[kind] = o
	}
	objs["PriorityClass"], objs["HorizontalPodAutoscaler"] = &scheduling.PriorityClass{}, &autoscaling.HorizontalPodAutoscaler{}
	for kind, p := range printers {
		o, ok := objs[kind]
		if !ok {
			t.Errorf("%s: no sample object in the test", kind)
			continue
		}
		if got := len(p.Cells(o, now)); got != len(p.Columns) {
			t.Errorf("%s: %d cells for %d columns", kind, got, len(p.Columns))
		}
	}
}
