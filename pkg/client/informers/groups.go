package informers

import (
	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/client/cache"
)

// The resources the typed accessors serve.
var (
	PodsResource                   = Resource{Version: "v1", Resource: "pods"}
	NodesResource                  = Resource{Version: "v1", Resource: "nodes"}
	NamespacesResource             = Resource{Version: "v1", Resource: "namespaces"}
	ServicesResource               = Resource{Version: "v1", Resource: "services"}
	EndpointsResource              = Resource{Version: "v1", Resource: "endpoints"}
	ConfigMapsResource             = Resource{Version: "v1", Resource: "configmaps"}
	ServiceAccountsResource        = Resource{Version: "v1", Resource: "serviceaccounts"}
	PersistentVolumesResource      = Resource{Version: "v1", Resource: "persistentvolumes"}
	PersistentVolumeClaimsResource = Resource{Version: "v1", Resource: "persistentvolumeclaims"}
	StorageClassesResource         = Resource{Group: "storage.k8s.io", Version: "v1", Resource: "storageclasses"}
	EventsResource                 = Resource{Version: "v1", Resource: "events"}
	DeploymentsResource            = Resource{Group: "apps", Version: "v1", Resource: "deployments"}
	ReplicaSetsResource            = Resource{Group: "apps", Version: "v1", Resource: "replicasets"}
	DaemonSetsResource             = Resource{Group: "apps", Version: "v1", Resource: "daemonsets"}
	StatefulSetsResource           = Resource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	ControllerRevisionsResource    = Resource{Group: "apps", Version: "v1", Resource: "controllerrevisions"}
	JobsResource                   = Resource{Group: "batch", Version: "v1", Resource: "jobs"}
	CronJobsResource               = Resource{Group: "batch", Version: "v1", Resource: "cronjobs"}
	LeasesResource                 = Resource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}
	PodDisruptionBudgetsResource   = Resource{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"}
)

// PodNodeNameIndexFunc indexes pods by spec.nodeName (bound pods only).
var PodNodeNameIndexFunc = cache.FieldIndexFunc(func(p *core.Pod) string { return p.Spec.NodeName })

// Core is the core/v1 group's informers.
type Core struct{ f SharedInformerFactory }

// Apps is the apps/v1 group's informers.
type Apps struct{ f SharedInformerFactory }

// Batch is the batch/v1 group's informers.
type Batch struct{ f SharedInformerFactory }

// Coordination is the coordination.k8s.io/v1 group's informers.
type Coordination struct{ f SharedInformerFactory }

// Policy is the policy/v1 group's informers.
type Policy struct{ f SharedInformerFactory }

func (f *factory) Core() Core                 { return Core{f} }
func (f *factory) Apps() Apps                 { return Apps{f} }
func (f *factory) Batch() Batch               { return Batch{f} }
func (f *factory) Coordination() Coordination { return Coordination{f} }

// Policy returns the policy/v1 group's informers.
func (f *factory) Policy() Policy { return Policy{f} }

// Storage is the storage.k8s.io/v1 group's informers.
type Storage struct{ f SharedInformerFactory }

// Storage returns the storage.k8s.io/v1 group's informers.
func (f *factory) Storage() Storage { return Storage{f} }

// StorageClasses is the storageclasses informer.
func (g Storage) StorageClasses() ResourceInformer[*storage.StorageClass] {
	return For[storage.StorageClass](g.f, StorageClassesResource, nil)
}

// PersistentVolumes is the persistentvolumes informer.
func (g Core) PersistentVolumes() ResourceInformer[*core.PersistentVolume] {
	return For[core.PersistentVolume](g.f, PersistentVolumesResource, nil)
}

// PersistentVolumeClaims is the persistentvolumeclaims informer.
func (g Core) PersistentVolumeClaims() ResourceInformer[*core.PersistentVolumeClaim] {
	return For[core.PersistentVolumeClaim](g.f, PersistentVolumeClaimsResource, nil)
}

// Pods also indexes by spec.nodeName (cache.NodeNameIndex).
func (g Core) Pods() ResourceInformer[*core.Pod] {
	return For[core.Pod](g.f, PodsResource, cache.Indexers[*core.Pod]{cache.NodeNameIndex: PodNodeNameIndexFunc})
}

// Nodes is the nodes informer.
func (g Core) Nodes() ResourceInformer[*core.Node] { return For[core.Node](g.f, NodesResource, nil) }

// Namespaces is the namespaces informer.
func (g Core) Namespaces() ResourceInformer[*core.Namespace] {
	return For[core.Namespace](g.f, NamespacesResource, nil)
}

// Services is the services informer.
func (g Core) Services() ResourceInformer[*core.Service] {
	return For[core.Service](g.f, ServicesResource, nil)
}

// Endpoints is the endpoints informer.
func (g Core) Endpoints() ResourceInformer[*core.Endpoints] {
	return For[core.Endpoints](g.f, EndpointsResource, nil)
}

// ConfigMaps is the configmaps informer.
func (g Core) ConfigMaps() ResourceInformer[*core.ConfigMap] {
	return For[core.ConfigMap](g.f, ConfigMapsResource, nil)
}

// ServiceAccounts is the serviceaccounts informer.
func (g Core) ServiceAccounts() ResourceInformer[*core.ServiceAccount] {
	return For[core.ServiceAccount](g.f, ServiceAccountsResource, nil)
}

// Events is the events informer.
func (g Core) Events() ResourceInformer[*core.Event] {
	return For[core.Event](g.f, EventsResource, nil)
}

// Deployments is the deployments informer.
func (g Apps) Deployments() ResourceInformer[*apps.Deployment] {
	return For[apps.Deployment](g.f, DeploymentsResource, nil)
}

// ReplicaSets is the replicasets informer.
func (g Apps) ReplicaSets() ResourceInformer[*apps.ReplicaSet] {
	return For[apps.ReplicaSet](g.f, ReplicaSetsResource, nil)
}

// DaemonSets is the daemonsets informer.
func (g Apps) DaemonSets() ResourceInformer[*apps.DaemonSet] {
	return For[apps.DaemonSet](g.f, DaemonSetsResource, nil)
}

// StatefulSets is the statefulsets informer.
func (g Apps) StatefulSets() ResourceInformer[*apps.StatefulSet] {
	return For[apps.StatefulSet](g.f, StatefulSetsResource, nil)
}

// ControllerRevisions is the controllerrevisions informer.
func (g Apps) ControllerRevisions() ResourceInformer[*apps.ControllerRevision] {
	return For[apps.ControllerRevision](g.f, ControllerRevisionsResource, nil)
}

// Jobs is the jobs informer.
func (g Batch) Jobs() ResourceInformer[*batch.Job] { return For[batch.Job](g.f, JobsResource, nil) }

// CronJobs is the cronjobs informer.
func (g Batch) CronJobs() ResourceInformer[*batch.CronJob] {
	return For[batch.CronJob](g.f, CronJobsResource, nil)
}

// Leases is the leases informer.
func (g Coordination) Leases() ResourceInformer[*coordination.Lease] {
	return For[coordination.Lease](g.f, LeasesResource, nil)
}

// PodDisruptionBudgets is the poddisruptionbudgets informer.
func (g Policy) PodDisruptionBudgets() ResourceInformer[*policy.PodDisruptionBudget] {
	return For[policy.PodDisruptionBudget](g.f, PodDisruptionBudgetsResource, nil)
}
