// Package app is the scheduler daemon: its flags and Run, which serves
// health and metrics, campaigns for leadership and schedules while leader.
// cmd/scheduler only parses flags and calls Run.
package app

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/clientcmd"
	"github.com/tinykube/tinykube/pkg/client/leaderelection"
	"github.com/tinykube/tinykube/pkg/daemon"
	"github.com/tinykube/tinykube/pkg/scheduler"
	"github.com/tinykube/tinykube/pkg/scheduler/framework/parallelize"
)

// DefaultPort is kube-scheduler's secure port number (served as HTTP here).
const DefaultPort = 10259

// DefaultLeaseName is kube-scheduler's lease.
const DefaultLeaseName = "kube-scheduler"

// Options are the scheduler's flags.
type Options struct {
	Client         *clientcmd.ClientOptions
	Serving        *daemon.ServingOptions
	LeaderElection *leaderelection.Options
	Log            *daemon.LogOptions

	SchedulerName            string
	Parallelism              int
	PercentageOfNodesToScore int32
	MaxBindsInFlight         int
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	return &Options{
		Client:         clientcmd.NewClientOptions(),
		Serving:        daemon.NewServingOptions(DefaultPort),
		LeaderElection: leaderelection.NewOptions(DefaultLeaseName),
		Log:            daemon.NewLogOptions(),
		SchedulerName:  core.DefaultSchedulerName,
		Parallelism:    parallelize.DefaultParallelism,
		// 0: adaptive (50% - nodes/125, at least 5%), as Kubernetes.
		PercentageOfNodesToScore: 0,
		MaxBindsInFlight:         scheduler.DefaultMaxBindsInFlight,
	}
}

// AddFlags registers every flag on fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Client.AddFlags(fs)
	o.Serving.AddFlags(fs)
	o.LeaderElection.AddFlags(fs)
	o.Log.AddFlags(fs)
	fs.StringVar(&o.SchedulerName, "scheduler-name", o.SchedulerName, "schedule the pods whose spec.schedulerName is this")
	fs.IntVar(&o.Parallelism, "parallelism", o.Parallelism, "the number of goroutines filtering and scoring nodes")
	fs.Int32Var(&o.PercentageOfNodesToScore, "percentage-of-nodes-to-score", o.PercentageOfNodesToScore,
		"stop filtering once this percentage of the nodes fit (at least 100 nodes); 0 adapts to the cluster size")
	fs.IntVar(&o.MaxBindsInFlight, "max-binds-in-flight", o.MaxBindsInFlight, "the most bindings and status writes in flight at once")
}

// Complete fills in what depends on other flags: a scheduler with its own
// name elects on a lease of that name unless the lease name was set.
func (o *Options) Complete(fs *pflag.FlagSet) {
	if o.SchedulerName != core.DefaultSchedulerName && !fs.Changed("leader-elect-resource-name") {
		o.LeaderElection.ResourceName = o.SchedulerName
	}
}

// Validate checks the flags.
func (o *Options) Validate() error {
	if o.SchedulerName == "" {
		return fmt.Errorf("--scheduler-name must not be empty")
	}
	if o.Parallelism <= 0 {
		return fmt.Errorf("--parallelism must be positive, got %d", o.Parallelism)
	}
	if o.PercentageOfNodesToScore < 0 || o.PercentageOfNodesToScore > 100 {
		return fmt.Errorf("--percentage-of-nodes-to-score must be in [0, 100], got %d", o.PercentageOfNodesToScore)
	}
	if err := o.Log.Validate(); err != nil {
		return fmt.Errorf("log flags: %w", err)
	}
	return nil
}
