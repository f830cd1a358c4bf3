// Package job is the Job controller: it runs a job's pods to completion
// (completions, parallelism), retries failures with exponential back-off up
// to backoffLimit (a podFailurePolicy may fail the job at once on a pod's
// failure, or leave the failure uncounted), enforces activeDeadlineSeconds,
// sets the Complete or Failed condition and the status counts, and deletes
// finished jobs after ttlSecondsAfterFinished. An Indexed job (completionMode Indexed) gets one
// pod per completion index 0..completions-1 at a time, and is complete when
// every index has succeeded (status.completedIndexes).
package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/workqueue"
	"github.com/tinykube/tinykube/pkg/controller"
)

// Name is the controller's name in --controllers.
const Name = "job"

// Controller is the Job controller.
type Controller struct {
	client       *clientset.Clientset
	jobLister    cache.Lister[*batch.Job]
	podLister    cache.Lister[*core.Pod]
	synced       []cache.InformerSynced
	podControl   controller.PodControl
	recorder     record.EventRecorder
	expectations *controller.Expectations
	queue        workqueue.RateLimitingInterface[string]
	logger       *zap.Logger
	now          func() time.Time
	// BackoffBase and BackoffMax space pod re-creations after failures.
	BackoffBase, BackoffMax time.Duration

	syncHandler controller.SyncFunc

	mu sync.Mutex
	// failuresSeen remembers, per job key, the failed count last seen and
	// when this controller first saw it. Guarded by mu.
	failuresSeen map[string]failureSeen
}

type failureSeen struct {
	failed int32
	at     time.Time
}

// observeFailures dates the latest failure no earlier than this controller
// saw it: pod timestamps have second precision, and a back-off measured
// from a truncated time would be cut short.
func (c *Controller) observeFailures(key string, counts *Counts, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec := c.failuresSeen[key]
	if counts.Failed > rec.failed {
		rec = failureSeen{failed: counts.Failed, at: now}
		c.failuresSeen[key] = rec
	}
	if counts.Failed > 0 && rec.at.After(counts.LastFailure) {
		counts.LastFailure = rec.at
	}
}

func (c *Controller) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.failuresSeen, key)
}

// New wires the controller to the job and pod informers.
func New(cs *clientset.Clientset, f informers.SharedInformerFactory, recorder record.EventRecorder, logger *zap.Logger) (*Controller, error) {
	jobInf, podInf := f.Batch().Jobs(), f.Core().Pods()
	c := &Controller{
		client: cs, jobLister: jobInf.Lister(), podLister: podInf.Lister(),
		synced:       []cache.InformerSynced{jobInf.Informer().HasSynced, podInf.Informer().HasSynced},
		podControl:   controller.RealPodControl{Client: cs, Recorder: recorder},
		recorder:     recorder,
		expectations: controller.NewExpectations(),
		queue:        workqueue.NewRateLimiting[string](Name, workqueue.DefaultControllerRateLimiter[string]()),
		logger:       logger.With(zap.String("controller", Name)),
		now:          time.Now,
		BackoffBase:  DefaultBackoffBase, BackoffMax: DefaultBackoffMax,
		failuresSeen: map[string]failureSeen{},
	}
	c.syncHandler = c.syncJob
	if _, err := jobInf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs[*batch.Job]{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, j *batch.Job) { c.enqueue(j) },
		DeleteFunc: controller.OnDelete(func(j *batch.Job) {
			c.expectations.Delete(j.GetObjectMeta().Key())
			c.forget(j.GetObjectMeta().Key())
		}),
	}); err != nil {
		return nil, fmt.Errorf("job handler: %w", err)
	}
	if _, err := podInf.Informer().AddEventHandler(c.podHandlers()); err != nil {
		return nil, fmt.Errorf("job pod handler: %w", err)
	}
	return c, nil
}

func (c *Controller) enqueue(j *batch.Job) { c.queue.Add(j.GetObjectMeta().Key()) }

// ownerKey is the key of the job controlling p.
func (c *Controller) ownerKey(p *core.Pod) (string, bool) {
	return controller.ControllerKey(c.jobLister, "Job", p)
}

// adopters are the keys of the jobs that may adopt the orphan p.
func (c *Controller) adopters(p *core.Pod) []string {
	return controller.AdopterKeys(c.jobLister, selectorOf, p)
}

// podHandlers queue a pod's job (its former one too when it was released)
// and, for an orphan that appears or changes labels, every job that may
// adopt it.
func (c *Controller) podHandlers() cache.ResourceEventHandlerFuncs[*core.Pod] {
	return controller.ControlledPodHandlers(c.queue, c.expectations, c.ownerKey, c.adopters)
}

// Run waits for the caches and runs workers until ctx ends.
func (c *Controller) Run(ctx context.Context, workers int) {
	controller.RunWhenSynced(ctx, c.queue, workers, c.syncHandler, c.logger, c.synced...)
}

