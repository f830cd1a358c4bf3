package manager

import (
	"context"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/client/record"
)

// Context is what a controller's constructor gets.
type Context struct {
	Client  *clientset.Clientset
	Factory informers.SharedInformerFactory
	Options *Options
	Logger  *zap.Logger
	// Recorder returns an event recorder whose events name component.
	Recorder func(component string) record.EventRecorder
}

// Workers is the --concurrent-<name>-syncs of name.
func (c *Context) Workers(name string) int { return max(c.Options.Concurrent[name], 1) }

// InitFunc builds one controller and returns its Run, which blocks until ctx ends.
type InitFunc func(c *Context) (run func(ctx context.Context), err error)

// AllControllers is the name of every controller, in start order.
func AllControllers() []string {
	out := make([]string, len(initializers))
	for i, in := range initializers {
		out[i] = in.name
	}
	return out
}

// Run runs the selected controllers until ctx ends, under leader election
// when it is on. It returns leaderelection.ErrLeaseLost if leadership was
// lost (the process should exit and start again clean).
func Run(ctx context.Context, opts *Options, client *clientset.Clientset, logger *zap.Logger) error {
	if err := opts.Validate(); err != nil {
		return err
	}
	leases := client.CoordinationV1().Leases(opts.LeaderElection.ResourceNamespace)
	return opts.LeaderElection.Run(ctx, leases, logger, func(ctx context.Context) error {
		return RunControllers(ctx, opts, client, logger)
	})
}

// RunControllers runs the selected controllers without leader election
// until ctx ends, and returns once every goroutine it started has stopped.
func RunControllers(ctx context.Context, opts *Options, client *clientset.Clientset, logger *zap.Logger) error {
	factory := informers.NewSharedInformerFactory(client.RESTClient(), opts.ResyncPeriod, informers.WithLogger(logger))
	var recorders []*record.Recorder
	cc := &Context{
		Client: client, Factory: factory, Options: opts, Logger: logger,
		Recorder: func(component string) record.EventRecorder {
			r := record.New(record.NewSink(client), component, logger)
			recorders = append(recorders, r)
			return r
		},
	}
	var runs []func(context.Context)
	for _, in := range initializers {
		if !Enabled(opts.Controllers, in.name) {
			continue
		}
		run, err := in.init(cc)
		if err != nil {
			return fmt.Errorf("start controller %s: %w", in.name, err)
		}
		logger.Info("controller enabled", zap.String("controller", in.name))
		runs = append(runs, run)
	}
	var wg sync.WaitGroup
	for _, r := range recorders {
		wg.Go(func() { r.Run(ctx) })
	}
	factory.Start(ctx)
	for _, run := range runs {
		wg.Go(func() { run(ctx) })
	}
	<-ctx.Done()
	wg.Wait()
	factory.Shutdown()
	return nil
}
