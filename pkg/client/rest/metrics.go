package rest

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Client-side request metrics under the names client-go exports.
var (
	requestsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rest_client_requests_total",
		Help: "Requests sent to the apiserver, by HTTP status code (or \"<error>\"), method and host.",
	}, []string{"code", "method", "host"})
	requestLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rest_client_request_duration_seconds",
		Help:    "Time from sending a request to the apiserver to its response headers, by verb and host.",
		Buckets: []float64{0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60},
	}, []string{"verb", "host"})
	rateLimiterLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rest_client_rate_limiter_duration_seconds",
		Help:    "Time requests waited in the client-side rate limiter, by verb and host.",
		Buckets: []float64{0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60},
	}, []string{"verb", "host"})
)

func init() { prometheus.MustRegister(requestsTotal, requestLatency, rateLimiterLatency) }

// observe records one attempt.
func (c *Client) observe(verb string, status int, err error, took time.Duration) {
	code := "<error>"
	if err == nil {
		code = strconv.Itoa(status)
	}
	requestsTotal.WithLabelValues(code, verb, c.base.Host).Inc()
	requestLatency.WithLabelValues(verb, c.base.Host).Observe(took.Seconds())
}
