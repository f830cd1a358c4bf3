// Package identity makes apiserver instances on one etcd known to each
// other and to clients, as kube-apiserver does:
//
//   - the identity Lease: each instance holds kube-system/apiserver-<id>,
//     labelled apiserver.kubernetes.io/identity=kube-apiserver, renewed every
//     10s with a lease duration of 3600s; survivors delete the expired
//     identity leases of instances that are gone;
//   - the lease endpoint reconciler: each instance keeps a master lease key
//     in etcd (/registry/masterleases/<ip>:<port>, TTL 15s, refreshed every
//     10s) and reconciles the Endpoints of the `kubernetes` Service in
//     `default` to the set of live master leases. An instance that stops
//     renewing drops out within the TTL; a graceful shutdown removes its
//     entry at once.
//
// The Controller writes objects through the same registry strategy
// (preparation, defaults, validation) and storage as the HTTP handlers, so
// it needs no loopback client and no credentials.
package identity

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// Names and labels, as kube-apiserver.
const (
	// LeaseNamespace holds the identity leases.
	LeaseNamespace = "kube-system"
	// IdentityLabel marks identity leases; its value is IdentityLabelValue.
	IdentityLabel      = "apiserver.kubernetes.io/identity"
	IdentityLabelValue = "kube-apiserver"
	// HostnameLabel carries the host name of the instance.
	HostnameLabel = "kubernetes.io/hostname"

	// ServiceNamespace and ServiceName name the Service whose Endpoints list
	// the live instances.
	ServiceNamespace = "default"
	ServiceName      = "kubernetes"

	// MasterLeasePrefix is the etcd key prefix of the master leases.
	MasterLeasePrefix = "/registry/masterleases/"
)

// Endpoint reconciler types (--endpoint-reconciler-type).
const (
	ReconcilerLease = "lease"
	ReconcilerNone  = "none"
)

// Options are the flags of apiserver identity and endpoint reconciliation.
type Options struct {
	// AdvertiseAddress is the IP published in the kubernetes Endpoints
	// (empty: the bind address if specific, else the first non-loopback
	// IPv4 of an up interface, else 127.0.0.1).
	AdvertiseAddress string
	// ID names the identity lease apiserver-<ID> (empty: derived from the
	// host name, advertise address and port, so stable across restarts).
	ID string
	// EndpointReconcilerType is "lease" (default) or "none".
	EndpointReconcilerType string

	IdentityLeaseDuration      time.Duration
	IdentityLeaseRenewInterval time.Duration
	// IdentityLeaseGCPeriod is how often expired identity leases are
	// deleted.
	IdentityLeaseGCPeriod time.Duration

	// EndpointLeaseTTL is the TTL of the master lease key: an instance that
	// stops renewing leaves the Endpoints within it.
	EndpointLeaseTTL time.Duration
	// EndpointReconcileInterval is how often the master lease is renewed and
	// the Endpoints reconciled.
	EndpointReconcileInterval time.Duration
}

// NewOptions returns kube-apiserver's defaults.
func NewOptions() Options {
	return Options{
		EndpointReconcilerType:     ReconcilerLease,
		IdentityLeaseDuration:      3600 * time.Second,
		IdentityLeaseRenewInterval: 10 * time.Second,
		IdentityLeaseGCPeriod:      3600 * time.Second,
		EndpointLeaseTTL:           15 * time.Second,
		EndpointReconcileInterval:  10 * time.Second,
	}
}

// AddFlags binds the options to flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.AdvertiseAddress, "advertise-address", o.AdvertiseAddress,
		"IP address on which to advertise the apiserver to members of the cluster (the kubernetes Endpoints); "+
			"empty: --bind-address if specific, else the first non-loopback IPv4")
	fs.StringVar(&o.ID, "apiserver-id", o.ID,
		"identity of this instance: its lease is kube-system/apiserver-<id> (empty: a hash of host name, advertise address and port)")
	fs.StringVar(&o.EndpointReconcilerType, "endpoint-reconciler-type", o.EndpointReconcilerType,
		"how the kubernetes Endpoints are kept: lease (master leases in etcd) or none")
	fs.Var((*seconds)(&o.IdentityLeaseDuration), "identity-lease-duration-seconds",
		"the duration of this instance's identity lease in seconds (leaseDurationSeconds)")
	fs.Var((*seconds)(&o.IdentityLeaseRenewInterval), "identity-lease-renew-interval-seconds",
		"the interval of renewing the identity lease in seconds")
	fs.DurationVar(&o.EndpointLeaseTTL, "endpoint-lease-ttl", o.EndpointLeaseTTL,
		"TTL of this instance's master lease: a dead instance leaves the kubernetes Endpoints within it")
	fs.DurationVar(&o.EndpointReconcileInterval, "endpoint-reconcile-interval", o.EndpointReconcileInterval,
		"how often the master lease is renewed and the kubernetes Endpoints reconciled")
}

// Validate reports inconsistent options.
func (o *Options) Validate() error {
	if o.AdvertiseAddress != "" && net.ParseIP(o.AdvertiseAddress) == nil {
		return fmt.Errorf("--advertise-address %q is not an IP address", o.AdvertiseAddress)
	}
	switch o.EndpointReconcilerType {
	case ReconcilerLease, ReconcilerNone:
	default:
		return fmt.Errorf("--endpoint-reconciler-type %q: want lease or none", o.EndpointReconcilerType)
	}
	if o.ID != "" && !isDNSLabel("apiserver-"+o.ID) {
		return fmt.Errorf("--apiserver-id %q: apiserver-<id> must be a lowercase RFC 1123 label", o.ID)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"--identity-lease-duration-seconds", o.IdentityLeaseDuration},
		{"--identity-lease-renew-interval-seconds", o.IdentityLeaseRenewInterval},
		{"the identity lease GC period", o.IdentityLeaseGCPeriod},
		{"--endpoint-lease-ttl", o.EndpointLeaseTTL},
		{"--endpoint-reconcile-interval", o.EndpointReconcileInterval},
	} {
		if d.v <= 0 {
			return fmt.Errorf("%s must be positive", d.name)
		}
	}
	if o.IdentityLeaseDuration < time.Second || o.EndpointLeaseTTL < time.Second {
		return fmt.Errorf("lease durations are whole seconds: at least 1s")
	}
	if o.EndpointReconcileInterval >= o.EndpointLeaseTTL {
		return fmt.Errorf("--endpoint-reconcile-interval (%s) must be shorter than --endpoint-lease-ttl (%s)",
			o.EndpointReconcileInterval, o.EndpointLeaseTTL)
	}
	return nil
}

// seconds is a duration flag given in whole seconds, as kube-apiserver's
// --identity-lease-*-seconds flags.
type seconds time.Duration

func (s *seconds) String() string { return strconv.FormatInt(int64(time.Duration(*s)/time.Second), 10) }

func (s *seconds) Set(v string) error {
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return fmt.Errorf("want a whole number of seconds: %w", err)
	}
	*s = seconds(time.Duration(n) * time.Second)
	return nil
}

func (s *seconds) Type() string { return "int" }