// selectorOf is the job's selector, or its controller-uid label when the
// apiserver did not generate one.
func selectorOf(j *batch.Job) (labels.Selector, error) {
	if j.Spec.Selector != nil {
		return labels.LabelSelectorAsSelector(j.Spec.Selector)
	}
	return labels.SelectorFromSet(labels.Set{batch.ControllerUIDLabel: j.UID}), nil
}

func (c *Controller) syncJob(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	cached, err := c.jobLister.ByNamespace(ns).Get(name)
	if apierrors.IsNotFound(err) {
		c.expectations.Delete(key)
		return nil
	}
	if err != nil {
		return fmt.Errorf("get job %s: %w", key, err)
	}
	j := meta.DeepCopy(cached)
	if IsFinished(j) {
		return c.handleTTL(ctx, j, key)
	}
	if j.DeletionTimestamp != nil {
		return nil
	}
	selector, err := selectorOf(j)
	if err != nil {
		return nil
	}
	pods, err := c.claimPods(ctx, j, selector)
	if err != nil {
		return err
	}
	now := c.now()
	if j.Status.StartTime == nil {
		t := meta.NewTime(now.UTC().Truncate(time.Second))
		j.Status.StartTime = &t
	}
	counts := c.countPods(j, pods)
	c.observeFailures(key, &counts, now)
	d := Decide(ParamsOf(j, c.BackoffBase, c.BackoffMax), counts, j.Status.StartTime.Time, now)
	var manageErr error
	if c.expectations.Satisfied(key) || d.Finish != "" {
		manageErr = c.manage(ctx, j, key, pods, counts, d)
	}
	if d.RequeueAfter > 0 {
		c.queue.AddAfter(key, d.RequeueAfter)
	}
	if d.Finish != "" && manageErr != nil {
		// Not finished until its pods are stopped: a finished job is not
		// looked at again.
		return manageErr
	}
	return errors.Join(manageErr, c.writeStatus(ctx, cached, j, counts, d, now))
}

// countPods counts the job's pods, by completion index when it is Indexed
// (keeping the indexes its status already lists as completed).
func (c *Controller) countPods(j *batch.Job, pods []*core.Pod) Counts {
	if !batch.IsIndexed(j) || j.Spec.Completions == nil {
		return CountPods(pods, j.Spec.PodFailurePolicy)
	}
	done, err := batch.ParseIndexSet(j.Status.CompletedIndexes, *j.Spec.Completions)
	if err != nil {
		c.logger.Warn("ignoring unparsable completedIndexes", zap.String("job", j.GetObjectMeta().Key()),
			zap.String("completedIndexes", j.Status.CompletedIndexes), zap.Error(err))
	}
	return CountIndexedPods(pods, *j.Spec.Completions, done, j.Spec.PodFailurePolicy)
}

func (c *Controller) claimPods(ctx context.Context, j *batch.Job, selector labels.Selector) ([]*core.Pod, error) {
	all, err := c.podLister.ByNamespace(j.Namespace).List(nil)
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	rm := &controller.RefManager[*core.Pod]{
		Owner: j, Ref: meta.NewControllerRef(j, batch.APIVersion, "Job"), Selector: selector,
		CanAdopt: controller.RecheckOwner(j.UID, func(ctx context.Context) (*batch.Job, error) {
			return c.client.BatchV1().Jobs(j.Namespace).Get(ctx, j.Name, meta.GetOptions{})
		}),
		Update: func(ctx context.Context, p *core.Pod) error {
			_, err := c.client.CoreV1().Pods(p.Namespace).Update(ctx, p, meta.UpdateOptions{})
			return err
		},
	}
	claimed, err := rm.Claim(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("claim pods of job %s: %w", j.Name, err)
	}
	return claimed, nil
}

// manage deletes and creates pods as d says. Deletions take an Indexed
// job's surplus pods first, then the least valuable active pods; an Indexed
// job's pods are made for the indexes d names.
func (c *Controller) manage(ctx context.Context, j *batch.Job, key string, pods []*core.Pod, counts Counts, d Decision) error {
	victims := deletionVictims(pods, counts.Indexed, int(d.Delete))
	if d.Create == 0 && len(victims) == 0 {
		return nil
	}
	keys := make([]string, len(victims))
	for i, p := range victims {
		keys[i] = p.GetObjectMeta().Key()
	}
	c.expectations.Expect(key, int(d.Create), keys)
	var errs []error
	for _, p := range victims {
		if err := c.podControl.DeletePod(ctx, p.Namespace, p.Name, j); err != nil {
			c.expectations.DeletionObserved(key, p.GetObjectMeta().Key())
			if !apierrors.IsNotFound(err) {
				errs = append(errs, err)
			}
		}
	}
	if d.Create > 0 {
		errs = append(errs, c.createPods(ctx, j, key, d))
	}
	return errors.Join(errs...)
}

