package core

import "github.com/tinykube/tinykube/pkg/api/meta"

// DefaultServiceAccountName is the service account the serviceaccount
// controller keeps in every namespace and pods run as when they name none.
const DefaultServiceAccountName = "default"

// What a pod finds of its in-cluster configuration, as Kubernetes names it:
// the directory the ServiceAccount admission mounts the API access volume
// at, its files (the token, the cluster's CA, the pod's namespace) and the
// ConfigMap in every namespace that holds the CA (the
// root-ca-cert-publisher controller keeps it).
const (
	DefaultAPITokenMountPath   = "/var/run/secrets/kubernetes.io/serviceaccount"
	ServiceAccountTokenKey     = "token"
	ServiceAccountRootCAKey    = "ca.crt"
	ServiceAccountNamespaceKey = "namespace"
	RootCACertConfigMapName    = "kube-root-ca.crt"
	// APIAccessVolumePrefix starts the name of the volume the
	// ServiceAccount admission adds ("kube-api-access-" and five random
	// characters).
	APIAccessVolumePrefix = "kube-api-access-"
)

// ServiceAccount is an identity for processes that run in pods.
type ServiceAccount struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	// Secrets lists the secrets pods running as this service account may use.
	Secrets []ObjectReference `json:"secrets,omitempty"`
	// ImagePullSecrets are added to the pods that run as this account.
	ImagePullSecrets []LocalObjectReference `json:"imagePullSecrets,omitempty"`
	// AutomountServiceAccountToken says whether pods running as this account
	// get an API token mounted; a pod's own setting wins.
	AutomountServiceAccountToken *bool `json:"automountServiceAccountToken,omitempty"`
}
