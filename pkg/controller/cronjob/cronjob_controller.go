// Package cronjob is the CronJob controller, as Kubernetes' cronjob
// controller (v2): at each time of a CronJob's schedule (in its timeZone,
// else the controller's zone) it creates a Job named
// <cronjob>-<minutes since the epoch> from the job template, lists the
// running ones in status.active, dates lastScheduleTime and
// lastSuccessfulTime, applies concurrencyPolicy, suspend and
// startingDeadlineSeconds, deletes finished jobs beyond the history limits,
// and syncs each CronJob again when its next run is due.
package cronjob

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "cronjob"

// Controller is the CronJob controller.
type Controller struct {
	cjLister  cache.Lister[*batch.CronJob]
	jobLister cache.Lister[*batch.Job]
	synced    []cache.InformerSynced
	recorder  record.EventRecorder
	queue     workqueue.RateLimitingInterface[string]
	logger    *zap.Logger
	now       func() time.Time

	// The apiserver calls; fields so tests can swap them.
	getCronJob   func(ctx context.Context, ns, name string) (*batch.CronJob, error)
	getJob       func(ctx context.Context, ns, name string) (*batch.Job, error)
	createJob    func(ctx context.Context, j *batch.Job) (*batch.Job, error)
	deleteJob    func(ctx context.Context, ns, name string) error
	updateStatus func(ctx context.Context, cj *batch.CronJob) error
}

// New wires the controller to the cronjob and job informers. now is the
// clock (time.Now when nil).
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, now func() time.Time, logger *zap.Logger) (*Controller, error) {
	if now == nil {
		now = time.Now
	}
	cjInf, jobInf := f.Batch().CronJobs(), f.Batch().Jobs()
	c := &Controller{
		cjLister: cjInf.Lister(), jobLister: jobInf.Lister(),
		synced:   []cache.InformerSynced{cjInf.Informer().HasSynced, jobInf.Informer().HasSynced},
		recorder: recorder,
		queue:    workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:   logger.With(zap.String("controller", Name)),
		now:      now,
		getCronJob: func(ctx context.Context, ns, name string) (*batch.CronJob, error) {
			return cs.BatchV1().CronJobs(ns).Get(ctx, name, meta.GetOptions{})
		},
		getJob: func(ctx context.Context, ns, name string) (*batch.Job, error) {
			return cs.BatchV1().Jobs(ns).Get(ctx, name, meta.GetOptions{})
		},
		createJob: func(ctx context.Context, j *batch.Job) (*batch.Job, error) {
			return cs.BatchV1().Jobs(j.Namespace).Create(ctx, j, meta.CreateOptions{})
		},
		deleteJob: func(ctx context.Context, ns, name string) error {
			bg := meta.DeletePropagationBackground
			return cs.BatchV1().Jobs(ns).Delete(ctx, name, meta.DeleteOptions{PropagationPolicy: &bg})
		},
		updateStatus: func(ctx context.Context, cj *batch.CronJob) error {
			_, err := cs.BatchV1().CronJobs(cj.Namespace).UpdateStatus(ctx, cj, meta.UpdateOptions{})
			return err
		},
	}
	if _, err := cjInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*batch.CronJob]{
		AddFunc:    c.enqueue,
		UpdateFunc: c.updateCronJob,
		DeleteFunc: controller.OnDelete(c.enqueue),
	}); err != nil {
		return nil, fmt.Errorf("cronjob handler: %w", err)
	}
	if _, err := jobInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*batch.Job]{
		AddFunc: c.enqueueOwner,
		UpdateFunc: func(old, cur *batch.Job) {
			c.enqueueOwner(cur)
			if o, n := old.ControllerRef(), cur.ControllerRef(); o != nil && (n == nil || o.UID != n.UID) {
				c.enqueueOwner(old)
			}
		},
		DeleteFunc: controller.OnDelete(c.enqueueOwner),
	}); err != nil {
		return nil, fmt.Errorf("cronjob job handler: %w", err)
	}
	return c, nil
}

func (c *Controller) enqueue(cj *batch.CronJob) { c.queue.Add(cj.GetObjectMeta().Key()) }

