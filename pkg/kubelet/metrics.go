package kubelet

import "github.com/prometheus/client_golang/prometheus"

// metrics are the kubelet's Prometheus metrics, registered on the registry
// the Config names (one per Kubelet, so tests may run several).
type metrics struct {
	runningPods       prometheus.GaugeFunc
	runningContainers prometheus.GaugeFunc
	podStartDuration  prometheus.Histogram
	podWorkerDuration *prometheus.HistogramVec
	nodeName          *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer, k *Kubelet) *metrics {
	m := &metrics{
		runningPods: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kubelet_running_pods",
			Help: "Number of pods that have a running container."}, func() float64 { p, _ := k.runningCounts(); return float64(p) }),
		runningContainers: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "kubelet_running_containers",
			Help: "Number of running containers."}, func() float64 { _, c := k.runningCounts(); return float64(c) }),
		podStartDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "kubelet_pod_start_duration_seconds",
			Help:    "Seconds from a pod's creation until all its containers first ran.",
			Buckets: []float64{0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 300, 600}}),
		podWorkerDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kubelet_pod_worker_duration_seconds",
			Help:    "Seconds one sync of a pod took, by operation (sync, terminate).",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)}, []string{"operation"}),
		nodeName: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kubelet_node_name",
			Help: "The node's name; the value is always 1."}, []string{"node"}),
	}
	reg.MustRegister(m.runningPods, m.runningContainers, m.podStartDuration, m.podWorkerDuration, m.nodeName)
	return m
}
