package workqueue

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The Kubernetes workqueue metrics, labelled by queue name, registered once on
// the default prometheus registry the first time a named queue is made.
var (
	depthVec = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: "workqueue", Name: "depth",
		Help: "Current depth of workqueue.",
	}, []string{"name"})
	addsVec = prometheus.NewCounterVec(prometheus.CounterOpts{
		Subsystem: "workqueue", Name: "adds_total",
		Help: "Total number of adds handled by workqueue.",
	}, []string{"name"})
	queueDurationVec = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Subsystem: "workqueue", Name: "queue_duration_seconds",
		Help:    "How long in seconds an item stays in workqueue before being requested.",
		Buckets: prometheus.ExponentialBuckets(1e-8, 10, 10),
	}, []string{"name"})
	workDurationVec = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Subsystem: "workqueue", Name: "work_duration_seconds",
		Help:    "How long in seconds processing an item from workqueue takes.",
		Buckets: prometheus.ExponentialBuckets(1e-8, 10, 10),
	}, []string{"name"})
	retriesVec = prometheus.NewCounterVec(prometheus.CounterOpts{
		Subsystem: "workqueue", Name: "retries_total",
		Help: "Total number of retries handled by workqueue.",
	}, []string{"name"})
	unfinishedVec = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: "workqueue", Name: "unfinished_work_seconds",
		Help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.",
	}, []string{"name"})
	longestVec = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Subsystem: "workqueue", Name: "longest_running_processor_seconds",
		Help: "How many seconds has the longest running processor for workqueue been running.",
	}, []string{"name"})

	registerOnce sync.Once
)

func registerMetrics() {
	registerOnce.Do(func() {
		prometheus.MustRegister(depthVec, addsVec, queueDurationVec, workDurationVec,
			retriesVec, unfinishedVec, longestVec)
	})
}

// queueMetrics are one queue's children of the vectors. A nil *queueMetrics
// (an unnamed queue) records nothing.
type queueMetrics struct {
	depth         prometheus.Gauge
	adds          prometheus.Counter
	queueDuration prometheus.Observer
	workDuration  prometheus.Observer
	retries       prometheus.Counter
	unfinished    prometheus.Gauge
	longest       prometheus.Gauge
}

func newQueueMetrics(name string) *queueMetrics {
	if name == "" {
		return nil
	}
	registerMetrics()
	return &queueMetrics{
		depth:         depthVec.WithLabelValues(name),
		adds:          addsVec.WithLabelValues(name),
		queueDuration: queueDurationVec.WithLabelValues(name),
		workDuration:  workDurationVec.WithLabelValues(name),
		retries:       retriesVec.WithLabelValues(name),
		unfinished:    unfinishedVec.WithLabelValues(name),
		longest:       longestVec.WithLabelValues(name),
	}
}

func (m *queueMetrics) add() {
	if m != nil {
		m.adds.Inc()
	}
}

func (m *queueMetrics) retry() {
	if m != nil {
		m.retries.Inc()
	}
}

func (m *queueMetrics) setDepth(n int) {
	if m != nil {
		m.depth.Set(float64(n))
	}
}

func (m *queueMetrics) observeQueueDuration(d time.Duration) {
	if m != nil {
		m.queueDuration.Observe(d.Seconds())
	}
}

func (m *queueMetrics) observeWorkDuration(d time.Duration) {
	if m != nil {
		m.workDuration.Observe(d.Seconds())
	}
}

func (m *queueMetrics) setUnfinished(total, longest time.Duration) {
	if m != nil {
		m.unfinished.Set(total.Seconds())
		m.longest.Set(longest.Seconds())
	}
}
