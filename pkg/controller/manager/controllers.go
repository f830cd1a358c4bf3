package manager

import (
	"context"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/controller/certificates/rootcacertpublisher"
	"github.com/tinykube/tinykube/pkg/controller/cronjob"
	"github.com/tinykube/tinykube/pkg/controller/daemonset"
	"github.com/tinykube/tinykube/pkg/controller/deployment"
	"github.com/tinykube/tinykube/pkg/controller/disruption"
	"github.com/tinykube/tinykube/pkg/controller/endpoints"
	"github.com/tinykube/tinykube/pkg/controller/endpointslice"
	"github.com/tinykube/tinykube/pkg/controller/garbagecollector"
	"github.com/tinykube/tinykube/pkg/controller/job"
	"github.com/tinykube/tinykube/pkg/controller/namespace"
	"github.com/tinykube/tinykube/pkg/controller/nodelifecycle"
	"github.com/tinykube/tinykube/pkg/controller/replicaset"
	"github.com/tinykube/tinykube/pkg/controller/resourcequota"
	"github.com/tinykube/tinykube/pkg/controller/serviceaccount"
	"github.com/tinykube/tinykube/pkg/controller/statefulset"
	"github.com/tinykube/tinykube/pkg/controller/volume/persistentvolume"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvcprotection"
	"github.com/tinykube/tinykube/pkg/controller/volume/pvprotection"
)

// initializers is the table of controllers, in start order.
var initializers = []struct {
	name string
	init InitFunc
}{
	{replicaset.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := replicaset.New(c.Client, c.Factory, c.Recorder("replicaset-controller"), c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(replicaset.Name)) }, nil
	}},
	{deployment.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := deployment.New(c.Client, c.Factory, c.Recorder("deployment-controller"), c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(deployment.Name)) }, nil
	}},
	{garbagecollector.Name, func(c *Context) (func(context.Context), error) {
		gc, err := garbagecollector.New(c.Client, c.Factory, c.Options.GCPeriod, c.Options.GCDiscoveryPeriod, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { gc.Run(ctx, c.Workers(garbagecollector.Name)) }, nil
	}},
	{namespace.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := namespace.New(c.Client, c.Factory, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(namespace.Name)) }, nil
	}},
	{serviceaccount.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := serviceaccount.New(c.Client, c.Factory, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(serviceaccount.Name)) }, nil
	}},
	{rootcacertpublisher.Name, func(c *Context) (func(context.Context), error) {
		if len(c.Options.RootCA) == 0 {
			c.Logger.Info("no root CA (--root-ca-file, or a CA in the kubeconfig): not publishing kube-root-ca.crt",
				zap.String("controller", rootcacertpublisher.Name))
			return func(context.Context) {}, nil
		}
		ctrl, err := rootcacertpublisher.New(c.Client, c.Factory, c.Options.RootCA, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(rootcacertpublisher.Name)) }, nil
	}},
	{nodelifecycle.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := nodelifecycle.New(c.Client, c.Factory, c.Recorder("node-controller"), nodelifecycle.Options{
			GracePeriod: c.Options.NodeMonitorGracePeriod, MonitorPeriod: c.Options.NodeMonitorPeriod,
		}, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(nodelifecycle.Name)) }, nil
	}},
	{job.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := job.New(c.Client, c.Factory, c.Recorder("job-controller"), c.Logger)
		if err != nil {
			return nil, err
		}
		if c.Options.JobBackoffBase > 0 {
			ctrl.BackoffBase = c.Options.JobBackoffBase
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(job.Name)) }, nil
	}},
	{cronjob.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := cronjob.New(c.Client, c.Factory, c.Recorder("cronjob-controller"), c.Options.CronJobNow, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(cronjob.Name)) }, nil
	}},
	{daemonset.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := daemonset.New(c.Client, c.Factory, c.Recorder("daemonset-controller"), c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(daemonset.Name)) }, nil
	}},
	{statefulset.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := statefulset.New(c.Client, c.Factory, c.Recorder("statefulset-controller"), c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(statefulset.Name)) }, nil
	}},
	{persistentvolume.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := persistentvolume.New(c.Client, c.Factory, c.Recorder("persistentvolume-controller"), c.Options.HostPathVolumeDir, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(persistentvolume.Name)) }, nil
	}},
	{pvcprotection.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := pvcprotection.New(c.Client, c.Factory, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(pvcprotection.Name)) }, nil
	}},
	{pvprotection.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := pvprotection.New(c.Client, c.Factory, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(pvprotection.Name)) }, nil
	}},
	{endpoints.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := endpoints.New(c.Client, c.Factory, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(endpoints.Name)) }, nil
	}},
	{endpointslice.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := endpointslice.New(c.Client, c.Factory, c.Options.MaxEndpointsPerSlice, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(endpointslice.Name)) }, nil
	}},
	{disruption.Name, func(c *Context) (func(context.Context), error) {
		// Kubernetes' disruption controller records its events as
		// "controllermanager".
		ctrl, err := disruption.New(c.Client, c.Factory, c.Recorder("controllermanager"), c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(disruption.Name)) }, nil
	}},
	{resourcequota.Name, func(c *Context) (func(context.Context), error) {
		ctrl, err := resourcequota.New(c.Client, c.Factory, c.Logger)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) { ctrl.Run(ctx, c.Workers(resourcequota.Name)) }, nil
	}},
}
