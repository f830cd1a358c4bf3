package clientset

import (
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// Clientset reaches every group the apiserver serves through one
// rest.Client (one connection pool, one rate limiter).
type Clientset struct {
	rest *rest.Client
}

// New wraps a rest.Client.
func New(c *rest.Client) *Clientset { return &Clientset{rest: c} }

// NewForConfig builds the rest.Client and the Clientset.
func NewForConfig(cfg *rest.Config) (*Clientset, error) {
	c, err := rest.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("clientset: %w", err)
	}
	return New(c), nil
}

// RESTClient is the underlying client, for requests no typed client covers.
func (cs *Clientset) RESTClient() *rest.Client { return cs.rest }

// CoreV1 is the core ("") group, version v1.
func (cs *Clientset) CoreV1() CoreV1 { return CoreV1{cs.rest} }

// AppsV1 is the apps/v1 group.
func (cs *Clientset) AppsV1() AppsV1 { return AppsV1{cs.rest} }

// BatchV1 is the batch/v1 group.
func (cs *Clientset) BatchV1() BatchV1 { return BatchV1{cs.rest} }

// CoordinationV1 is the coordination.k8s.io/v1 group.
func (cs *Clientset) CoordinationV1() CoordinationV1 { return CoordinationV1{cs.rest} }

// PolicyV1 is the policy/v1 group.
func (cs *Clientset) PolicyV1() PolicyV1 { return PolicyV1{cs.rest} }

// StorageV1 is the storage.k8s.io/v1 group.
func (cs *Clientset) StorageV1() StorageV1 { return StorageV1{cs.rest} }

// CoreV1 holds the core group's typed clients.
type CoreV1 struct{ c *rest.Client }

// Namespaces is the cluster-scoped namespaces client.
func (g CoreV1) Namespaces() *NamespaceClient {
	return NewResource[core.Namespace](g.c, NamespacesGVK, "")
}

// Nodes is the cluster-scoped nodes client.
func (g CoreV1) Nodes() *NodeClient { return NewResource[core.Node](g.c, NodesGVK, "") }

// Pods is the pods client of namespace ns ("" for all namespaces).
func (g CoreV1) Pods(ns string) PodClient { return PodClient{NewResource[core.Pod](g.c, PodsGVK, ns)} }

// Events is the events client of ns.
func (g CoreV1) Events(ns string) *EventClient { return NewResource[core.Event](g.c, EventsGVK, ns) }

// Services is the services client of ns.
func (g CoreV1) Services(ns string) *ServiceClient {
	return NewResource[core.Service](g.c, ServicesGVK, ns)
}

// Endpoints is the endpoints client of ns.
func (g CoreV1) Endpoints(ns string) *EndpointsClient {
	return NewResource[core.Endpoints](g.c, EndpointsGVK, ns)
}

// ConfigMaps is the configmaps client of ns.
func (g CoreV1) ConfigMaps(ns string) *ConfigMapClient {
	return NewResource[core.ConfigMap](g.c, ConfigMapsGVK, ns)
}

// Secrets is the secrets client of ns.
func (g CoreV1) Secrets(ns string) *SecretClient {
	return NewResource[core.Secret](g.c, SecretsGVK, ns)
}

// ServiceAccounts is the serviceaccounts client of ns.
func (g CoreV1) ServiceAccounts(ns string) *ServiceAccountClient {
	return NewResource[core.ServiceAccount](g.c, ServiceAccountsGVK, ns)
}

// AppsV1 holds the apps/v1 typed clients.
type AppsV1 struct{ c *rest.Client }

// PersistentVolumes is the cluster-scoped persistentvolumes client.
func (g CoreV1) PersistentVolumes() *PersistentVolumeClient {
	return NewResource[core.PersistentVolume](g.c, PersistentVolumesGVK, "")
}

// PersistentVolumeClaims is the persistentvolumeclaims client of ns.
func (g CoreV1) PersistentVolumeClaims(ns string) *PersistentVolumeClaimClient {
	return NewResource[core.PersistentVolumeClaim](g.c, PersistentVolumeClaimsGVK, ns)
}

// StorageV1 holds the storage.k8s.io/v1 group's typed clients.
type StorageV1 struct{ c *rest.Client }

// StorageClasses is the cluster-scoped storageclasses client.
func (g StorageV1) StorageClasses() *StorageClassClient {
	return NewResource[storage.StorageClass](g.c, StorageClassesGVK, "")
}

// Deployments is the deployments client of ns.
func (g AppsV1) Deployments(ns string) DeploymentClient {
	return DeploymentClient{NewResource[apps.Deployment](g.c, DeploymentsGVK, ns)}
}

// ReplicaSets is the replicasets client of ns.
func (g AppsV1) ReplicaSets(ns string) ReplicaSetClient {
	return ReplicaSetClient{NewResource[apps.ReplicaSet](g.c, ReplicaSetsGVK, ns)}
}

// DaemonSets is the daemonsets client of ns.
func (g AppsV1) DaemonSets(ns string) *DaemonSetClient {
	return NewResource[apps.DaemonSet](g.c, DaemonSetsGVK, ns)
}

// StatefulSets is the statefulsets client of ns.
func (g AppsV1) StatefulSets(ns string) StatefulSetClient {
	return StatefulSetClient{NewResource[apps.StatefulSet](g.c, StatefulSetsGVK, ns)}
}

// ControllerRevisions is the controllerrevisions client of ns.
func (g AppsV1) ControllerRevisions(ns string) *ControllerRevisionClient {
	return NewResource[apps.ControllerRevision](g.c, ControllerRevisionsGVK, ns)
}

// BatchV1 holds the batch/v1 typed clients.
type BatchV1 struct{ c *rest.Client }

// Jobs is the jobs client of ns.
func (g BatchV1) Jobs(ns string) *JobClient { return NewResource[batch.Job](g.c, JobsGVK, ns) }

// CronJobs is the cronjobs client of ns.
func (g BatchV1) CronJobs(ns string) *CronJobClient {
	return NewResource[batch.CronJob](g.c, CronJobsGVK, ns)
}

// CoordinationV1 holds the coordination.k8s.io/v1 typed clients.
type CoordinationV1 struct{ c *rest.Client }

// Leases is the leases client of ns.
func (g CoordinationV1) Leases(ns string) *LeaseClient {
	return NewResource[coordination.Lease](g.c, LeasesGVK, ns)
}

// PolicyV1 holds the policy/v1 typed clients.
type PolicyV1 struct{ c *rest.Client }

// PodDisruptionBudgets is the poddisruptionbudgets client of ns.
func (g PolicyV1) PodDisruptionBudgets(ns string) *PodDisruptionBudgetClient {
	return NewResource[policy.PodDisruptionBudget](g.c, PodDisruptionBudgetsGVK, ns)
}
