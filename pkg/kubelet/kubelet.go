// Package kubelet is the node agent: it registers its Node (or, with the
// simulated runtime, many), renews their Leases, runs the pods bound to them
// through a runtime with one worker per pod, probes their containers,
// reports pod status and events, and serves /pods, /containerLogs, /healthz
// and /metrics.
package kubelet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/kubelet/prober"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
	"github.com/tinykube/tinykube/pkg/kubelet/volume"
)

// Version is reported as the node's kubeletVersion.
const Version = "v1.31.0-tinykube"

// Config is everything a Kubelet needs; cmd/kubelet fills it from flags.
type Config struct {
	Client  *clientset.Clientset
	Runtime runtime.Runtime
	// Volumes sets up pods' volumes and their containers' mounts; nil
	// (the simulated runtime): volumes are accepted and ignored.
	Volumes *volume.Manager
	// NodeNames are the nodes this kubelet serves: one, or N simulated.
	NodeNames []string
	// NodeIP (--node-ip) is the nodes' InternalIP, the pods' hostIP and (host network)
	// podIP.
	NodeIP string
	// Port is the kubelet's HTTP port as advertised in the Node
	// (daemonEndpoints.kubeletEndpoint); the caller serves Handler there.
	Port       int
	NodeLabels map[string]string
	Taints     []core.Taint
	// Capacity is the nodes' capacity and allocatable (cpu, memory, pods).
	Capacity core.ResourceList
	// NodeStatusUpdateFrequency is how often node status is computed and,
	// when changed or older than NodeStatusReportFrequency, written
	// (default 10s; NodeStatusReportFrequency defaults to it here, and the
	// command's flags to Kubernetes' 5m: see Options.StatusReportFrequency).
	NodeStatusUpdateFrequency time.Duration
	NodeStatusReportFrequency time.Duration
	NodeLeaseDurationSeconds  int32
	// Backoff is the container restart back-off (default 10s..5m).
	Backoff *Backoff
	// PodResync is how often each pod worker syncs without a trigger (1s).
	PodResync time.Duration
	Logger    *zap.Logger
	// Registerer gets the kubelet's metrics (default: a new registry).
	Registerer prometheus.Registerer
}

// Kubelet runs pods of its nodes. Build with New, then Run.
type Kubelet struct {
	cfg       Config
	client    *clientset.Clientset
	runtime   runtime.Runtime
	volumes   *volume.Manager
	log       *zap.Logger
	backoff   *Backoff
	recorder  *record.Recorder
	metrics   *metrics
	nodes     map[string]bool
	workersMu sync.Mutex
	workers   *podWorkers
	probes    *prober.Manager
	pods      cache.SharedIndexInformer[*core.Pod]
	// serviceEnv is every container's `kubernetes` Service environment
	// (masterServiceEnv of the apiserver the client talks to).
	serviceEnv []core.EnvVar
	// statusWrites holds a slot per pod status write in flight
	// (maxStatusWritesInFlight).
	statusWrites chan struct{}
}

