package kubelet

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// maxSyncers is how many long-lived goroutines sync pods.
const maxSyncers = 64

// podWorkers keeps one worker per pod. A worker syncs its pod when the pod
// changes, when the runtime or a probe reports a change, and every
// PodResync; it ends when the pod is gone (after cleaning up) or when the
// context ends (leaving containers running for adoption). A pod's syncs
// never overlap, and a change during a sync makes another sync follow it.
//
// A worker is not a goroutine: its syncs run on up to maxSyncers
// long-lived syncer goroutines, started as needed, and on a goroutine of
// their own when every syncer is busy, so a slow sync (a container's grace
// period) never delays another pod. A sync needs a deep stack (encoding the
// status, the HTTP round trip) which a new goroutine grows and copies on
// each of its first syncs, and a parked goroutine per pod is scanned by
// every GC; a syncer's stack stays grown, and an idle pod costs one timer.
type podWorkers struct {
	ctx context.Context
	k   *Kubelet
	wg  sync.WaitGroup
	// idle hands a worker to a syncer waiting for one.
	idle chan *podWorker
	// syncDuration and terminateDuration observe kubelet_pod_worker_duration_seconds.
	syncDuration, terminateDuration prometheus.Observer

	mu      sync.Mutex
	workers map[string]*podWorker
	syncers int  // long-lived syncers started
	closed  bool // wait was called: start no goroutine

	// synced, when set (tests), is called after each sync or termination.
	synced func(uid string)
}

type podWorker struct {
	uid string

	mu   sync.Mutex
	pod  *core.Pod
	gone bool
	// queued is set while the worker is handed to or runs on a goroutine;
	// dirty asks that goroutine for one more sync; done ends the worker.
	queued, dirty, done bool
	resync              *time.Timer

	// Owned by the goroutine syncing the worker:
	// lastStatus is the status last written, at resourceVersion lastRV.
	lastStatus *core.PodStatus
	lastRV     uint64
	started    bool // all containers ran once (start-duration metric taken)
	deleted    bool // deletion confirmed
	// specs are the runtime specs containers were started with (probes
	// reuse their env); backoffSeen the exit each BackOff event was for.
	specs       map[string]runtime.ContainerSpec
	backoffSeen map[string]time.Time
	// mountErr is the volume setup error last reported in an event.
	mountErr string
}

func newPodWorkers(ctx context.Context, k *Kubelet) *podWorkers {
	return &podWorkers{ctx: ctx, k: k, workers: map[string]*podWorker{}, idle: make(chan *podWorker),
		syncDuration:      k.metrics.podWorkerDuration.WithLabelValues("sync"),
		terminateDuration: k.metrics.podWorkerDuration.WithLabelValues("terminate")}
}

func newPodWorker(uid string) *podWorker {
	return &podWorker{uid: uid, specs: map[string]runtime.ContainerSpec{}, backoffSeen: map[string]time.Time{}}
}

// update gives the worker of pod its latest version, starting it if needed.
func (p *podWorkers) update(pod *core.Pod) {
	uid := string(pod.UID)
	p.mu.Lock()
	w := p.workers[uid]
	if w == nil {
		if p.closed || p.ctx.Err() != nil {
			p.mu.Unlock()
			return
		}
		w = newPodWorker(uid)
		p.workers[uid] = w
	}
	p.mu.Unlock()
	w.mu.Lock()
	w.pod = pod
	if w.resync == nil && !w.done {
		w.resync = time.AfterFunc(p.k.cfg.PodResync, func() { p.tick(w) })
	}
	w.mu.Unlock()
	p.poke(w)
}

// tick is a worker's periodic resync.
func (p *podWorkers) tick(w *podWorker) {
	p.poke(w)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.resync.Reset(p.k.cfg.PodResync)
	}
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
	p.poke(w)
}

func (p *podWorkers) get(uid string) *podWorker {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.workers[uid]
}

// wake makes the pod's worker sync soon.
func (p *podWorkers) wake(uid string) {
	if w := p.get(uid); w != nil {
		p.poke(w)
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

// wait ends the workers, once the context has ended, and waits for the
// syncs in progress.
func (p *podWorkers) wait() {
	p.mu.Lock()
	p.closed = true
	for _, w := range p.workers {
		w.mu.Lock()
		w.done = true
		if w.resync != nil {
			w.resync.Stop()
		}
		w.mu.Unlock()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// poke makes w sync soon: on an idle syncer, on a new one, or on a
// goroutine of its own; if w is syncing already, once more after that.
func (p *podWorkers) poke(w *podWorker) {
	w.mu.Lock()
	switch {
	case w.done:
		w.mu.Unlock()
		return
	case w.queued:
		w.dirty = true
		w.mu.Unlock()
		return
	}
	w.queued, w.dirty = true, false
	w.mu.Unlock()
	select {
	case p.idle <- w:
		return
	default:
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return // the context has ended: no more syncs
	}
	syncer := p.syncers < maxSyncers
	if syncer {
		p.syncers++
	}
	p.wg.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.wg.Done()
		p.run(w)
		if syncer {
			p.syncer()
		}
	}()
}

// syncer runs the workers handed to it until the context ends.
func (p *podWorkers) syncer() {
	for {
		select {
		case <-p.ctx.Done():
			return
		case w := <-p.idle:
			p.run(w)
		}
	}
}

// run syncs w until no change asks for another sync.
func (p *podWorkers) run(w *podWorker) {
	for p.ctx.Err() == nil {
		w.mu.Lock()
		pod, gone := w.pod, w.gone
		w.dirty = false
		w.mu.Unlock()
		start := time.Now()
		if gone {
			p.k.cleanupPod(p.ctx, pod)
			p.terminateDuration.Observe(time.Since(start).Seconds())
			w.mu.Lock()
			w.done = true
			if w.resync != nil {
				w.resync.Stop()
			}
			w.mu.Unlock()
			p.mu.Lock()
			delete(p.workers, w.uid)
			p.mu.Unlock()
			if p.synced != nil {
				p.synced(w.uid)
			}
			return
		}
		p.k.syncPod(p.ctx, w, pod)
		p.syncDuration.Observe(time.Since(start).Seconds())
		if p.synced != nil {
			p.synced(w.uid)
		}
		w.mu.Lock()
		if !w.dirty {
			w.queued = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
	}
}

func (w *podWorker) snapshot() *core.Pod {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pod
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
