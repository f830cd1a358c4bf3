// Package app assembles a running apiserver from its options: etcd (an
// embedded member or an external cluster), one store per resource, the HTTP
// server, the compactor and the system namespaces. cmd/apiserver and the
// integration-test framework both start the apiserver through Start.
package app

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/apiserver/identity"
)

// Options are the apiserver's settings, bound to kube-apiserver's flag names.
type Options struct {
	EtcdServers                         []string
	DataDir                             string
	EmbeddedEtcdClientPort              int
	EmbeddedEtcdPeerPort                int
	BindAddress                         string
	Port                                int
	TLSCertFile                         string
	TLSPrivateKeyFile                   string
	MaxRequestsInFlight                 int
	MaxMutatingRequestsInFlight         int
	EtcdCompactionInterval              time.Duration
	DefaultNotReadyTolerationSeconds    int64
	DefaultUnreachableTolerationSeconds int64
	// WatchCacheSize is the number of recent events each resource's watch
	// cache keeps for resuming watches (0: the cacher's default).
	WatchCacheSize int
	// ShutdownTimeout bounds the wait for in-flight requests on shutdown.
	ShutdownTimeout time.Duration
	// Profiling serves /debug/pprof (authorized as non-resource URLs).
	Profiling bool
	// UnsafeNoFsync makes the embedded etcd skip fsync (tests only).
	UnsafeNoFsync bool
	// Identity: --advertise-address, the identity lease and the kubernetes
	// Endpoints reconciler.
	Identity identity.Options
	// Security: authentication, authorization, request timeout (security.go).
	Security SecurityOptions
	// ServiceAccount: service account tokens (serviceaccount.go).
	ServiceAccount ServiceAccountOptions
}

// NewOptions returns kube-apiserver's defaults.
func NewOptions() *Options {
	return &Options{
		DataDir:                             ".local/apiserver-data",
		EmbeddedEtcdClientPort:              2379,
		EmbeddedEtcdPeerPort:                2380,
		BindAddress:                         "0.0.0.0",
		Port:                                8080,
		MaxRequestsInFlight:                 400,
		MaxMutatingRequestsInFlight:         200,
		EtcdCompactionInterval:              5 * time.Minute,
		DefaultNotReadyTolerationSeconds:    300,
		DefaultUnreachableTolerationSeconds: 300,
		ShutdownTimeout:                     30 * time.Second,
		Identity:                            identity.NewOptions(),
		Security:                            NewSecurityOptions(),
	}
}

// AddFlags binds the options to flags.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.EtcdServers, "etcd-servers", o.EtcdServers,
		"comma-separated etcd client URLs; empty starts an embedded etcd member in --data-dir")
	fs.StringVar(&o.DataDir, "data-dir", o.DataDir, "data directory of the embedded etcd member")
	fs.IntVar(&o.EmbeddedEtcdClientPort, "embedded-etcd-client-port", o.EmbeddedEtcdClientPort,
		"client port of the embedded etcd member on 127.0.0.1")
	fs.IntVar(&o.EmbeddedEtcdPeerPort, "embedded-etcd-peer-port", o.EmbeddedEtcdPeerPort,
		"peer port of the embedded etcd member on 127.0.0.1")
	fs.StringVar(&o.BindAddress, "bind-address", o.BindAddress, "address to serve the API on")
	fs.IntVar(&o.Port, "port", o.Port, "port to serve the API on")
	fs.StringVar(&o.TLSCertFile, "tls-cert-file", o.TLSCertFile, "serve HTTPS with this certificate (PEM)")
	fs.StringVar(&o.TLSPrivateKeyFile, "tls-private-key-file", o.TLSPrivateKeyFile, "private key of --tls-cert-file (PEM)")
	fs.IntVar(&o.MaxRequestsInFlight, "max-requests-inflight", o.MaxRequestsInFlight,
		"maximum read-only requests in flight (0 = no limit); more get 429")
	fs.IntVar(&o.MaxMutatingRequestsInFlight, "max-mutating-requests-inflight", o.MaxMutatingRequestsInFlight,
		"maximum mutating requests in flight (0 = no limit); more get 429")
	fs.DurationVar(&o.EtcdCompactionInterval, "etcd-compaction-interval", o.EtcdCompactionInterval,
		"interval of etcd history compaction (0 disables it)")
	fs.Int64Var(&o.DefaultNotReadyTolerationSeconds, "default-not-ready-toleration-seconds", o.DefaultNotReadyTolerationSeconds,
		"tolerationSeconds of the not-ready:NoExecute toleration added to pods without one")
	fs.Int64Var(&o.DefaultUnreachableTolerationSeconds, "default-unreachable-toleration-seconds", o.DefaultUnreachableTolerationSeconds,
		"tolerationSeconds of the unreachable:NoExecute toleration added to pods without one")
	fs.IntVar(&o.WatchCacheSize, "watch-cache-size", o.WatchCacheSize,
		"events kept per resource for resuming watches (0: 10000)")
	fs.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", o.ShutdownTimeout,
		"how long shutdown waits for in-flight requests")
	fs.BoolVar(&o.Profiling, "profiling", o.Profiling,
		"serve /debug/pprof on the API port (authenticated and authorized like any non-resource URL)")
	o.Identity.AddFlags(fs)
	o.Security.AddFlags(fs)
	o.ServiceAccount.AddFlags(fs)
}

// Validate reports inconsistent options.
func (o *Options) Validate() error {
	if (o.TLSCertFile == "") != (o.TLSPrivateKeyFile == "") {
		return fmt.Errorf("--tls-cert-file and --tls-private-key-file go together")
	}
	if o.Port < 0 || o.Port > 65535 {
		return fmt.Errorf("--port %d out of range", o.Port)
	}
	if len(o.EtcdServers) == 0 && o.DataDir == "" {
		return fmt.Errorf("--data-dir is required for the embedded etcd member")
	}
	if o.MaxRequestsInFlight < 0 || o.MaxMutatingRequestsInFlight < 0 {
		return fmt.Errorf("in-flight limits must be non-negative")
	}
	if err := o.Security.Validate(o.TLSCertFile != ""); err != nil {
		return err
	}
	if err := o.ServiceAccount.Validate(); err != nil {
		return err
	}
	return o.Identity.Validate()
}
