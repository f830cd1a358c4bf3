package apiserver

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight *prometheus.GaugeVec
	inqueue  *prometheus.GaugeVec
	watchers *prometheus.GaugeVec
}

var requestLabels = []string{"verb", "group", "version", "resource", "subresource", "scope", "component"}

func newMetrics() *metrics {
	return &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "apiserver_request_total",
			Help: "Counter of apiserver requests broken out by verb, group, version, resource, subresource, scope, component and HTTP code.",
		}, append(append([]string{}, requestLabels...), "code")),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "apiserver_request_duration_seconds",
			Help:    "Response latency distribution in seconds by verb, group, version, resource, subresource, scope and component.",
			Buckets: []float64{0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60},
		}, requestLabels),
		inflight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_current_inflight_requests",
			Help: "Number of requests in flight, by request kind (readOnly or mutating).",
		}, []string{"request_kind"}),
		inqueue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_current_inqueue_requests",
			Help: "Number of requests waiting for an in-flight slot, by request kind (readOnly or mutating).",
		}, []string{"request_kind"}),
		watchers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "apiserver_longrunning_requests",
			Help: "Gauge of all active long-running apiserver requests (watches) by verb, group, version, resource, subresource, scope and component.",
		}, requestLabels),
	}
}

// registerMetrics registers the HTTP metrics; registering again on the same
// registerer (a restarted server in one process) reuses the first collectors.
func registerMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := newMetrics()
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.inflight, err = register(reg, m.inflight); err != nil {
		return nil, err
	}
	if m.inqueue, err = register(reg, m.inqueue); err != nil {
		return nil, err
	}
	if m.watchers, err = register(reg, m.watchers); err != nil {
		return nil, err
	}
	return m, nil
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		var zero C
		return zero, fmt.Errorf("register metric: %w", err)
	}
	return c, nil
}

func errField(err error) zap.Field { return zap.Error(err) }
