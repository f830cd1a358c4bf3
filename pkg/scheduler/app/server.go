package app

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/client/cache"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/informers"
	"github.com/tinykube/tinykube/pkg/daemon"
	"github.com/tinykube/tinykube/pkg/scheduler"
)

// Run serves /healthz and /metrics and schedules while leader, until ctx
// ends (nil) or leadership is lost (leaderelection.ErrLeaseLost).
func Run(ctx context.Context, o *Options, logger *zap.Logger) error {
	cfg, err := o.Client.RESTConfig()
	if err != nil {
		return fmt.Errorf("client config: %w", err)
	}
	cs, err := clientset.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("clientset: %w", err)
	}
	srv := daemon.NewServer(o.Serving, logger, nil)
	leases := cs.CoordinationV1().Leases(o.LeaderElection.ResourceNamespace)
	return daemon.RunAll(ctx, srv.Run, func(ctx context.Context) error {
		return o.LeaderElection.Run(ctx, leases, logger, func(ctx context.Context) error {
			return RunScheduler(ctx, cs, o, logger)
		})
	})
}

// RunScheduler starts the informers, waits for them to sync and schedules
// until ctx ends; everything it started has stopped when it returns.
func RunScheduler(ctx context.Context, cs *clientset.Clientset, o *Options, logger *zap.Logger) error {
	factory := informers.NewSharedInformerFactory(cs.RESTClient(), 0, informers.WithLogger(logger))
	s, err := scheduler.New(scheduler.NewClient(cs), scheduler.Options{
		SchedulerName:            o.SchedulerName,
		Parallelism:              o.Parallelism,
		PercentageOfNodesToScore: o.PercentageOfNodesToScore,
		MaxBindsInFlight:         o.MaxBindsInFlight,
		Logger:                   logger,
		Informers:                factory,
		ClientSet:                cs,
	})
	if err != nil {
		return err
	}
	pods, nodes := factory.Core().Pods().Informer(), factory.Core().Nodes().Informer()
	if err := s.AddEventHandlers(pods, nodes); err != nil {
		return err
	}
	claims, volumes, classes := factory.Core().PersistentVolumeClaims().Informer(),
		factory.Core().PersistentVolumes().Informer(), factory.Storage().StorageClasses().Informer()
	if err := s.AddVolumeEventHandlers(claims, volumes, classes); err != nil {
		return err
	}
	factory.Start(ctx)
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx, pods.HasSynced, nodes.HasSynced, claims.HasSynced, volumes.HasSynced, classes.HasSynced) {
		return ctx.Err()
	}
	logger.Info("caches synced", zap.String("scheduler", o.SchedulerName))
	return s.Run(ctx)
}
