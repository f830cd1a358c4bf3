package clientset

import (
	"context"
	"io"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/api/storage"
)

// The resources of the registry, as the typed clients name them.
var (
	NamespacesGVK             = GVK{Version: "v1", Resource: "namespaces", Kind: "Namespace"}
	NodesGVK                  = GVK{Version: "v1", Resource: "nodes", Kind: "Node"}
	PodsGVK                   = GVK{Version: "v1", Resource: "pods", Kind: "Pod", Namespaced: true}
	EventsGVK                 = GVK{Version: "v1", Resource: "events", Kind: "Event", Namespaced: true}
	ServicesGVK               = GVK{Version: "v1", Resource: "services", Kind: "Service", Namespaced: true}
	EndpointsGVK              = GVK{Version: "v1", Resource: "endpoints", Kind: "Endpoints", Namespaced: true}
	ConfigMapsGVK             = GVK{Version: "v1", Resource: "configmaps", Kind: "ConfigMap", Namespaced: true}
	SecretsGVK                = GVK{Version: "v1", Resource: "secrets", Kind: "Secret", Namespaced: true}
	ServiceAccountsGVK        = GVK{Version: "v1", Resource: "serviceaccounts", Kind: "ServiceAccount", Namespaced: true}
	PersistentVolumesGVK      = GVK{Version: "v1", Resource: "persistentvolumes", Kind: "PersistentVolume"}
	PersistentVolumeClaimsGVK = GVK{Version: "v1", Resource: "persistentvolumeclaims", Kind: "PersistentVolumeClaim", Namespaced: true}
	StorageClassesGVK         = GVK{Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses", Kind: "StorageClass"}
	DeploymentsGVK            = GVK{Group: "apps", Version: "v1", Resource: "deployments", Kind: "Deployment", Namespaced: true}
	ReplicaSetsGVK            = GVK{Group: "apps", Version: "v1", Resource: "replicasets", Kind: "ReplicaSet", Namespaced: true}
	DaemonSetsGVK             = GVK{Group: "apps", Version: "v1", Resource: "daemonsets", Kind: "DaemonSet", Namespaced: true}
	StatefulSetsGVK           = GVK{Group: "apps", Version: "v1", Resource: "statefulsets", Kind: "StatefulSet", Namespaced: true}
	JobsGVK                   = GVK{Group: "batch", Version: "v1", Resource: "jobs", Kind: "Job", Namespaced: true}
	CronJobsGVK               = GVK{Group: "batch", Version: "v1", Resource: "cronjobs", Kind: "CronJob", Namespaced: true}
	LeasesGVK                 = GVK{Group: "coordination.k8s.io", Version: "v1", Resource: "leases", Kind: "Lease", Namespaced: true}
	PodDisruptionBudgetsGVK   = GVK{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets",
		Kind: "PodDisruptionBudget", Namespaced: true}
	ControllerRevisionsGVK = GVK{Group: "apps", Version: "v1", Resource: "controllerrevisions",
		Kind: "ControllerRevision", Namespaced: true}
)

// Typed clients of the core and other groups.
type (
	NamespaceClient             = Resource[core.Namespace, *core.Namespace]
	NodeClient                  = Resource[core.Node, *core.Node]
	EventClient                 = Resource[core.Event, *core.Event]
	ServiceClient               = Resource[core.Service, *core.Service]
	EndpointsClient             = Resource[core.Endpoints, *core.Endpoints]
	ConfigMapClient             = Resource[core.ConfigMap, *core.ConfigMap]
	SecretClient                = Resource[core.Secret, *core.Secret]
	ServiceAccountClient        = Resource[core.ServiceAccount, *core.ServiceAccount]
	PersistentVolumeClient      = Resource[core.PersistentVolume, *core.PersistentVolume]
	PersistentVolumeClaimClient = Resource[core.PersistentVolumeClaim, *core.PersistentVolumeClaim]
	StorageClassClient          = Resource[storage.StorageClass, *storage.StorageClass]
	DaemonSetClient             = Resource[apps.DaemonSet, *apps.DaemonSet]
	ControllerRevisionClient    = Resource[apps.ControllerRevision, *apps.ControllerRevision]
	JobClient                   = Resource[batch.Job, *batch.Job]
	CronJobClient               = Resource[batch.CronJob, *batch.CronJob]
	LeaseClient                 = Resource[coordination.Lease, *coordination.Lease]
	PodDisruptionBudgetClient   = Resource[policy.PodDisruptionBudget, *policy.PodDisruptionBudget]
	DeploymentClient            = ScalableClient[apps.Deployment, *apps.Deployment]
	ReplicaSetClient            = ScalableClient[apps.ReplicaSet, *apps.ReplicaSet]
	StatefulSetClient           = ScalableClient[apps.StatefulSet, *apps.StatefulSet]
)

var (
	_ ResourceInterface[core.Pod, *core.Pod]               = PodClient{}
	_ ResourceInterface[apps.Deployment, *apps.Deployment] = DeploymentClient{}
	_ ResourceInterface[core.Node, *core.Node]             = &NodeClient{}
)

// PodClient adds the pod subresources binding, eviction and log.
type PodClient struct {
	*Resource[core.Pod, *core.Pod]
}

// Bind assigns a pod to a node: POST pods/{binding.name}/binding.
func (c PodClient) Bind(ctx context.Context, b *core.Binding, opts meta.CreateOptions) error {
	cp := *b
	cp.APIVersion, cp.Kind = "v1", "Binding"
	return c.request("POST", c.nsOfBinding(b)).Name(b.Name).SubResource("binding").
		Params(writeParams(opts.DryRun, opts.FieldManager, opts.FieldValidation)).Body(&cp).Do(ctx).Error()
}

func (c PodClient) nsOfBinding(b *core.Binding) string {
	if c.namespace != "" {
		return c.namespace
	}
	return b.Namespace
}

// Evict asks the apiserver to evict a pod: POST pods/{name}/eviction.
func (c PodClient) Evict(ctx context.Context, e *policy.Eviction) error {
	cp := *e
	cp.APIVersion, cp.Kind = "policy/v1", "Eviction"
	ns := c.namespace
	if ns == "" {
		ns = e.Namespace
	}
	return c.request("POST", ns).Name(e.Name).SubResource("eviction").Body(&cp).Do(ctx).Error()
}

// LogOptions are the query parameters of pods/log.
type LogOptions struct {
	Container    string
	Follow       bool
	Previous     bool
	Timestamps   bool
	SinceSeconds *int64
	TailLines    *int64
	LimitBytes   *int64
}

// GetLogs opens the log of a pod's container; close the stream when done.
// With Follow it stays open until the container ends or ctx ends.
func (c PodClient) GetLogs(ctx context.Context, name string, opts LogOptions) (io.ReadCloser, error) {
	req := c.request("GET", c.namespace).Name(name).SubResource("log")
	if opts.Container != "" {
		req.Param("container", opts.Container)
	}
	for k, b := range map[string]bool{"follow": opts.Follow, "previous": opts.Previous, "timestamps": opts.Timestamps} {
		if b {
			req.Param(k, "true")
		}
	}
	for k, p := range map[string]*int64{"sinceSeconds": opts.SinceSeconds, "tailLines": opts.TailLines, "limitBytes": opts.LimitBytes} {
		if p != nil {
			req.Param(k, strconv.FormatInt(*p, 10))
		}
	}
	return req.Stream(ctx)
}

// ScalableClient adds the scale subresource (deployments, replicasets).
type ScalableClient[T any, PT interface {
	*T
	meta.Object
}] struct {
	*Resource[T, PT]
}

// GetScale reads {resource}/{name}/scale.
func (c ScalableClient[T, PT]) GetScale(ctx context.Context, name string, opts meta.GetOptions) (*autoscaling.Scale, error) {
	out := &autoscaling.Scale{}
	req := c.request("GET", c.namespace).Name(name).SubResource("scale")
	if opts.ResourceVersion != "" {
		req.Param("resourceVersion", opts.ResourceVersion)
	}
	if err := req.Do(ctx).Into(out); err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateScale writes {resource}/{name}/scale.
func (c ScalableClient[T, PT]) UpdateScale(ctx context.Context, name string, s *autoscaling.Scale, opts meta.UpdateOptions) (*autoscaling.Scale, error) {
	cp := *s
	cp.APIVersion, cp.Kind = "autoscaling/v1", "Scale"
	out := &autoscaling.Scale{}
	err := c.request("PUT", c.namespace).Name(name).SubResource("scale").
		Params(writeParams(opts.DryRun, opts.FieldManager, opts.FieldValidation)).Body(&cp).Do(ctx).Into(out)
	if err != nil {
		return nil, err
	}
	return out, nil
}