// New checks cfg and fills defaults.
func New(cfg Config) (*Kubelet, error) {
	if cfg.Client == nil || cfg.Runtime == nil || len(cfg.NodeNames) == 0 {
		return nil, errors.New("kubelet: client, runtime and node names are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	if cfg.NodeStatusUpdateFrequency <= 0 {
		cfg.NodeStatusUpdateFrequency = 10 * time.Second
	}
	if cfg.NodeStatusReportFrequency <= 0 {
		cfg.NodeStatusReportFrequency = cfg.NodeStatusUpdateFrequency
	}
	if cfg.NodeLeaseDurationSeconds <= 0 {
		cfg.NodeLeaseDurationSeconds = 40
	}
	if cfg.Backoff == nil {
		cfg.Backoff = NewBackoff(0, 0, 0)
	}
	if cfg.PodResync <= 0 {
		cfg.PodResync = time.Second
	}
	if cfg.Registerer == nil {
		cfg.Registerer = prometheus.NewRegistry()
	}
	k := &Kubelet{cfg: cfg, client: cfg.Client, runtime: cfg.Runtime, volumes: cfg.Volumes, log: cfg.Logger, backoff: cfg.Backoff,
		nodes: map[string]bool{}, statusWrites: make(chan struct{}, maxStatusWritesInFlight),
		serviceEnv: masterServiceEnv(cfg.Client.RESTClient().Base())}
	for _, n := range cfg.NodeNames {
		k.nodes[n] = true
	}
	k.recorder = record.New(record.NewSink(cfg.Client), "kubelet", cfg.Logger)
	k.metrics = newMetrics(cfg.Registerer, k)
	for _, n := range cfg.NodeNames {
		k.metrics.nodeName.WithLabelValues(n).Set(1)
	}
	return k, nil
}

// Run registers the nodes, keeps them alive and runs their pods until ctx
// ends. Running processes are left running for the next kubelet to adopt.
func (k *Kubelet) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	goRun := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	goRun(k.runtime.Run)
	goRun(k.recorder.Run)
	if k.volumes != nil {
		goRun(k.volumes.Run) // removes the data of deleted provisioned volumes
	}
	k.probes = prober.NewManager(ctx, k.runtime.Exec, k.onProbe)
	k.setWorkers(newPodWorkers(ctx, k))
	// Shutdown order: everything watches ctx; wait for all of it.
	defer func() {
		cancel()
		k.workers.wait()
		k.probes.Wait()
		wg.Wait()
	}()
	for i, name := range k.cfg.NodeNames {
		goRun(func(ctx context.Context) { k.runNode(ctx, name, i) })
	}
	factoryOpts := []informers.Option{informers.WithLogger(k.log)}
	// Like Kubernetes' kubelet, watch only the pods bound to our node; a
	// kubelet simulating many nodes watches every bound pod, so pods still
	// waiting for the scheduler cost it (and the apiserver) nothing.
	selector := "spec.nodeName!="
	if len(k.cfg.NodeNames) == 1 {
		selector = "spec.nodeName=" + k.cfg.NodeNames[0]
	}
	factoryOpts = append(factoryOpts, informers.WithFieldSelector(selector))
	factory := informers.NewSharedInformerFactory(k.client.RESTClient(), 0, factoryOpts...)
	k.pods = factory.Core().Pods().Informer()
	if _, err := k.pods.AddEventHandler(cache.ResourceEventHandlerFuncs[*core.Pod]{
		AddFunc:    k.podChanged,
		UpdateFunc: func(_, p *core.Pod) { k.podChanged(p) },
		DeleteFunc: func(obj any) {
			if p, ok := cache.DeletedObject[*core.Pod](obj); ok {
				k.workers.remove(p)
			}
		},
	}); err != nil {
		return fmt.Errorf("kubelet: watch pods: %w", err)
	}
	factory.Start(ctx)
	defer factory.Shutdown() // runs before the wait above: ctx is cancelled first
	defer cancel()
	if cache.WaitForCacheSync(ctx, k.pods.HasSynced) {
		k.removeOrphans(ctx)
	}
	<-ctx.Done()
	return nil
}

// podChanged hands a pod of one of our nodes to its worker.
func (k *Kubelet) podChanged(p *core.Pod) {
	if k.nodes[p.Spec.NodeName] {
		k.workers.update(p)
	}
}

// removeOrphans kills pods the runtime runs that the apiserver no longer has
// (deleted while the kubelet was down).
func (k *Kubelet) removeOrphans(ctx context.Context) {
	known := map[string]bool{}
	for _, p := range k.pods.GetStore().List() {
		known[string(p.UID)] = true
	}
	for _, uid := range k.runtime.Pods() {
		if known[uid] {
			continue
		}
		k.log.Info("removing pod unknown to the apiserver", zap.String("uid", uid))
		k.tearDownVolumes(uid) // the containers' own namespaces keep a tmpfs until they die
		if err := k.runtime.RemovePod(ctx, uid); err != nil {
			k.log.Warn("removing orphaned pod failed", zap.String("uid", uid), zap.Error(err))
		}
	}
}

// eventf records an event about pod with its node as the source host.
// It never blocks: a full buffer drops the event (and logs that at most
// every record.DropLogInterval).
func (k *Kubelet) eventf(pod *core.Pod, eventType, reason, messageFmt string, args ...any) {
	k.recorder.ForHost(pod.Spec.NodeName).Eventf(pod, eventType, reason, messageFmt, args...)
}

// onProbe records an Unhealthy event for a failed probe and wakes the pod.
func (k *Kubelet) onProbe(e prober.Event) {
	w := k.workers.get(e.PodUID)
	if w == nil {
		return
	}
	if e.Failed {
		if pod := w.snapshot(); pod != nil {
			k.eventf(pod, core.EventTypeWarning, "Unhealthy", "%s probe failed: %s", e.Kind, e.Output)
		}
	}
	if e.Changed {
		k.workers.wake(e.PodUID)
	}
}

// Notify makes the pod's worker sync soon; runtimes call it (through their
// Notifier) when a container exits.
func (k *Kubelet) Notify(podUID string) {
	if w := k.workersOrNil(); w != nil {
		w.wake(podUID)
	}
}

// runningCounts counts pods with a running container and running containers.
func (k *Kubelet) runningCounts() (pods, containers int) {
	for _, uid := range k.runtime.Pods() {
		n := 0
		for _, c := range k.runtime.Containers(uid) {
			if c.State == runtime.StateRunning {
				n++
			}
		}
		if n > 0 {
			pods++
		}
		containers += n
	}
	return pods, containers
}

func (k *Kubelet) setWorkers(w *podWorkers) {
	k.workersMu.Lock()
	defer k.workersMu.Unlock()
	k.workers = w
}

func (k *Kubelet) workersOrNil() *podWorkers {
	k.workersMu.Lock()
	defer k.workersMu.Unlock()
	return k.workers
}
