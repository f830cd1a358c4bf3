package cronjob

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testController is a Controller on plain caches whose apiserver is a map
// of jobs and a list of status writes.
type testController struct {
	*Controller
	cjs       cache.Indexer[*batch.CronJob]
	jobs      cache.Indexer[*batch.Job]
	server    map[string]*batch.Job // the apiserver's jobs by name
	created   []string
	deleted   []string
	writes    []*batch.CronJob
	createErr error
	conflicts int // status writes to refuse with a conflict
	events    *record.FakeRecorder
}

func newTestController(t *testing.T) *testController {
	t.Helper()
	tc := &testController{
		cjs:    cache.NewIndexer[*batch.CronJob](nil),
		jobs:   cache.NewIndexer[*batch.Job](nil),
		server: map[string]*batch.Job{},
		events: record.NewFakeRecorder(100),
	}
	tc.Controller = &Controller{
		cjLister:  cache.NewLister(tc.cjs, batch.GroupName, "cronjobs"),
		jobLister: cache.NewLister(tc.jobs, batch.GroupName, "jobs"),
		recorder:  tc.events,
		queue:     workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:    zap.NewNop(),
		now:       func() time.Time { return now },
		getCronJob: func(_ context.Context, ns, name string) (*batch.CronJob, error) {
			cj, ok, err := tc.cjs.GetByKey(ns + "/" + name)
			if err != nil || !ok {
				return nil, apierrors.NewNotFound(batch.GroupName, "cronjobs", name)
			}
			return meta.DeepCopy(cj), nil
		},
		getJob: func(_ context.Context, _, name string) (*batch.Job, error) {
			if j, ok := tc.server[name]; ok {
				return j, nil
			}
			return nil, apierrors.NewNotFound(batch.GroupName, "jobs", name)
		},
		createJob: func(_ context.Context, j *batch.Job) (*batch.Job, error) {
			if tc.createErr != nil {
				return nil, tc.createErr
			}
			if _, ok := tc.server[j.Name]; ok {
				return nil, apierrors.NewAlreadyExists(batch.GroupName, "jobs", j.Name)
			}
			cp := meta.DeepCopy(j)
			cp.UID = "uid-" + j.Name
			tc.server[j.Name] = cp
			tc.created = append(tc.created, j.Name)
			return cp, nil
		},
		deleteJob: func(_ context.Context, _, name string) error {
			if _, ok := tc.server[name]; !ok {
				return apierrors.NewNotFound(batch.GroupName, "jobs", name)
			}
			delete(tc.server, name)
			tc.deleted = append(tc.deleted, name)
			return nil
		},
		updateStatus: func(_ context.Context, cj *batch.CronJob) error {
			if tc.conflicts > 0 {
				tc.conflicts--
				return apierrors.NewConflict(batch.GroupName, "cronjobs", cj.Name, errors.New("stale"))
			}
			tc.writes = append(tc.writes, meta.DeepCopy(cj))
			return tc.cjs.Update(cj)
		},
	}
	t.Cleanup(tc.queue.ShutDown)
	return tc
}

func (tc *testController) addJob(t *testing.T, j *batch.Job) {
	t.Helper()
	j.OwnerReferences = []meta.OwnerReference{{APIVersion: batch.APIVersion, Kind: "CronJob", Name: "hello", UID: "cj-uid", Controller: meta.Ptr(true)}}
	tc.server[j.Name] = j
	if err := tc.jobs.Add(j); err != nil {
		t.Fatal(err)
	}
}

