package apiserver

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight *prometheus.GaugeVec
	inqueue  *prometheus.GaugeVec
	watchers *prometheus.GaugeVec

	// observers caches the children of requests and duration per label
	// set (requestSeries), so a request does not hash its labels into the
	// vectors (WithLabelValues) every time.
	observers sync.Map // requestSeries -> *requestObservers
}

// requestSeries is the label values of a request's metrics but the code.
type requestSeries struct {
	verb, group, version, resource, subresource, scope string
}

// requestObservers are the metrics of one requestSeries.
type requestObservers struct {
	duration prometheus.Observer // nil for WATCH
	mu       sync.Mutex
	codes    map[int]prometheus.Counter // by HTTP code
}

// observe counts and times one resource request (watches are counted, not
// timed, as Kubernetes does).
func (m *metrics) observe(ri *RequestInfo, code int, elapsed time.Duration) {
	key := requestSeries{verb: ri.Verb, group: ri.Group, version: ri.Version, resource: ri.Resource,
		subresource: ri.Subresource, scope: ri.Scope()}
	o, ok := m.observers.Load(key)
	if !ok {
		obs := &requestObservers{codes: map[int]prometheus.Counter{}}
		if ri.Verb != "WATCH" { // a watch has no duration series
			obs.duration = m.duration.WithLabelValues(key.verb, key.group, key.version, key.resource, key.subresource, key.scope, "apiserver")
		}
		o, _ = m.observers.LoadOrStore(key, obs)
	}
	obs := o.(*requestObservers)
	obs.mu.Lock()
	c, ok := obs.codes[code]
	if !ok {
		c = m.requests.WithLabelValues(key.verb, key.group, key.version, key.resource, key.subresource, key.scope,
			"apiserver", strconv.Itoa(code))
		obs.codes[code] = c
	}
	obs.mu.Unlock()
	c.Inc()
	if obs.duration != nil {
		obs.duration.Observe(elapsed.Seconds())
	}
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
