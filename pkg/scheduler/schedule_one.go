package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	"github.com/tinykube/tinykube/pkg/scheduler/internal/queue"
	"github.com/tinykube/tinykube/pkg/scheduler/metrics"
)

// scheduleOne takes one pod from the queue and decides for it; it returns
// false once the queue is closed.
func (s *Scheduler) scheduleOne(ctx context.Context) bool {
	pInfo, err := s.queue.Pop()
	if err != nil {
		return false
	}
	if ctx.Err() != nil {
		return false
	}
	pod := pInfo.Pod
	if pod.DeletionTimestamp != nil || s.cache.IsAssumedPod(pod) {
		return true
	}
	start := time.Now()
	cycle := s.queue.SchedulingCycle()
	state := framework.NewCycleState()
	s.cache.UpdateSnapshot(s.snapshot)
	result, err := s.algo.schedulePod(ctx, s.fwk, state, pod, s.snapshot)
	if err != nil {
		s.recordAttempt(errorKind(err), start)
		s.handleSchedulingFailure(ctx, pInfo, err, cycle, s.runAsync(ctx))
		return true
	}
	// Assume: a shallow copy with the node set is enough, the cache never
	// changes pods.
	assumed := *pod
	assumed.Spec.NodeName = result.SuggestedHost
	if err := s.cache.AssumePod(&assumed); err != nil {
		s.recordAttempt(metrics.ResultError, start)
		s.handleSchedulingFailure(ctx, pInfo, fmt.Errorf("assume pod: %w", err), cycle, s.runAsync(ctx))
		return true
	}
	s.recordAttempt(metrics.ResultScheduled, start)
	if !s.async(ctx, func() { s.bind(ctx, state, pInfo, &assumed, start) }) {
		_ = s.cache.ForgetPod(&assumed)
	}
	return true
}

func (s *Scheduler) recordAttempt(result string, start time.Time) {
	if result == metrics.ResultScheduled {
		s.scheduledAttempts.Inc()
		s.scheduledAttemptDuration.Observe(time.Since(start).Seconds())
		return
	}
	metrics.ScheduleAttempts.WithLabelValues(result, s.name).Inc()
	metrics.SchedulingAttemptDuration.WithLabelValues(result, s.name).Observe(time.Since(start).Seconds())
}

// bind runs the PreBind plugins and posts the binding; on failure the
// assumed pod is forgotten and the pod requeued.
func (s *Scheduler) bind(ctx context.Context, state *framework.CycleState, pInfo *queue.QueuedPodInfo, assumed *core.Pod, start time.Time) {
	b := &core.Binding{
		ObjectMeta: meta.ObjectMeta{Namespace: assumed.Namespace, Name: assumed.Name, UID: assumed.UID},
		Target:     core.ObjectReference{Kind: "Node", Name: assumed.Spec.NodeName},
	}
	err := s.fwk.RunPreBindPlugins(ctx, state, pInfo.Pod, assumed.Spec.NodeName).AsError()
	if err == nil {
		err = s.client.Bind(ctx, b)
	}
	if err != nil {
		if ferr := s.cache.ForgetPod(assumed); ferr != nil {
			s.logger.Error("forget assumed pod", zap.Error(ferr))
		}
		metrics.E2eSchedulingDuration.WithLabelValues(metrics.ResultError, s.name).Observe(time.Since(start).Seconds())
		if ctx.Err() != nil {
			return
		}
		s.handleSchedulingFailure(ctx, pInfo, fmt.Errorf("binding rejected: %w", err), s.queue.SchedulingCycle(), runNow)
		return
	}
	if err := s.cache.FinishBinding(assumed); err != nil {
		s.logger.Error("finish binding", zap.Error(err))
	}
	s.scheduledE2eDuration.Observe(time.Since(start).Seconds())
	s.logger.Debug("bound pod", zap.String("pod", assumed.Namespace+"/"+assumed.Name), zap.String("node", assumed.Spec.NodeName))
	s.events.Eventf(assumed, core.EventTypeNormal, "Scheduled", "Successfully assigned %s/%s to %s",
		assumed.Namespace, assumed.Name, assumed.Spec.NodeName)
}

// handleSchedulingFailure requeues the pod (unless it is gone or bound
// meanwhile), emits a FailedScheduling event and sets PodScheduled=False;
// run executes the API writes (asynchronously from the scheduling loop, at
// once from a goroutine that already holds an in-flight slot).
func (s *Scheduler) handleSchedulingFailure(ctx context.Context, pInfo *queue.QueuedPodInfo, err error, cycle int64, run func(func())) {
	reason := core.PodReasonSchedulerError
	pInfo.UnschedulablePlugins = nil
	var fe *FitError
	switch {
	case errors.As(err, &fe):
		reason = core.PodReasonUnschedulable
		for p := range fe.Diagnosis.UnschedulablePlugins {
			pInfo.UnschedulablePlugins = append(pInfo.UnschedulablePlugins, p)
		}
		slices.Sort(pInfo.UnschedulablePlugins)
	case errors.Is(err, ErrNoNodesAvailable):
		reason = core.PodReasonUnschedulable
		pInfo.UnschedulablePlugins = []string{"NoNodes"}
	}
	pod := pInfo.Pod
	s.logger.Info("unable to schedule pod", zap.String("pod", pod.Namespace+"/"+pod.Name), zap.String("reason", reason), zap.Error(err))
	if s.getPod != nil {
		latest, ok := s.getPod(pod.Namespace, pod.Name)
		if !ok || latest.UID != pod.UID || latest.Spec.NodeName != "" {
			return // deleted, replaced or bound meanwhile
		}
		pInfo.Pod = latest
	}
	if qerr := s.queue.AddUnschedulableIfNotPresent(pInfo, cycle); qerr != nil {
		s.logger.Debug("requeue", zap.Error(qerr))
	}
	msg := err.Error()
	s.events.Eventf(pInfo.Pod, core.EventTypeWarning, "FailedScheduling", "%s", msg)
	s.setScheduledCondition(ctx, run, pInfo.Pod, reason, msg)
}

// setScheduledCondition sets PodScheduled=False with reason and message,
// unless the pod already says exactly that.
func (s *Scheduler) setScheduledCondition(ctx context.Context, run func(func()), pod *core.Pod, reason, msg string) {
	status := pod.Status
	status.Conditions = slices.Clone(pod.Status.Conditions)
	if !core.SetPodCondition(&status, core.PodCondition{
		Type: core.PodScheduled, Status: core.ConditionFalse, Reason: reason, Message: msg,
		LastProbeTime: lastProbeTime(pod),
	}) {
		return
	}
	// Only PodScheduled is sent: the others in our copy may be stale.
	_, scheduled := core.GetPodCondition(&status, core.PodScheduled)
	cond := *scheduled
	run(func() {
		if err := s.client.SetPodConditions(ctx, pod, []core.PodCondition{cond}); err != nil && ctx.Err() == nil {
			s.logger.Warn("set PodScheduled condition", zap.Error(err))
		}
	})
}

// lastProbeTime keeps the existing condition's probe time so a repeated
// identical failure is not a change.
func lastProbeTime(pod *core.Pod) meta.Time {
	if _, c := core.GetPodCondition(&pod.Status, core.PodScheduled); c != nil {
		return c.LastProbeTime
	}
	return meta.Time{}
}

// runNow runs fn on the calling goroutine.
func runNow(fn func()) { fn() }

// runAsync returns an executor that runs fn through s.async.
func (s *Scheduler) runAsync(ctx context.Context) func(func()) {
	return func(fn func()) { s.async(ctx, fn) }
}
