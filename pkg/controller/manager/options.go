// Package manager runs the controllers of the controller-manager: it
// selects them (--controllers), sizes their workers
// (--concurrent-<name>-syncs), shares one informer factory between them and
// runs them under leader election so that only one replica acts.
package manager

import (
	"cmp"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/client/leaderelection"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/controller/endpointslice"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
)

// LeaseName is the Lease the controller-managers elect a leader on.
const LeaseName = "kube-controller-manager"

// Options are the controller-manager's own flags.
type Options struct {
	// Controllers lists what to run: "*" is every controller, "name" enables
	// one, "-name" disables one.
	Controllers []string
	// Concurrent is the number of workers per controller.
	Concurrent map[string]int
	// NodeMonitorGracePeriod is how long a node may go without a heartbeat
	// before it is marked unreachable; NodeMonitorPeriod how often nodes
	// are checked.
	NodeMonitorGracePeriod time.Duration
	NodeMonitorPeriod      time.Duration
	// ResyncPeriod is the informers' default resync.
	ResyncPeriod time.Duration
	// GCPeriod is how often the garbage collector re-scans every object
	// (besides reacting to events).
	GCPeriod time.Duration
	// GCDiscoveryPeriod is how often the garbage collector reads discovery
	// again for resources to follow (Kubernetes' fixed 30 s; tests; no flag).
	GCDiscoveryPeriod time.Duration
	// JobBackoffBase replaces the job controller's 10s failure back-off
	// (tests; no flag, as in Kubernetes).
	JobBackoffBase time.Duration
	// CronJobNow replaces the cronjob controller's clock (tests; no flag).
	CronJobNow func() time.Time
	// HostPathVolumeDir is where the persistentvolume-binder's host-path
	// provisioner puts the volumes it makes (on the nodes).
	HostPathVolumeDir string
	// RootCAFile (--root-ca-file) is the CA bundle the root-ca-cert-publisher
	// publishes as kube-root-ca.crt in every namespace; RootCA is its
	// content once ResolveRootCA ran (when no file is given, the CA of the
	// controller-manager's own kubeconfig; empty: nothing is published).
	RootCAFile string
	RootCA     []byte
	// MaxEndpointsPerSlice (--max-endpoints-per-slice) bounds the
	// endpoints of one EndpointSlice the endpointslice controller writes.
	MaxEndpointsPerSlice int

	LeaderElection *leaderelection.Options
}

// NewOptions returns Kubernetes' defaults.
func NewOptions() *Options {
	return &Options{
		Controllers: []string{"*"},
		Concurrent: map[string]int{
			"replicaset": 5, "deployment": 5, "daemonset": 2, "job": 5, "namespace": 10,
			"garbagecollector": 20, "endpoints": 5, "nodelifecycle": 1,
			// Kubernetes runs one disruption worker.
			"disruption": 1,
			// --concurrent-cron-job-syncs in Kubernetes.
			"cronjob": 5,
			// --concurrent-statefulset-syncs in Kubernetes.
			"statefulset": 5,
			// Kubernetes runs one serviceaccount worker.
			"serviceaccount": 1,
			// Kubernetes runs one root-ca-cert-publisher worker.
			"root-ca-cert-publisher":  1,
			"persistentvolume-binder": 1,
			// --concurrent-service-endpoint-syncs in Kubernetes.
			"endpointslice": 5,
		},
		NodeMonitorGracePeriod: 40 * time.Second,
		NodeMonitorPeriod:      5 * time.Second,
		ResyncPeriod:           12 * time.Hour,
		GCPeriod:               30 * time.Second,
		GCDiscoveryPeriod:      30 * time.Second,
		HostPathVolumeDir:      persistentvolume.DefaultVolumeDir,
		MaxEndpointsPerSlice:   endpointslice.DefaultMaxEndpointsPerSlice,
		LeaderElection:         leaderelection.NewOptions(LeaseName),
	}
}

