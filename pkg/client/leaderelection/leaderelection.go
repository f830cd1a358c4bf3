// Package leaderelection elects one leader among the replicas of a daemon
// with a coordination.k8s.io/v1 Lease, as client-go does: a candidate takes
// the lease when it is free or its holder has not renewed it for
// LeaseDuration (judged by the candidate's own clock), the leader renews it
// every RetryPeriod and gives up leadership if it cannot renew within
// RenewDeadline. Writes use the Lease's resourceVersion, so two candidates
// can never both win the same round.
package leaderelection

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/wait"
)

// JitterFactor spreads the candidates' acquire attempts, as client-go's 1.2.
const JitterFactor = 1.2

// LeaseClient is the part of the Lease client election uses;
// *clientset.LeaseClient satisfies it.
type LeaseClient interface {
	Get(ctx context.Context, name string, opts meta.GetOptions) (*coordination.Lease, error)
	Create(ctx context.Context, l *coordination.Lease, opts meta.CreateOptions) (*coordination.Lease, error)
	Update(ctx context.Context, l *coordination.Lease, opts meta.UpdateOptions) (*coordination.Lease, error)
}

// Callbacks are called as leadership changes. OnStartedLeading runs in its
// own goroutine with a context that ends when leadership ends; it must
// return when that context ends. OnStoppedLeading and OnNewLeader must not
// block.
type Callbacks struct {
	OnStartedLeading func(ctx context.Context)
	OnStoppedLeading func()
	OnNewLeader      func(identity string)
}

// Config configures one candidate.
type Config struct {
	Leases    LeaseClient
	Namespace string
	Name      string
	Identity  string

	LeaseDuration time.Duration
	RenewDeadline time.Duration
	RetryPeriod   time.Duration
	// ReleaseOnCancel empties the lease when Run's context ends, so another
	// candidate takes over at once instead of after LeaseDuration.
	ReleaseOnCancel bool

	Callbacks Callbacks
	Logger    *zap.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Validate checks the timing rules client-go enforces.
func (c *Config) Validate() error {
	switch {
	case c.Leases == nil:
		return errors.New("leader election: no lease client")
	case c.Name == "" || c.Namespace == "" || c.Identity == "":
		return errors.New("leader election: lease name, namespace and identity are required")
	case c.RetryPeriod <= 0:
		return errors.New("leader election: retry period must be positive")
	case c.RenewDeadline <= time.Duration(JitterFactor*float64(c.RetryPeriod)):
		return fmt.Errorf("leader election: renew deadline (%v) must exceed %v × retry period (%v)", c.RenewDeadline, JitterFactor, c.RetryPeriod)
	case c.LeaseDuration <= c.RenewDeadline:
		return fmt.Errorf("leader election: lease duration (%v) must exceed renew deadline (%v)", c.LeaseDuration, c.RenewDeadline)
	case c.Callbacks.OnStartedLeading == nil:
		return errors.New("leader election: OnStartedLeading is required")
	}
	return nil
}

// LeaderElector is one candidate. Run it once.
type LeaderElector struct {
	cfg    Config
	logger *zap.Logger
	now    func() time.Time

	mu          sync.Mutex // guards the fields below
	observed    observation
	lease       *coordination.Lease // last read or written, for its resourceVersion
	reported    string              // last leader passed to OnNewLeader
	isLeaderNow bool
	renewedAt   time.Time // our last successful write
}

// New validates cfg and returns a candidate.
func New(cfg Config) (*LeaderElector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	le := &LeaderElector{cfg: cfg, logger: cfg.Logger, now: cfg.Now}
	if le.logger == nil {
		le.logger = zap.NewNop()
	}
	if le.now == nil {
		le.now = time.Now
	}
	le.logger = le.logger.With(zap.String("lease", cfg.Namespace+"/"+cfg.Name), zap.String("identity", cfg.Identity))
	masterStatus.WithLabelValues(cfg.Name).Set(0)
	return le, nil
}

// IsLeader reports whether this candidate held the lease at its last try.
func (le *LeaderElector) IsLeader() bool {
	le.mu.Lock()
	defer le.mu.Unlock()
	return le.isLeaderNow
}

// Check is a health check for /healthz: it fails when this candidate
// believes it leads but has not renewed the lease for LeaseDuration plus
// tolerance, i.e. its leading work may be running without the lease.
func (le *LeaderElector) Check(tolerance time.Duration) error {
	le.mu.Lock()
	leading, renewed := le.isLeaderNow, le.renewedAt
	le.mu.Unlock()
	if !leading {
		return nil
	}
	if since := le.now().Sub(renewed); since > le.cfg.LeaseDuration+tolerance {
		return fmt.Errorf("leader election: lease %s/%s not renewed for %v", le.cfg.Namespace, le.cfg.Name, since.Round(time.Millisecond))
	}
	return nil
}

// Leader returns the identity of the last observed holder.
func (le *LeaderElector) Leader() string {
	le.mu.Lock()
	defer le.mu.Unlock()
	return le.observed.rec.Holder
}

// Run campaigns until it leads, runs OnStartedLeading, and renews until ctx
// ends or the lease is lost; then it stops the leading work, waits for it,
// releases the lease (ReleaseOnCancel) and calls OnStoppedLeading. It
// reports whether leadership was lost (true) rather than given up because
// ctx ended.
func (le *LeaderElector) Run(ctx context.Context) (lost bool) {
	defer func() {
		if le.cfg.Callbacks.OnStoppedLeading != nil {
			le.cfg.Callbacks.OnStoppedLeading()
		}
	}()
	if !le.acquire(ctx) {
		return false
	}
	leadCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		le.cfg.Callbacks.OnStartedLeading(leadCtx)
	}()
	le.renew(leadCtx)
	lost = ctx.Err() == nil
	cancel()
	<-done
	masterStatus.WithLabelValues(le.cfg.Name).Set(0)
	if lost {
		le.logger.Error("lost the lease")
	} else if le.cfg.ReleaseOnCancel {
		le.release()
	}
	return lost
}

// acquire tries every RetryPeriod (jittered) until it holds the lease or
// ctx ends.
func (le *LeaderElector) acquire(ctx context.Context) bool {
	le.logger.Info("attempting to acquire the lease")
	for {
		if le.tryAcquireOrRenew(ctx) {
			le.logger.Info("acquired the lease")
			masterStatus.WithLabelValues(le.cfg.Name).Set(1)
			return true
		}
		delay := le.cfg.RetryPeriod + time.Duration(rand.Float64()*(JitterFactor-1)*float64(le.cfg.RetryPeriod))
		if !wait.Sleep(ctx, delay) {
			return false
		}
	}
}

// renew refreshes the lease every RetryPeriod; it returns when ctx ends or
// no renewal succeeded within RenewDeadline.
func (le *LeaderElector) renew(ctx context.Context) {
	for {
		if !le.renewOnce(ctx) {
			return
		}
		if !wait.Sleep(ctx, le.cfg.RetryPeriod) {
			return
		}
	}
}

// renewOnce retries a renewal every RetryPeriod until one succeeds or
// RenewDeadline passes.
func (le *LeaderElector) renewOnce(ctx context.Context) bool {
	dctx, cancel := context.WithTimeout(ctx, le.cfg.RenewDeadline)
	defer cancel()
	for {
		if le.tryAcquireOrRenew(dctx) {
			return true
		}
		if !wait.Sleep(dctx, le.cfg.RetryPeriod) {
			return false
		}
	}
}
