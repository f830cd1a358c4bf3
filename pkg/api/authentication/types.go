// Package authentication holds the authentication.k8s.io/v1 TokenRequest:
// what a POST to serviceaccounts/{name}/token sends and gets back. Token
// requests are not stored: the server answers a create with the request,
// its defaults filled and its status holding the signed token.
package authentication

import "github.com/tinykube/tinykube/pkg/api/meta"

// Group and version of this package's kinds.
const (
	GroupName  = "authentication.k8s.io"
	Version    = "v1"
	APIVersion = GroupName + "/" + Version
)

// Defaults and bounds of TokenRequestSpec.ExpirationSeconds.
const (
	// DefaultExpirationSeconds is an hour, as Kubernetes defaults it.
	DefaultExpirationSeconds int64 = 3600
	// MinExpirationSeconds is ten minutes.
	MinExpirationSeconds int64 = 600
	// MaxExpirationSeconds is 2^32 seconds.
	MaxExpirationSeconds int64 = 1 << 32
)

// TokenRequest asks for a token of the service account it is posted to.
type TokenRequest struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            TokenRequestSpec   `json:"spec"`
	Status          TokenRequestStatus `json:"status,omitempty"`
}

// TokenRequestSpec is what the token is for.
type TokenRequestSpec struct {
	// Audiences the token is meant for; empty: the apiserver's audiences.
	Audiences []string `json:"audiences"`
	// ExpirationSeconds is the requested lifetime (default an hour, at
	// least ten minutes; the server may shorten it).
	ExpirationSeconds *int64 `json:"expirationSeconds,omitempty"`
	// BoundObjectRef ties the token to an object: it stops authenticating
	// once the object is gone.
	BoundObjectRef *BoundObjectReference `json:"boundObjectRef,omitempty"`
}

// BoundObjectReference names a Pod, Secret or Node.
type BoundObjectReference struct {
	Kind       string `json:"kind,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
	Name       string `json:"name,omitempty"`
	UID        string `json:"uid,omitempty"`
}

// TokenRequestStatus is the token issued.
type TokenRequestStatus struct {
	Token               string    `json:"token"`
	ExpirationTimestamp meta.Time `json:"expirationTimestamp"`
}

// DefaultTokenRequest sets expirationSeconds to an hour when unset.
func DefaultTokenRequest(tr *TokenRequest) {
	if tr.Spec.ExpirationSeconds == nil {
		v := DefaultExpirationSeconds
		tr.Spec.ExpirationSeconds = &v
	}
}