// AddFlags registers the flags on fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&o.Controllers, "controllers", o.Controllers,
		fmt.Sprintf("controllers to run: '*' all, 'foo' enables foo, '-foo' disables foo; all: %s", strings.Join(AllControllers(), ", ")))
	for _, name := range AllControllers() {
		n := o.Concurrent[name]
		o.Concurrent[name] = n
		fs.Var(&intValue{m: o.Concurrent, key: name}, "concurrent-"+name+"-syncs",
			fmt.Sprintf("number of %s objects synced concurrently", name))
	}
	fs.DurationVar(&o.NodeMonitorGracePeriod, "node-monitor-grace-period", o.NodeMonitorGracePeriod,
		"how long a node may be unresponsive before it is marked unhealthy")
	fs.DurationVar(&o.NodeMonitorPeriod, "node-monitor-period", o.NodeMonitorPeriod, "how often node health is checked")
	fs.DurationVar(&o.ResyncPeriod, "min-resync-period", o.ResyncPeriod, "the informers' resync period")
	fs.StringVar(&o.HostPathVolumeDir, "host-path-volume-dir", o.HostPathVolumeDir,
		"directory on the nodes under which the tinykube.io/host-path provisioner makes volumes")
	fs.StringVar(&o.RootCAFile, "root-ca-file", o.RootCAFile,
		"PEM CA bundle published to pods as the kube-root-ca.crt ConfigMap of every namespace (default: the kubeconfig's CA)")
	fs.IntVar(&o.MaxEndpointsPerSlice, "max-endpoints-per-slice", o.MaxEndpointsPerSlice,
		"the most endpoints the endpointslice controller puts in one EndpointSlice (1 to 1000)")
	o.LeaderElection.AddFlags(fs)
}

// ResolveRootCA sets RootCA, as kube-controller-manager picks the root CA:
// the --root-ca-file, else the CA the client trusts (its kubeconfig's
// certificate-authority(-data)), else none.
func (o *Options) ResolveRootCA(client rest.TLSClientConfig) error {
	file, data := o.RootCAFile, []byte(nil)
	if file == "" {
		file, data = client.CAFile, client.CAData
	}
	if len(data) == 0 && file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("root CA: %w", err)
		}
		data = b
	}
	if len(data) > 0 {
		if block, _ := pem.Decode(data); block == nil || block.Type != "CERTIFICATE" {
			return fmt.Errorf("root CA %s: no PEM certificate", cmp.Or(file, "of the kubeconfig"))
		}
	}
	o.RootCA = data
	return nil
}

// Validate checks the options.
func (o *Options) Validate() error {
	known := AllControllers()
	for _, c := range o.Controllers {
		name := strings.TrimPrefix(c, "-")
		if c != "*" && !slices.Contains(known, name) {
			return fmt.Errorf("--controllers: unknown controller %q (known: %s)", c, strings.Join(known, ", "))
		}
	}
	if o.NodeMonitorGracePeriod <= 0 || o.NodeMonitorPeriod <= 0 {
		return fmt.Errorf("--node-monitor-grace-period and --node-monitor-period must be positive")
	}
	if o.MaxEndpointsPerSlice < 1 || o.MaxEndpointsPerSlice > 1000 {
		return fmt.Errorf("--max-endpoints-per-slice %d must be between 1 and 1000", o.MaxEndpointsPerSlice)
	}
	// The directory becomes the hostPath of provisioned volumes, which
	// every kubelet resolves on its own node, whatever its working directory.
	if o.HostPathVolumeDir != "" && !filepath.IsAbs(o.HostPathVolumeDir) {
		return fmt.Errorf("--host-path-volume-dir %q must be an absolute path", o.HostPathVolumeDir)
	}
	return nil
}

// Enabled reports whether --controllers selects name: an explicit "-name"
// wins, then an explicit "name", then "*".
func Enabled(controllers []string, name string) bool {
	star := false
	for _, c := range controllers {
		switch c {
		case "-" + name:
			return false
		case name:
			return true
		case "*":
			star = true
		}
	}
	return star
}

// intValue is a pflag.Value writing into a map entry.
type intValue struct {
	m   map[string]int
	key string
}

func (v *intValue) String() string { return fmt.Sprint(v.m[v.key]) }
func (v *intValue) Type() string   { return "int" }
func (v *intValue) Set(s string) error {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 1 {
		return fmt.Errorf("want a positive integer, got %q", s)
	}
	v.m[v.key] = n
	return nil
}
