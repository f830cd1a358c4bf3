package prober

import (
	"context"
	"sync"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/wait"
)

// Counter turns single probe outcomes into a result with the thresholds:
// the result flips to Success after successThreshold successes in a row and
// to Failure after failureThreshold failures in a row. Pure; table-tested.
type Counter struct {
	Result    Result
	successes int32
	failures  int32
}

// Observe records one outcome; it reports whether Result changed.
func (c *Counter) Observe(r Result, successThreshold, failureThreshold int32) bool {
	switch r {
	case Success:
		c.successes, c.failures = c.successes+1, 0
		if c.successes >= successThreshold && c.Result != Success {
			c.Result = Success
			return true
		}
	case Failure:
		c.failures, c.successes = c.failures+1, 0
		if c.failures >= failureThreshold && c.Result != Failure {
			c.Result = Failure
			return true
		}
	}
	return false
}

// initialResult is a probe's result before it has run: readiness starts
// failed, liveness passed, startup unknown (not started).
func initialResult(k Kind) Result {
	switch k {
	case Readiness:
		return Failure
	case Liveness:
		return Success
	}
	return Unknown
}

// Event tells the owner about one failed probe (for an Unhealthy event) or a
// changed result.
type Event struct {
	PodUID, Container, ContainerID string
	Kind                           Kind
	// Result is the thresholded result after this probe.
	Result Result
	// Failed is true when this probe run failed; Output says why.
	Failed bool
	Output string
	// Changed is true when the thresholded result flipped.
	Changed bool
}

// Manager runs one worker per probe of each running container. Workers are
// goroutines owned by the Manager; they end when their container changes,
// when the pod is removed, or when the Manager's context ends (Wait waits).
type Manager struct {
	ctx    context.Context
	exec   Execer
	notify func(Event)

	mu      sync.Mutex
	workers map[key]*worker
	wg      sync.WaitGroup
}

type key struct {
	podUID, container string
	kind              Kind
}

type worker struct {
	containerID string
	cancel      context.CancelFunc
	probe       *core.Probe

	mu     sync.Mutex
	result Result
}

// NewManager returns a manager whose workers live at most as long as ctx;
// notify (required) is called from worker goroutines and must not block.
func NewManager(ctx context.Context, exec Execer, notify func(Event)) *Manager {
	return &Manager{ctx: ctx, exec: exec, notify: notify, workers: map[key]*worker{}}
}

// Running is a running container to probe.
type Running struct {
	ContainerID string
	Target      Target
}

// Sync makes the pod's workers match its running containers: new
// containers get workers, ended or restarted ones lose theirs.
func (m *Manager) Sync(podUID string, running map[string]Running) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, w := range m.workers {
		if k.podUID != podUID {
			continue
		}
		if r, ok := running[k.container]; !ok || r.ContainerID != w.containerID {
			w.cancel()
			delete(m.workers, k)
		}
	}
	for name, r := range running {
		c := r.Target.Container
		probes := [...]struct {
			kind Kind
			p    *core.Probe
		}{{Liveness, c.LivenessProbe}, {Readiness, c.ReadinessProbe}, {Startup, c.StartupProbe}}
		for _, kp := range probes {
			kind, p := kp.kind, kp.p
			k := key{podUID, name, kind}
			if p == nil || m.workers[k] != nil {
				continue
			}
			ctx, cancel := context.WithCancel(m.ctx)
			w := &worker{containerID: r.ContainerID, cancel: cancel, probe: p, result: initialResult(kind)}
			m.workers[k] = w
			m.wg.Add(1)
			go func() {
				defer m.wg.Done()
				m.run(ctx, k, w, r.Target)
			}()
		}
	}
}

// Result is the probe's current result for the container's attempt id;
// ok is false when no such probe runs.
func (m *Manager) Result(podUID, container string, kind Kind, containerID string) (Result, bool) {
	m.mu.Lock()
	w := m.workers[key{podUID, container, kind}]
	m.mu.Unlock()
	if w == nil || w.containerID != containerID {
		return Unknown, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.result, true
}

// RemovePod stops the pod's workers.
func (m *Manager) RemovePod(podUID string) { m.Sync(podUID, nil) }

// Wait returns once every worker has ended (after the context ended).
func (m *Manager) Wait() { m.wg.Wait() }

// run probes until ctx ends; a startup probe ends once it succeeded.
func (m *Manager) run(ctx context.Context, k key, w *worker, t Target) {
	if !wait.Sleep(ctx, time.Duration(w.probe.InitialDelaySeconds)*time.Second) {
		return
	}
	succ, fail := thresholds(w.probe)
	var c Counter
	c.Result = initialResult(k.kind)
	for {
		if k.kind == Startup || m.started(k, w.containerID, t) {
			res, out := Run(ctx, w.probe, t, m.exec)
			if ctx.Err() != nil {
				return
			}
			changed := c.Observe(res, succ, fail)
			w.mu.Lock()
			w.result = c.Result
			w.mu.Unlock()
			if res == Failure || changed {
				m.notify(Event{PodUID: k.podUID, Container: k.container, ContainerID: w.containerID,
					Kind: k.kind, Result: c.Result, Failed: res == Failure, Output: out, Changed: changed})
			}
			if k.kind == Startup && c.Result == Success {
				return
			}
		}
		if !wait.Sleep(ctx, periodOf(w.probe)) {
			return
		}
	}
}

// started says whether liveness and readiness may run: there is no startup
// probe, or it succeeded.
func (m *Manager) started(k key, id string, t Target) bool {
	if t.Container.StartupProbe == nil {
		return true
	}
	r, _ := m.Result(k.podUID, k.container, Startup, id)
	return r == Success
}