func (tc *testController) drainEvents() []string {
	var out []string
	for {
		select {
		case e := <-tc.events.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

func (tc *testController) lastWrite(t *testing.T) *batch.CronJob {
	t.Helper()
	if len(tc.writes) == 0 {
		t.Fatal("no status written")
	}
	return tc.writes[len(tc.writes)-1]
}

func TestSyncCreatesTheDueJob(t *testing.T) {
	tc := newTestController(t)
	cj := newCronJob("* * * * *", "2025-01-01T09:58:10Z")
	_ = tc.cjs.Add(cj)
	if err := tc.sync(context.Background(), "ns/hello"); err != nil {
		t.Fatal(err)
	}
	name := JobName(cj, at("2025-01-01T10:00:00Z"))
	if !slices.Equal(tc.created, []string{name}) {
		t.Fatalf("created %v", tc.created)
	}
	st := tc.lastWrite(t).Status
	if len(st.Active) != 1 || st.Active[0].Name != name || st.Active[0].UID != "uid-"+name || st.Active[0].Kind != "Job" ||
		!st.LastScheduleTime.Equal(at("2025-01-01T10:00:00Z")) {
		t.Errorf("status %+v", st)
	}
	if ev := tc.drainEvents(); len(ev) != 1 || ev[0] != "Normal SuccessfulCreate Created job "+name {
		t.Errorf("events %v", ev)
	}
	// Again with the status written but the job not yet cached: nothing
	// new (the apiserver still has the job).
	tc.writes = nil
	if err := tc.sync(context.Background(), "ns/hello"); err != nil {
		t.Fatal(err)
	}
	if len(tc.created) != 1 || len(tc.writes) != 0 {
		t.Errorf("second sync created %v wrote %d", tc.created, len(tc.writes))
	}
	if ev := tc.drainEvents(); len(ev) != 0 {
		t.Errorf("events %v", ev)
	}
}

func TestSyncStaleStatusFindsItsJob(t *testing.T) {
	// The job of 10:00 exists but the status write was lost: the name
	// conflict makes it active without a second job.
	tc := newTestController(t)
	cj := newCronJob("* * * * *", "2025-01-01T09:58:10Z")
	_ = tc.cjs.Add(cj)
	name := JobName(cj, at("2025-01-01T10:00:00Z"))
	tc.server[name] = &batch.Job{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", UID: "u1",
		OwnerReferences: []meta.OwnerReference{{Kind: "CronJob", Name: "hello", UID: "cj-uid", Controller: meta.Ptr(true)}}}}
	if err := tc.sync(context.Background(), "ns/hello"); err != nil {
		t.Fatal(err)
	}
	st := tc.lastWrite(t).Status
	if len(tc.created) != 0 || len(st.Active) != 1 || st.Active[0].UID != "u1" || st.LastScheduleTime == nil {
		t.Errorf("created %v status %+v", tc.created, st)
	}
	if ev := tc.drainEvents(); len(ev) != 0 {
		t.Errorf("events %v", ev)
	}
	// A job of that name someone else owns is left alone.
	tc2 := newTestController(t)
	_ = tc2.cjs.Add(newCronJob("* * * * *", "2025-01-01T09:58:10Z"))
	tc2.server[name] = &batch.Job{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", UID: "u2"}}
	if err := tc2.sync(context.Background(), "ns/hello"); err != nil || len(tc2.writes) != 0 {
		t.Errorf("foreign job: err %v writes %d", err, len(tc2.writes))
	}
}

func TestSyncCompletedJobAndHistory(t *testing.T) {
	tc := newTestController(t)
	cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
	cj.Spec.SuccessfulJobsHistoryLimit = meta.Ptr(int32(1))
	cj.Status.LastScheduleTime = mtime("2025-01-01T10:00:00Z")
	cj.Status.Active = []core.ObjectReference{{Kind: "Job", Namespace: "ns", Name: "new", UID: "u-new"}}
	_ = tc.cjs.Add(cj)
	tc.addJob(t, job("old", "u-old", batch.JobComplete, "2025-01-01T09:59:00Z", "2025-01-01T09:59:10Z"))
	tc.addJob(t, job("new", "u-new", batch.JobComplete, "2025-01-01T10:00:00Z", "2025-01-01T10:00:20Z"))
	if err := tc.sync(context.Background(), "ns/hello"); err != nil {
		t.Fatal(err)
	}
	st := tc.lastWrite(t).Status
	if len(st.Active) != 0 || !st.LastSuccessfulTime.Equal(at("2025-01-01T10:00:20Z")) {
		t.Errorf("status %+v", st)
	}
	if !slices.Equal(tc.deleted, []string{"old"}) {
		t.Errorf("deleted %v", tc.deleted)
	}
	ev := tc.drainEvents()
	if !slices.Equal(ev, []string{"Normal SawCompletedJob Saw completed job: new, condition: Complete", "Normal SuccessfulDelete Deleted job old"}) {
		t.Errorf("events %v", ev)
	}
}

func TestSyncReplaceAndMissing(t *testing.T) {
	tc := newTestController(t)
	cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
	cj.Spec.ConcurrencyPolicy = batch.ReplaceConcurrent
	cj.Status.LastScheduleTime = mtime("2025-01-01T09:59:00Z")
	cj.Status.Active = []core.ObjectReference{
		{Kind: "Job", Namespace: "ns", Name: "running", UID: "u-run"},
		{Kind: "Job", Namespace: "ns", Name: "vanished", UID: "u-gone"},
	}
	_ = tc.cjs.Add(cj)
	tc.addJob(t, job("running", "u-run", "", "2025-01-01T09:59:00Z", ""))
	if err := tc.sync(context.Background(), "ns/hello"); err != nil {
		t.Fatal(err)
	}
	name := JobName(cj, at("2025-01-01T10:00:00Z"))
	if !slices.Equal(tc.deleted, []string{"running"}) || !slices.Equal(tc.created, []string{name}) {
		t.Errorf("deleted %v created %v", tc.deleted, tc.created)
	}
	st := tc.lastWrite(t).Status
	if len(st.Active) != 1 || st.Active[0].Name != name {
		t.Errorf("active %+v", st.Active)
	}
	ev := tc.drainEvents()
	want := []string{"Normal MissingJob Active job went missing: vanished", "Normal SuccessfulDelete Deleted job running",
		"Normal SuccessfulCreate Created job " + name}
	if !slices.Equal(ev, want) {
		t.Errorf("events %v, want %v", ev, want)
	}
}

func TestSyncForbidAndUnexpected(t *testing.T) {
	tc := newTestController(t)
	cj := newCronJob("* * * * *", "2025-01-01T09:00:00Z")
	cj.Spec.ConcurrencyPolicy = batch.ForbidConcurrent
	cj.Status.LastScheduleTime = mtime("2025-01-01T09:59:00Z")
	_ = tc.cjs.Add(cj)
	tc.addJob(t, job("stray", "u-stray", "", "2025-01-01T09:59:00Z", ""))
	if err := tc.sync(context.Background(), "ns/hello"); err != nil {
		t.Fatal(err)
	}
	// The stray job is not active, so Forbid does not hold the run back.
	if len(tc.created) != 1 {
		t.Errorf("created %v", tc.created)
	}
	ev := tc.drainEvents()
	if len(ev) != 2 || !strings.HasPrefix(ev[0], "Warning UnexpectedJob Saw a job that the controller did not create or forgot: stray") {
		t.Errorf("events %v", ev)
	}
	// Now the new job is active and running: the next minute is skipped.
	created := tc.server[tc.created[0]]
	tc.addJob(t, created)
	tc.now = func() time.Time { return now.Add(time.Minute) }
	if err := tc.sync(context.Background(), "ns/hello"); err != nil {
		t.Fatal(err)
	}
	if len(tc.created) != 1 {
		t.Errorf("created under Forbid: %v", tc.created)
	}
	if ev := tc.drainEvents(); !slices.Contains(ev, "Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid") {
		t.Errorf("events %v", ev)
	}
}

func TestSyncCreateFailure(t *testing.T) {
	tc := newTestController(t)
	_ = tc.cjs.Add(newCronJob("* * * * *", "2025-01-01T09:58:10Z"))
	tc.createErr = errors.New("boom")
	if err := tc.sync(context.Background(), "ns/hello"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err %v", err)
	}
	if ev := tc.drainEvents(); len(ev) != 1 || ev[0] != "Warning FailedCreate Error creating job: boom" {
		t.Errorf("events %v", ev)
	}
	if len(tc.writes) != 0 {
		t.Errorf("status written")
	}
	// A deleted CronJob is a no-op.
	if err := tc.sync(context.Background(), "ns/other"); err != nil {
		t.Errorf("missing cronjob: %v", err)
	}
}

func TestEnqueueOwner(t *testing.T) {
	tc := newTestController(t)
	_ = tc.cjs.Add(newCronJob("* * * * *", "2025-01-01T09:00:00Z"))
	j := job("a", "u", "", "", "")
	tc.enqueueOwner(j) // no owner
	j.OwnerReferences = []meta.OwnerReference{{Kind: "CronJob", Name: "hello", UID: "other", Controller: meta.Ptr(true)}}
	tc.enqueueOwner(j) // another CronJob of that name
	if tc.queue.Len() != 0 {
		t.Fatalf("queued %d", tc.queue.Len())
	}
	j.OwnerReferences[0].UID = "cj-uid"
	tc.enqueueOwner(j)
	if k, _ := tc.queue.Get(); k != "ns/hello" {
		t.Errorf("queued %q", k)
	} else {
		tc.queue.Done(k)
	}
}

func TestSyncStatusConflictRetries(t *testing.T) {
	tc := newTestController(t)
	_ = tc.cjs.Add(newCronJob("* * * * *", "2025-01-01T09:58:10Z"))
	tc.conflicts = 1
	if err := tc.sync(context.Background(), "ns/hello"); err != nil {
		t.Fatal(err)
	}
	if st := tc.lastWrite(t).Status; len(tc.created) != 1 || len(st.Active) != 1 {
		t.Errorf("created %v status %+v", tc.created, st)
	}
	tc.conflicts = statusConflictRetries + 1
	tc.now = func() time.Time { return now.Add(time.Minute) }
	if err := tc.sync(context.Background(), "ns/hello"); !apierrors.IsConflict(err) {
		t.Errorf("%d conflicts: %v", tc.conflicts, err)
	}
}
