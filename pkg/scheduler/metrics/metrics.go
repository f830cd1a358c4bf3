// Package metrics holds the scheduler's Prometheus metrics, with
// kube-scheduler's names, registered on the default registry.
package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Results of a scheduling attempt.
const (
	ResultScheduled     = "scheduled"
	ResultUnschedulable = "unschedulable"
	ResultError         = "error"
)

var (
	// ScheduleAttempts counts attempts by result and profile.
	ScheduleAttempts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "scheduler_schedule_attempts_total",
		Help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
	}, []string{"result", "profile"})
	// SchedulingAttemptDuration is the decision time (algorithm only).
	SchedulingAttemptDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "scheduler_scheduling_attempt_duration_seconds",
		Help:    "Scheduling attempt latency in seconds (scheduling algorithm, without binding).",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2, 18),
	}, []string{"result", "profile"})
	// E2eSchedulingDuration is the attempt plus binding.
	E2eSchedulingDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "scheduler_e2e_scheduling_duration_seconds",
		Help:    "E2e scheduling latency in seconds (scheduling algorithm + binding).",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
	}, []string{"result", "profile"})
	// PendingPods is the number of pods per sub-queue.
	PendingPods = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "scheduler_pending_pods",
		Help: "Number of pending pods, by the queue type: 'active', 'backoff' or 'unschedulable'.",
	}, []string{"queue"})
)

var once sync.Once

// Register registers the metrics on the default registry (once).
func Register() {
	once.Do(func() {
		prometheus.MustRegister(ScheduleAttempts, SchedulingAttemptDuration, E2eSchedulingDuration, PendingPods)
	})
}

// pendingGauges caches PendingPods' children by queue: RecordPending runs
// three times per queue operation, and WithLabelValues hashes and checks
// the label each time.
var pendingGauges sync.Map // string -> prometheus.Gauge

// RecordPending sets scheduler_pending_pods{queue}.
func RecordPending(queue string, n int) {
	g, ok := pendingGauges.Load(queue)
	if !ok {
		g, _ = pendingGauges.LoadOrStore(queue, PendingPods.WithLabelValues(queue))
	}
	g.(prometheus.Gauge).Set(float64(n))
}