// createPods creates d.Create pods from the job's template, one per index
// of d.CreateIndexes for an Indexed job.
func (c *Controller) createPods(ctx context.Context, j *batch.Job, key string, d Decision) error {
	tmpl := meta.DeepCopy(j.Spec.Template)
	tmpl.Labels = maps.Clone(tmpl.Labels)
	if tmpl.Labels == nil {
		tmpl.Labels = map[string]string{}
	}
	tmpl.Labels[batch.ControllerUIDLabel] = j.UID
	tmpl.Labels[batch.JobNameLabel] = j.Name
	ref := meta.NewControllerRef(j, batch.APIVersion, "Job")
	indexes := make(chan int32, len(d.CreateIndexes))
	for _, i := range d.CreateIndexes {
		indexes <- i
	}
	close(indexes)
	ok, err := controller.SlowStartBatch(int(d.Create), 1, func() error {
		if len(d.CreateIndexes) == 0 {
			_, err := c.podControl.CreatePod(ctx, j.Namespace, &tmpl, j, &ref)
			return err
		}
		i := <-indexes
		_, err := c.podControl.CreatePodWithGenerateName(ctx, j.Namespace, indexedTemplate(j, &tmpl, i), j, &ref, indexedGenerateName(j.Name, i))
		return err
	})
	for range int(d.Create) - ok {
		c.expectations.CreationObserved(key)
	}
	return err
}

// deletionVictims are the n active pods to delete: an Indexed job's
// surplus first, then the least valuable of the others.
func deletionVictims(pods []*core.Pod, ix *IndexedPods, n int) []*core.Pod {
	if n <= 0 {
		return nil
	}
	var victims []*core.Pod
	surplus := map[*core.Pod]bool{}
	if ix != nil {
		victims = append(victims, ix.Surplus[:min(n, len(ix.Surplus))]...)
		for _, p := range ix.Surplus {
			surplus[p] = true
		}
	}
	var rest []*core.Pod
	for _, p := range pods {
		if isActive(p) && !surplus[p] {
			rest = append(rest, p)
		}
	}
	controller.SortForDeletion(rest)
	return append(victims, rest[:min(n-len(victims), len(rest))]...)
}

// writeStatus writes counts, start/completion time and a terminal condition
// (Failed preceded by FailureTarget).
func (c *Controller) writeStatus(ctx context.Context, cached, j *batch.Job, counts Counts, d Decision, now time.Time) error {
	st := &j.Status
	st.Active, st.Succeeded, st.Failed = counts.Active, counts.Succeeded, counts.Failed
	st.Ready = meta.Ptr(counts.Ready)
	if counts.Indexed != nil {
		st.CompletedIndexes = counts.Indexed.Completed.String()
	}
	if d.Finish != "" {
		st.Active = max(counts.Active-d.Delete, 0)
		ts := meta.NewTime(now.UTC().Truncate(time.Second))
		if d.Finish == batch.JobFailed {
			// Kubernetes (1.31) puts FailureTarget first and Failed once the
			// pods are gone; pods here carry no tracking finalizers and the
			// job is not looked at again once Failed, so both go in the same
			// write, after the active pods' deletion was accepted.
			st.Conditions = append(st.Conditions, batch.JobCondition{Type: batch.JobFailureTarget, Status: core.ConditionTrue,
				Reason: d.Reason, Message: d.Msg, LastProbeTime: ts, LastTransitionTime: ts})
		}
		st.Conditions = append(st.Conditions, batch.JobCondition{Type: d.Finish, Status: core.ConditionTrue,
			Reason: d.Reason, Message: d.Msg, LastProbeTime: ts, LastTransitionTime: ts})
		if d.Finish == batch.JobComplete {
			st.CompletionTime = &ts
			c.recorder.Eventf(j, core.EventTypeNormal, "Completed", "Job completed")
		} else {
			c.recorder.Eventf(j, core.EventTypeWarning, d.Reason, "%s", d.Msg)
		}
	}
	if equalStatus(cached.Status, j.Status) {
		return nil
	}
	if _, err := c.client.BatchV1().Jobs(j.Namespace).UpdateStatus(ctx, j, meta.UpdateOptions{}); err != nil {
		return fmt.Errorf("update status of job %s: %w", j.Name, err)
	}
	return nil
}

// equalStatus compares two statuses as they would be stored.
func equalStatus(a, b batch.JobStatus) bool {
	x, errX := json.Marshal(a)
	y, errY := json.Marshal(b)
	return errX == nil && errY == nil && bytes.Equal(x, y)
}

// handleTTL deletes a finished job once its ttlSecondsAfterFinished passed
// (its pods go with it, in the background).
func (c *Controller) handleTTL(ctx context.Context, j *batch.Job, key string) error {
	at, ok := TTLExpiry(j)
	if !ok {
		return nil
	}
	if wait := at.Sub(c.now()); wait > 0 {
		c.queue.AddAfter(key, wait)
		return nil
	}
	policy := meta.DeletePropagationBackground
	err := c.client.BatchV1().Jobs(j.Namespace).Delete(ctx, j.Name, meta.DeleteOptions{
		PropagationPolicy: &policy, Preconditions: &meta.Preconditions{UID: &j.UID}})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete finished job %s: %w", key, err)
	}
	return nil
}
