package serviceaccount

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// Service account user names and groups, as Kubernetes names them.
const (
	// UsernamePrefix starts the user name of every service account:
	// system:serviceaccount:<namespace>:<name>.
	UsernamePrefix = "system:serviceaccount:"
	// AllServiceAccountsGroup holds every service account.
	AllServiceAccountsGroup = "system:serviceaccounts"
	// NamespaceGroupPrefix + namespace holds the accounts of a namespace.
	NamespaceGroupPrefix = "system:serviceaccounts:"

	// Extra keys of an authenticated service account's user info.
	PodNameKey      = "authentication.kubernetes.io/pod-name"
	PodUIDKey       = "authentication.kubernetes.io/pod-uid"
	NodeNameKey     = "authentication.kubernetes.io/node-name"
	NodeUIDKey      = "authentication.kubernetes.io/node-uid"
	CredentialIDKey = "authentication.kubernetes.io/credential-id"
)

// Leeway is how far the clocks of the issuer and the checker may differ:
// a token is accepted up to a minute after exp and before nbf, and an
// object deleted less than a minute ago still validates it (go-jose's
// default, which Kubernetes uses).
const Leeway = time.Minute

// MakeUsername is the user name of a service account.
func MakeUsername(namespace, name string) string {
	return UsernamePrefix + namespace + ":" + name
}

// NumericDate is a JWT time: seconds since the epoch.
type NumericDate int64

// NewNumericDate truncates t to seconds.
func NewNumericDate(t time.Time) NumericDate { return NumericDate(t.Unix()) }

// Time returns d as a time.
func (d NumericDate) Time() time.Time { return time.Unix(int64(d), 0) }

// UnmarshalJSON also reads a fractional number (RFC 7519 allows it).
func (d *NumericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("numeric date: %w", err)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("numeric date %s", b)
	}
	*d = NumericDate(int64(f))
	return nil
}

// Audience is the aud claim: one string or an array of them.
type Audience []string

// UnmarshalJSON reads a string or an array.
func (a *Audience) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("aud: %w", err)
		}
		*a = Audience{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("aud: %w", err)
	}
	*a = l
	return nil
}

// Claims are the payload of a service account token, in the order
// Kubernetes' tokens list them.
type Claims struct {
	Audience   Audience    `json:"aud,omitempty"`
	Expiry     NumericDate `json:"exp,omitempty"`
	IssuedAt   NumericDate `json:"iat,omitempty"`
	Issuer     string      `json:"iss,omitempty"`
	ID         string      `json:"jti,omitempty"`
	Kubernetes *Kubernetes `json:"kubernetes.io,omitempty"`
	NotBefore  NumericDate `json:"nbf,omitempty"`
	Subject    string      `json:"sub,omitempty"`
}

// Kubernetes is the private kubernetes.io claim.
type Kubernetes struct {
	Namespace      string `json:"namespace,omitempty"`
	Node           *Ref   `json:"node,omitempty"`
	Pod            *Ref   `json:"pod,omitempty"`
	Secret         *Ref   `json:"secret,omitempty"`
	ServiceAccount Ref    `json:"serviceaccount"`
}

// Ref names an object and its uid.
type Ref struct {
	Name string `json:"name,omitempty"`
	UID  string `json:"uid,omitempty"`
}

// Bound are the objects a token is bound to (each may be nil; at most one
// of Pod, Secret and Node is what the request named, and Node is also set
// for a pod bound to an existing node).
type Bound struct {
	Pod    *core.Pod
	Secret *core.Secret
	Node   *core.Node
}

// NewClaims builds the claims of a token of sa, bound to b, for audiences,
// valid from now for expirationSeconds, with token ID jti. The issuer is
// the Issuer's to set.
func NewClaims(sa *core.ServiceAccount, b Bound, audiences []string, expirationSeconds int64, now time.Time, jti string) *Claims {
	c := &Claims{
		Subject:   MakeUsername(sa.Namespace, sa.Name),
		Audience:  append(Audience(nil), audiences...),
		IssuedAt:  NewNumericDate(now),
		NotBefore: NewNumericDate(now),
		Expiry:    NewNumericDate(now.Add(time.Duration(expirationSeconds) * time.Second)),
		ID:        jti,
		Kubernetes: &Kubernetes{Namespace: sa.Namespace,
			ServiceAccount: Ref{Name: sa.Name, UID: sa.UID}},
	}
	if b.Pod != nil {
		c.Kubernetes.Pod = &Ref{Name: b.Pod.Name, UID: b.Pod.UID}
	} else if b.Secret != nil {
		c.Kubernetes.Secret = &Ref{Name: b.Secret.Name, UID: b.Secret.UID}
	}
	if b.Node != nil {
		c.Kubernetes.Node = &Ref{Name: b.Node.Name, UID: b.Node.UID}
	}
	return c
}

// checkTime checks exp, nbf and iat against now with Leeway.
func (c *Claims) checkTime(now time.Time) error {
	if c.Expiry != 0 && now.After(c.Expiry.Time().Add(Leeway)) {
		return fmt.Errorf("service account token has expired")
	}
	if c.NotBefore != 0 && now.Add(Leeway).Before(c.NotBefore.Time()) {
		return fmt.Errorf("service account token is not valid yet")
	}
	if c.IssuedAt != 0 && now.Add(Leeway).Before(c.IssuedAt.Time()) {
		return fmt.Errorf("service account token is issued in the future")
	}
	return nil
}

// intersect returns the audiences of the token also in want; a token
// without an aud claim counts as issued for want.
func intersect(have Audience, want []string) []string {
	if len(have) == 0 {
		return want
	}
	var out []string
	for _, a := range have {
		for _, w := range want {
			if a == w {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// audiencesError is the error of a token for none of want.
func audiencesError(have Audience, want []string) error {
	return fmt.Errorf("token audiences %q is invalid for the target audiences %q", []string(have), want)
}

// splitUsername returns the namespace and name of a service account user
// name.
func splitUsername(sub string) (ns, name string, ok bool) {
	rest, ok := strings.CutPrefix(sub, UsernamePrefix)
	if !ok {
		return "", "", false
	}
	ns, name, ok = strings.Cut(rest, ":")
	return ns, name, ok && ns != "" && name != "" && !strings.Contains(name, ":")
}
