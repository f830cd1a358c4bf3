// Package metrics holds the storage layer's Prometheus metrics, registered
// once with the default registry (prometheus.DefaultRegisterer) when the
// package is imported, under the names kube-apiserver uses.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	// EtcdRequestDuration is etcd_request_duration_seconds{operation,type}:
	// operation is get, list, create, update, delete, count, compact; type is
	// the qualified resource ("pods", "deployments.apps").
	EtcdRequestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "etcd_request_duration_seconds",
		Help:    "Etcd request latency in seconds for each operation and object type.",
		Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"operation", "type"})

	// StorageObjects is apiserver_storage_objects{resource}: objects stored
	// per resource, kept current by the watch cache.
	StorageObjects = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "apiserver_storage_objects",
		Help: "Number of stored objects at the time of last check split by kind.",
	}, []string{"resource"})

	// RegisteredWatchers is apiserver_registered_watchers{group,kind}, kind
	// being the resource name as in kube-apiserver.
	RegisteredWatchers = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "apiserver_registered_watchers",
		Help: "Number of currently registered watchers for a given resource.",
	}, []string{"group", "kind"})

	// EtcdWatches is apiserver_storage_etcd_watches{resource}: etcd watches
	// held by the watch cache of a resource (one while it runs).
	EtcdWatches = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "apiserver_storage_etcd_watches",
		Help: "Number of etcd watches held by the watch cache of a resource.",
	}, []string{"resource"})

	// WatchCacheEvents is apiserver_watch_cache_events_received_total{resource}.
	WatchCacheEvents = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apiserver_watch_cache_events_received_total",
		Help: "Counter of events received by the watch cache, by resource.",
	}, []string{"resource"})

	// TerminatedWatchers is apiserver_terminated_watchers_total{resource}:
	// watchers closed because they could not keep up.
	TerminatedWatchers = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apiserver_terminated_watchers_total",
		Help: "Counter of watchers closed due to unresponsiveness, by resource.",
	}, []string{"resource"})
)

func init() {
	prometheus.MustRegister(EtcdRequestDuration, StorageObjects, RegisteredWatchers,
		EtcdWatches, WatchCacheEvents, TerminatedWatchers)
}

// ObserveEtcd records the duration of one etcd request since start.
func ObserveEtcd(operation, typ string, start time.Time) {
	EtcdRequestDuration.WithLabelValues(operation, typ).Observe(time.Since(start).Seconds())
}