// updateCronJob syncs a changed CronJob now, and when its schedule or time
// zone changed, again at its next scheduled time.
func (c *Controller) updateCronJob(old, cur *batch.CronJob) {
	c.enqueue(cur)
	if old.Spec.Schedule == cur.Spec.Schedule && meta.PtrEqual(old.Spec.TimeZone, cur.Spec.TimeZone) {
		return
	}
	if sched, _ := Parse(cur); sched != nil {
		c.queue.AddAfter(cur.GetObjectMeta().Key(), NextRequeue(cur, c.now(), sched))
	}
}

// enqueueOwner queues the CronJob controlling j.
func (c *Controller) enqueueOwner(j *batch.Job) {
	if key, ok := controller.ControllerKey(c.cjLister, "CronJob", j); ok {
		c.queue.Add(key)
	}
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.sync, c.logger, c.synced...)
}

// jobsOf are the cached jobs cj controls.
func (c *Controller) jobsOf(cj *batch.CronJob) ([]*batch.Job, error) {
	all, err := c.jobLister.ByNamespace(cj.Namespace).List(nil)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	var out []*batch.Job
	for _, j := range all {
		if ref := j.ControllerRef(); ref != nil && ref.Kind == "CronJob" && ref.UID == cj.UID {
			out = append(out, j)
		}
	}
	return out, nil
}

func (c *Controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // a malformed key never becomes valid
	}
	cached, err := c.cjLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get cronjob %s: %w", key, err)
	}
	jobs, err := c.jobsOf(cached)
	if err != nil {
		return err
	}
	cj := meta.DeepCopy(cached)
	requeue, changed, syncErr := c.syncCronJob(ctx, cj, jobs)
	if c.cleanupHistory(ctx, cj, jobs) {
		changed = true
	}
	if changed {
		if err := c.writeStatus(ctx, cj); err != nil {
			return fmt.Errorf("update status of cronjob %s: %w", key, err)
		}
	}
	if requeue != nil {
		c.queue.AddAfter(key, *requeue)
		return nil
	}
	return syncErr
}

// statusConflictRetries bounds the re-reads of writeStatus, as client-go's
// retry.DefaultRetry bounds RetryOnConflict.
const statusConflictRetries = 5

// writeStatus writes cj's status. A conflict (the spec or metadata changed
// since the cache's copy) writes the same status onto the current object,
// up to statusConflictRetries times: a job this sync created must be
// listed, or the next sync would call it unexpected and, under Forbid, not
// count it.
func (c *Controller) writeStatus(ctx context.Context, cj *batch.CronJob) error {
	err := c.updateStatus(ctx, cj)
	for range statusConflictRetries {
		if !apierrors.IsConflict(err) {
			return err
		}
		fresh, gerr := c.getCronJob(ctx, cj.Namespace, cj.Name)
		if gerr != nil || fresh.UID != cj.UID {
			return err
		}
		fresh.Status = cj.Status
		err = c.updateStatus(ctx, fresh)
	}
	return err
}

