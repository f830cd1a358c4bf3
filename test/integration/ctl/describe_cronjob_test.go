package ctl

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

const describeCronJobYAML = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
  namespace: demo
  labels: {app: hello}
spec:
  schedule: "*/5 * * * *"
  timeZone: Etc/UTC
  startingDeadlineSeconds: 200
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      parallelism: 2
      activeDeadlineSeconds: 60
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: hello
            image: busybox
            command: [date]
`

// TestDescribeCronJobMatchesKubectl: ctl describe cj prints the lines the
// real kubectl's describe cronjob prints, for a CronJob with a status
// (last schedule time, two active jobs) and an event.
func TestDescribeCronJobMatchesKubectl(t *testing.T) {
	bin := findKubectl(t)
	t.Setenv("TZ", "UTC") // kubectl prints times in the local zone, ctl in UTC
	c := startCluster(t)
	k := kubectlRunner{bin: bin, kubeconfig: c.kubeconfig, cacheDir: t.TempDir()}
	ctx := context.Background()
	if _, err := c.cs.CoreV1().Namespaces().Create(ctx, &core.Namespace{ObjectMeta: meta.ObjectMeta{Name: "demo"}}, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	contains(t, "create", k.run(t, describeCronJobYAML, "create", "-f", "-").out, "cronjob.batch/hello created")
	cjs := c.cs.BatchV1().CronJobs("demo")
	cj, err := cjs.Get(ctx, "hello", meta.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	last := meta.NewTime(time.Date(2025, 3, 1, 10, 5, 0, 0, time.UTC))
	cj.Status = batch.CronJobStatus{LastScheduleTime: &last, Active: []core.ObjectReference{
		{APIVersion: "batch/v1", Kind: "Job", Namespace: "demo", Name: "hello-29012345"},
		{APIVersion: "batch/v1", Kind: "Job", Namespace: "demo", Name: "hello-29012350"}}}
	if _, err := cjs.UpdateStatus(ctx, cj, meta.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// An event three days and a half hour old: both print its age as 3d.
	at := meta.NewTime(time.Now().Add(-72*time.Hour - 30*time.Minute))
	ev := &core.Event{ObjectMeta: meta.ObjectMeta{Name: "hello.1", Namespace: "demo"},
		InvolvedObject: core.ObjectReference{APIVersion: "batch/v1", Kind: "CronJob", Namespace: "demo", Name: "hello", UID: cj.UID},
		Type:           core.EventTypeNormal, Reason: "SuccessfulCreate", Message: "Created job hello-29012350",
		Source: core.EventSource{Component: "cronjob-controller"}, FirstTimestamp: at, LastTimestamp: at, Count: 1}
	if _, err := c.cs.CoreV1().Events("demo").Create(ctx, ev, meta.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	want := k.must(t, "-n", "demo", "describe", "cronjob", "hello")
	got := c.mustCtl(t, "-n", "demo", "describe", "cj", "hello")
	// Byte for byte, pod template (kubectl's DescribePodTemplate) included.
	if got != want {
		t.Errorf("ctl describe cj differs from kubectl describe cronjob:\nctl:\n%s\nkubectl:\n%s", got, want)
	}
	// kubectl 1.32 prints no Time Zone line even when spec.timeZone is set.
	if strings.Contains(want, "Time Zone") || strings.Contains(got, "Time Zone") {
		t.Errorf("a Time Zone line:\nkubectl:\n%s\nctl:\n%s", want, got)
	}
}
