package identity

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// Config wires a Controller.
type Config struct {
	Options
	// Hostname labels the identity lease and seeds its name.
	Hostname string
	// Endpoint is the advertised address and the serving port.
	Endpoint Endpoint
	// TLS names the kubernetes Service port "https" (else "http").
	TLS bool

	// Leases, Services and Endpoints are the stores of those resources.
	Leases, Services, Endpoints Store
	// EndpointSlices, when set, also keeps the kubernetes EndpointSlice.
	EndpointSlices Store
	// MasterLeases backs the lease endpoint reconciler (unused with
	// EndpointReconcilerType none).
	MasterLeases MasterLeases

	Logger *zap.Logger
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Controller keeps this instance's identity lease, collects expired ones,
// and reconciles the kubernetes Service and Endpoints.
//
// Start runs its loops until ctx ends or Shutdown; Shutdown also removes
// this instance from the Endpoints. Call Start at most once.
type Controller struct {
	cfg    Config
	log    *zap.Logger
	now    func() time.Time
	name   string
	holder string

	mu     sync.Mutex // guards cancel
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New checks cfg and returns a Controller that is not running yet.
func New(cfg Config) (*Controller, error) {
	if err := cfg.Options.Validate(); err != nil {
		return nil, err
	}
	if !cfg.Leases.valid() {
		return nil, fmt.Errorf("identity: the leases store is required")
	}
	if cfg.EndpointReconcilerType == ReconcilerLease &&
		(!cfg.Services.valid() || !cfg.Endpoints.valid() || cfg.MasterLeases == nil) {
		return nil, fmt.Errorf("identity: the lease endpoint reconciler needs the services and endpoints stores and master leases")
	}
	if _, ok := ParseEndpoint(cfg.Endpoint.String()); !ok {
		return nil, fmt.Errorf("identity: invalid advertised endpoint %q", cfg.Endpoint)
	}
	c := &Controller{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if c.log == nil {
		c.log = zap.NewNop()
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.name = LeaseName(cfg.ID, cfg.Hostname, cfg.Endpoint)
	c.holder = c.name + "_" + registry.NewUID()
	c.log = c.log.With(zap.String("apiserverID", c.name), zap.Stringer("endpoint", cfg.Endpoint))
	return c, nil
}

// LeaseName is the name of this instance's identity lease in kube-system.
func (c *Controller) LeaseName() string { return c.name }

// Holder is the holderIdentity this process writes: <lease name>_<uid>.
func (c *Controller) Holder() string { return c.holder }

// Start runs the loops in the background until ctx ends or Shutdown.
func (c *Controller) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
	o := c.cfg.Options
	c.every(ctx, "identity lease", o.IdentityLeaseRenewInterval, c.renewIdentity)
	c.every(ctx, "identity lease gc", o.IdentityLeaseGCPeriod, c.collectExpired)
	if o.EndpointReconcilerType == ReconcilerLease {
		c.every(ctx, "endpoint reconciler", o.EndpointReconcileInterval, c.syncEndpoints)
	}
}

// every runs f now and then every d until ctx ends, on a goroutine the
// Controller owns.
func (c *Controller) every(ctx context.Context, what string, d time.Duration, f func(context.Context) error) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			if err := f(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("apiserver identity", zap.String("loop", what), zap.Error(err))
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Shutdown stops the loops and removes this instance from the kubernetes
// Endpoints at once (its identity lease stays, to be collected once
// expired, as in Kubernetes). Call it while etcd is still reachable.
func (c *Controller) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	c.wg.Wait()
	if c.cfg.EndpointReconcilerType != ReconcilerLease {
		return nil
	}
	if err := c.cfg.MasterLeases.RemoveLease(ctx, c.cfg.Endpoint); err != nil {
		return err
	}
	eps, err := c.cfg.MasterLeases.ListLeases(ctx)
	if err != nil {
		return err
	}
	c.log.Info("removing this apiserver from the kubernetes endpoints")
	return c.reconcileEndpoints(ctx, without(eps, c.cfg.Endpoint))
}

func without(eps []Endpoint, self Endpoint) []Endpoint {
	out := make([]Endpoint, 0, len(eps))
	for _, e := range eps {
		if e != self {
			out = append(out, e)
		}
	}
	return out
}

// renewIdentity creates or renews this instance's identity lease.
func (c *Controller) renewIdentity(ctx context.Context) error {
	want := leaseSpec{Name: c.name, Holder: c.holder, Hostname: c.cfg.Hostname, Duration: c.cfg.IdentityLeaseDuration}
	st := c.cfg.Leases
	_, err := st.update(ctx, LeaseNamespace, c.name, func(cur meta.Object) (meta.Object, error) {
		l, ok := cur.(*coordination.Lease)
		if !ok {
			return nil, fmt.Errorf("lease storage returned %T", cur)
		}
		return renewLease(l, want, c.now()), nil
	})
	if !apierrors.IsNotFound(err) {
		return err
	}
	_, err = st.create(ctx, renewLease(nil, want, c.now()), c.now())
	if apierrors.IsAlreadyExists(err) {
		return nil // created by a racing earlier self; renewed next round
	}
	return err
}

// collectExpired deletes the identity leases that expired, unless renewed
// meanwhile (resourceVersion precondition).
func (c *Controller) collectExpired(ctx context.Context) error {
	objs, err := c.cfg.Leases.list(ctx, LeaseNamespace)
	if err != nil {
		return err
	}
	leases := make([]*coordination.Lease, 0, len(objs))
	for _, o := range objs {
		if l, ok := o.(*coordination.Lease); ok {
			leases = append(leases, l)
		}
	}
	var errs []error
	for _, l := range expiredIdentityLeases(leases, c.name, c.now()) {
		err := c.cfg.Leases.deleteIfUnchanged(ctx, l.Namespace, l.Name, l.ResourceVersion)
		switch {
		case err == nil:
			c.log.Info("deleted expired apiserver identity lease", zap.String("lease", l.Name))
		case apierrors.IsNotFound(err), apierrors.IsConflict(err):
		default:
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// syncEndpoints keeps the kubernetes Service, renews this instance's master
// lease and reconciles the Endpoints to the live master leases.
func (c *Controller) syncEndpoints(ctx context.Context) error {
	svcErr := c.ensureService(ctx)
	if err := c.cfg.MasterLeases.UpdateLease(ctx, c.cfg.Endpoint); err != nil {
		return errors.Join(svcErr, err)
	}
	eps, err := c.cfg.MasterLeases.ListLeases(ctx)
	if err != nil {
		return errors.Join(svcErr, err)
	}
	return errors.Join(svcErr, c.reconcileEndpoints(ctx, eps))
}

// ensureService creates the kubernetes Service, or corrects its ports.
func (c *Controller) ensureService(ctx context.Context) error {
	want := kubernetesService(c.cfg.Endpoint.Port, c.cfg.TLS)
	st := c.cfg.Services
	_, err := st.update(ctx, ServiceNamespace, ServiceName, func(cur meta.Object) (meta.Object, error) {
		svc, ok := cur.(*core.Service)
		if !ok {
			return nil, fmt.Errorf("service storage returned %T", cur)
		}
		if !serviceNeedsUpdate(svc, want) {
			return nil, errUnchanged
		}
		return svc, nil
	})
	switch {
	case errors.Is(err, errUnchanged):
		return nil
	case apierrors.IsNotFound(err):
		_, err = st.create(ctx, want, c.now())
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
	}
	return err
}

// reconcileEndpoints writes the kubernetes Endpoints for eps (nothing when
// they already say so), creating them if absent.
func (c *Controller) reconcileEndpoints(ctx context.Context, eps []Endpoint) error {
	subsets := endpointSubsets(eps, c.cfg.TLS)
	st := c.cfg.Endpoints
	for attempt := 0; ; attempt++ {
		_, err := st.update(ctx, ServiceNamespace, ServiceName, func(cur meta.Object) (meta.Object, error) {
			e, ok := cur.(*core.Endpoints)
			if !ok {
				return nil, fmt.Errorf("endpoints storage returned %T", cur)
			}
			setEndpointsLabels(e)
			e.Subsets = subsets
			return e, nil
		})
		if !apierrors.IsNotFound(err) {
			return errors.Join(err, c.sliceFor(ctx, subsets))
		}
		e := &core.Endpoints{ObjectMeta: meta.ObjectMeta{Namespace: ServiceNamespace, Name: ServiceName}, Subsets: subsets}
		setEndpointsLabels(e)
		_, err = st.create(ctx, e, c.now())
		if !apierrors.IsAlreadyExists(err) || attempt > 0 {
			return errors.Join(err, c.sliceFor(ctx, subsets))
		}
		// a peer created them first: update theirs
	}
}

// sliceFor keeps the kubernetes EndpointSlice when the controller has its
// store.
func (c *Controller) sliceFor(ctx context.Context, subsets []core.EndpointSubset) error {
	if !c.cfg.EndpointSlices.valid() {
		return nil
	}
	return c.reconcileEndpointSlice(ctx, subsets)
}

// setEndpointsLabels marks the Endpoints as Kubernetes does: an
// EndpointSlice mirror must not copy them.
func setEndpointsLabels(e *core.Endpoints) {
	if e.Labels == nil {
		e.Labels = map[string]string{}
	}
	e.Labels["endpointslice.kubernetes.io/skip-mirror"] = "true"
}