// syncCronJob brings cj's status (in place) up to date with its jobs and
// starts the run that is due; it returns when to sync again, whether the
// status changed, and an error to retry on.
func (c *Controller) syncCronJob(ctx context.Context, cj *batch.CronJob, jobs []*batch.Job) (*time.Duration, bool, error) {
	obs := ObserveJobs(cj, jobs)
	if len(obs.Unexpected) > 0 {
		// The cache may hold new jobs before the status that lists them:
		// read the CronJob again before calling them unexpected.
		fresh, err := c.getCronJob(ctx, cj.Namespace, cj.Name)
		if err != nil {
			return nil, false, fmt.Errorf("get cronjob %s/%s: %w", cj.Namespace, cj.Name, err)
		}
		if fresh.UID == cj.UID && slices.ContainsFunc(obs.Unexpected, func(j *batch.Job) bool { return inActive(fresh, j.UID) }) {
			tm := cj.TypeMeta
			*cj = *fresh
			cj.TypeMeta = tm
			obs = ObserveJobs(cj, jobs)
		}
		for _, j := range obs.Unexpected {
			c.record(cj, UnexpectedJobEvent(j))
		}
	}
	c.record(cj, obs.Events...)
	changed := obs.Changed
	for _, r := range obs.NotCached {
		// The cache may not have a job this controller just created: ask
		// the apiserver before calling it missing.
		_, err := c.getJob(ctx, r.Namespace, r.Name)
		switch {
		case apierrors.IsNotFound(err):
			c.record(cj, MissingJob(cj, r))
			changed = true
		case err != nil:
			return nil, changed, fmt.Errorf("get job %s/%s: %w", r.Namespace, r.Name, err)
		}
	}

	d := Decide(cj, c.now())
	c.record(cj, d.Events...)
	if d.Create == nil {
		return d.RequeueAfter, changed, nil
	}
	if d.ReplaceActive {
		for _, r := range append([]core.ObjectReference(nil), cj.Status.Active...) {
			j, err := c.getJob(ctx, r.Namespace, r.Name)
			if err != nil {
				c.record(cj, warning("FailedGet", "Get job: %v", err))
				return nil, changed, fmt.Errorf("get job %s/%s to replace: %w", r.Namespace, r.Name, err)
			}
			if !c.removeJob(ctx, cj, j) {
				return nil, changed, fmt.Errorf("could not replace job %s/%s", j.Namespace, j.Name)
			}
			changed = true
		}
	}
	created, err := c.createJob(ctx, d.Create)
	switch {
	case apierrors.IsAlreadyExists(err):
		// The name is the lock of a scheduled time: the job was made
		// before (by this controller, whose status write was lost or is
		// not yet cached, or by someone else).
		existing, gerr := c.getJob(ctx, d.Create.Namespace, d.Create.Name)
		if gerr != nil {
			return nil, changed, fmt.Errorf("get existing job %s/%s: %w", d.Create.Namespace, d.Create.Name, gerr)
		}
		ref := existing.ControllerRef()
		if ref == nil || ref.UID != cj.UID || inActive(cj, existing.UID) {
			return nil, changed, nil
		}
		c.logger.Info("job already exists", zap.String("cronjob", cj.GetObjectMeta().Key()), zap.String("job", existing.Name))
		created = existing
	case err != nil:
		c.record(cj, warning("FailedCreate", "Error creating job: %v", err))
		return nil, changed, fmt.Errorf("create job %s/%s: %w", d.Create.Namespace, d.Create.Name, err)
	default:
		c.logger.Debug("created job", zap.String("cronjob", cj.GetObjectMeta().Key()), zap.String("job", created.Name),
			zap.Time("scheduledTime", d.ScheduledTime))
		c.record(cj, normal("SuccessfulCreate", "Created job %v", created.Name))
	}
	cj.Status.Active = append(cj.Status.Active, JobRef(created))
	t := meta.NewTime(d.ScheduledTime)
	cj.Status.LastScheduleTime = &t
	return d.RequeueAfter, true, nil
}

// cleanupHistory deletes the finished jobs beyond the history limits and
// reports whether the active list changed.
func (c *Controller) cleanupHistory(ctx context.Context, cj *batch.CronJob, jobs []*batch.Job) bool {
	changed := false
	for _, j := range HistoryVictims(cj, jobs) {
		if c.removeJob(ctx, cj, j) {
			changed = true
		}
	}
	return changed
}

// removeJob deletes j (its pods in the background) and drops it from the
// active list.
func (c *Controller) removeJob(ctx context.Context, cj *batch.CronJob, j *batch.Job) bool {
	err := c.deleteJob(ctx, j.Namespace, j.Name)
	if apierrors.IsNotFound(err) {
		// Already gone (a delete the cache has not seen yet).
		removeActive(cj, j.UID)
		return true
	}
	if err != nil {
		c.record(cj, warning("FailedDelete", "Deleted job: %v", err))
		c.logger.Info("delete job of cronjob failed", zap.String("cronjob", cj.GetObjectMeta().Key()),
			zap.String("job", j.Name), zap.Error(err))
		return false
	}
	removeActive(cj, j.UID)
	c.record(cj, normal("SuccessfulDelete", "Deleted job %v", j.Name))
	return true
}

func (c *Controller) record(cj *batch.CronJob, evs ...Event) {
	for _, e := range evs {
		c.recorder.Eventf(cj, e.Type, e.Reason, "%s", e.Message)
	}
}
