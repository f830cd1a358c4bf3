package kubelet

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// podWorkers keeps one worker goroutine per pod. A worker syncs its pod
// when the pod changes, when the runtime or a probe reports a change, and
// every PodResync; it ends when the pod is gone (after cleaning up) or when
// the context ends (leaving containers running for adoption).
type podWorkers struct {
	ctx context.Context
	k   *Kubelet
	wg  sync.WaitGroup

	mu      sync.Mutex
	workers map[string]*podWorker
}

type podWorker struct {
	uid  string
	wake chan struct{}

	mu   sync.Mutex
	pod  *core.Pod
	gone bool
	// Owned by the worker goroutine:
	// lastStatus is the status last written, at resourceVersion lastRV.
	lastStatus *core.PodStatus
	lastRV     uint64
	started    bool // all containers ran once (start-duration metric taken)
	deleted    bool // deletion confirmed
	// specs are the runtime specs containers were started with (probes
	// reuse their env); backoffSeen the exit each BackOff event was for.
	specs       map[string]runtime.ContainerSpec
	backoffSeen map[string]time.Time
}

func newPodWorkers(ctx context.Context, k *Kubelet) *podWorkers {
	return &podWorkers{ctx: ctx, k: k, workers: map[string]*podWorker{}}
}

// update gives the worker of pod its latest version, starting it if needed.
func (p *podWorkers) update(pod *core.Pod) {
	uid := string(pod.UID)
	p.mu.Lock()
	w := p.workers[uid]
	if w == nil {
		if p.ctx.Err() != nil {
			p.mu.Unlock()
			return
		}
		w = &podWorker{uid: uid, wake: make(chan struct{}, 1),
			specs: map[string]runtime.ContainerSpec{}, backoffSeen: map[string]time.Time{}}
		p.workers[uid] = w
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.run(w)
		}()
	}
	p.mu.Unlock()
	w.mu.Lock()
	w.pod = pod
	w.mu.Unlock()
	w.poke()
}

// remove tells the pod's worker that the pod is gone from the apiserver.
func (p *podWorkers) remove(pod *core.Pod) {
	w := p.get(string(pod.UID))
	if w == nil {
		return
	}
	w.mu.Lock()
	w.gone = true
	w.mu.Unlock()
	w.poke()
}

func (p *podWorkers) get(uid string) *podWorker {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.workers[uid]
}

// wake makes the pod's worker sync soon.
func (p *podWorkers) wake(uid string) {
	if w := p.get(uid); w != nil {
		w.poke()
	}
}

// list returns the latest pod of every worker.
func (p *podWorkers) list() []*core.Pod {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*core.Pod, 0, len(p.workers))
	for _, w := range p.workers {
		if pod := w.snapshot(); pod != nil {
			out = append(out, pod)
		}
	}
	return out
}

func (p *podWorkers) wait() { p.wg.Wait() }

func (w *podWorker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *podWorker) snapshot() *core.Pod {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pod
}

func (p *podWorkers) run(w *podWorker) {
	t := time.NewTicker(p.k.cfg.PodResync)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-w.wake:
		case <-t.C:
		}
		w.mu.Lock()
		pod, gone := w.pod, w.gone
		w.mu.Unlock()
		start := time.Now()
		if gone {
			p.k.cleanupPod(p.ctx, pod)
			p.k.metrics.podWorkerDuration.WithLabelValues("terminate").Observe(time.Since(start).Seconds())
			p.mu.Lock()
			delete(p.workers, w.uid)
			p.mu.Unlock()
			return
		}
		p.k.syncPod(p.ctx, w, pod)
		p.k.metrics.podWorkerDuration.WithLabelValues("sync").Observe(time.Since(start).Seconds())
	}
}

// known is the pod with the freshest status the worker knows: the
// informer's, unless the kubelet's own last write is newer than it.
func (w *podWorker) known(pod *core.Pod) *core.Pod {
	if w.lastStatus == nil {
		return pod
	}
	if rv, err := strconv.ParseUint(pod.ResourceVersion, 10, 64); err == nil && rv >= w.lastRV {
		return pod
	}
	cp := *pod
	cp.Status = *w.lastStatus
	return &cp
}
