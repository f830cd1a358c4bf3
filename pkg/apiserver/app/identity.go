package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/apiserver/identity"
	"github.com/tinykube/tinykube/pkg/registry"
)

// startIdentity starts the identity lease and the kubernetes Endpoints
// reconciler of this instance (see package identity). port is the port
// the HTTP server listens on.
func (inst *Instance) startIdentity(ctx context.Context, table *registry.Table, stores *storageSet, port int, tls bool) error {
	o := inst.opts
	store := func(group, resource string) identity.Store {
		r, ok := table.Lookup(group, "v1", resource)
		if !ok {
			return identity.Store{}
		}
		return identity.Store{Resource: r, Storage: stores.get(r.GroupResource())}
	}
	hostname, _ := os.Hostname()
	ep := identity.Endpoint{
		IP:   identity.AdvertiseAddress(o.Identity.AdvertiseAddress, o.BindAddress, identity.HostAddrs()),
		Port: int32(port),
	}
	c, err := identity.New(identity.Config{
		Options:        o.Identity,
		Hostname:       hostname,
		Endpoint:       ep,
		TLS:            tls,
		Leases:         store("coordination.k8s.io", "leases"),
		Services:       store("", "services"),
		Endpoints:      store("", "endpoints"),
		EndpointSlices: store("discovery.k8s.io", "endpointslices"),
		MasterLeases:   identity.NewEtcdMasterLeases(inst.client, o.Identity.EndpointLeaseTTL),
		Logger:         inst.log.Named("identity"),
	})
	if err != nil {
		return fmt.Errorf("apiserver identity: %w", err)
	}
	inst.identity = c
	inst.ID = c.LeaseName()
	c.Start(ctx)
	return nil
}

// stopIdentity stops the identity loops and takes this instance out of the
// kubernetes Endpoints, before the server stops serving.
func (inst *Instance) stopIdentity() {
	if inst.identity == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := inst.identity.Shutdown(ctx); err != nil {
		inst.log.Warn("remove this apiserver from the kubernetes endpoints", zap.Error(err))
	}
}
