package leaderelection

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"
)

// Kubernetes' defaults.
const (
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
	DefaultNamespace     = "kube-system"
)

// ErrLeaseLost is returned by Run when leadership was lost; a daemon exits
// on it (non-zero), as the Kubernetes daemons do, and its restart campaigns
// again from a clean state.
var ErrLeaseLost = errors.New("leader election lost")

// Options are the --leader-elect* flags.
type Options struct {
	LeaderElect       bool
	LeaseDuration     time.Duration
	RenewDeadline     time.Duration
	RetryPeriod       time.Duration
	ResourceName      string
	ResourceNamespace string

	elector atomic.Pointer[LeaderElector] // set by Run, for HealthCheck
}

// HealthCheck returns a check for daemon.Server.AddLivezCheck: it fails
// while Run's elector leads without having renewed the lease for the lease
// duration plus tolerance (a stuck leader), and passes otherwise.
func (o *Options) HealthCheck(tolerance time.Duration) func(*http.Request) error {
	return func(*http.Request) error {
		if le := o.elector.Load(); le != nil {
			return le.Check(tolerance)
		}
		return nil
	}
}

// NewOptions returns the Kubernetes defaults with the lease named name
// (e.g. "kube-scheduler") in kube-system; leader election is on.
func NewOptions(name string) *Options {
	return &Options{
		LeaderElect:       true,
		LeaseDuration:     DefaultLeaseDuration,
		RenewDeadline:     DefaultRenewDeadline,
		RetryPeriod:       DefaultRetryPeriod,
		ResourceName:      name,
		ResourceNamespace: DefaultNamespace,
	}
}

// AddFlags registers the leader-election flags on fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect, "elect a leader among replicas before doing any work")
	fs.DurationVar(&o.LeaseDuration, "leader-elect-lease-duration", o.LeaseDuration, "how long a standby waits after the last renewal before taking the lease")
	fs.DurationVar(&o.RenewDeadline, "leader-elect-renew-deadline", o.RenewDeadline, "how long the leader keeps retrying a renewal before it stops leading")
	fs.DurationVar(&o.RetryPeriod, "leader-elect-retry-period", o.RetryPeriod, "how often candidates try to acquire or renew the lease")
	fs.StringVar(&o.ResourceName, "leader-elect-resource-name", o.ResourceName, "the name of the Lease used for election")
	fs.StringVar(&o.ResourceNamespace, "leader-elect-resource-namespace", o.ResourceNamespace, "the namespace of the Lease used for election")
}

// NewIdentity returns hostname + "_" + 16 random hex digits.
func NewIdentity() (string, error) {
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("identity: hostname: %w", err)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("identity: random: %w", err)
	}
	return host + "_" + hex.EncodeToString(b), nil
}

// Run runs work under leader election as the options say. Without
// --leader-elect it runs work(ctx) directly. Otherwise it campaigns, runs
// work with a context that ends when leadership ends, and returns
// ErrLeaseLost if the lease was lost, or work's error / nil once ctx ended
// (the lease is then released so a standby takes over at once).
func (o *Options) Run(ctx context.Context, leases LeaseClient, logger *zap.Logger, work func(context.Context) error) error {
	if !o.LeaderElect {
		return work(ctx)
	}
	id, err := NewIdentity()
	if err != nil {
		return err
	}
	var workErr error
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	le, err := New(Config{
		Leases: leases, Namespace: o.ResourceNamespace, Name: o.ResourceName, Identity: id,
		LeaseDuration: o.LeaseDuration, RenewDeadline: o.RenewDeadline, RetryPeriod: o.RetryPeriod,
		ReleaseOnCancel: true, Logger: logger,
		Callbacks: Callbacks{OnStartedLeading: func(lctx context.Context) {
			// When work returns (done or failed) the whole run ends.
			workErr = work(lctx)
			cancel()
		}},
	})
	if err != nil {
		return err
	}
	o.elector.Store(le)
	if le.Run(runCtx) && workErr == nil {
		return ErrLeaseLost
	}
	return workErr
}
