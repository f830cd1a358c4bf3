package serviceaccount

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

// Issuer signs tokens for one issuer URL with one private key.
type Issuer struct {
	iss string
	key crypto.Signer
	kid string
}

// NewIssuer returns an issuer signing with key as iss.
func NewIssuer(iss string, key crypto.Signer) (*Issuer, error) {
	pk, err := NewPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	return &Issuer{iss: iss, key: key, kid: pk.KID}, nil
}

// PublicKey is the key the issuer's tokens verify with.
func (i *Issuer) PublicKey() PublicKey {
	pk, _ := NewPublicKey(i.key.Public())
	return pk
}

// Issuer is the iss claim of the tokens.
func (i *Issuer) Issuer() string { return i.iss }

// GenerateToken signs c, its iss set to the issuer's.
func (i *Issuer) GenerateToken(c *Claims) (string, error) {
	cc := *c
	cc.Issuer = i.iss
	payload, err := json.Marshal(&cc)
	if err != nil {
		return "", fmt.Errorf("token claims: %w", err)
	}
	return sign(i.key, i.kid, payload)
}

// Getter reads the objects a token names, to check that they still exist
// with the uid the token holds; a missing object is a NotFound Status
// error.
type Getter interface {
	GetServiceAccount(ctx context.Context, namespace, name string) (*core.ServiceAccount, error)
	GetPod(ctx context.Context, namespace, name string) (*core.Pod, error)
	GetSecret(ctx context.Context, namespace, name string) (*core.Secret, error)
	GetNode(ctx context.Context, name string) (*core.Node, error)
}

// Authenticator authenticates the bearer tokens the Issuers of Issuers
// signed with one of Keys.
type Authenticator struct {
	// Issuers are the accepted iss claims; tokens of other issuers are
	// left to the other authenticators.
	Issuers []string
	// Keys verify the signatures.
	Keys []PublicKey
	// Audiences are the API audiences (--api-audiences): a token must name
	// one of them.
	Audiences []string
	// Getter reads the service account and the bound objects.
	Getter Getter
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// ErrInvalidToken wraps every reason a service account token is refused.
var ErrInvalidToken = errors.New("invalid service account token")

// AuthenticateRequest implements authentication.Request for
// "Authorization: Bearer <JWT>".
func (a *Authenticator) AuthenticateRequest(req *http.Request) (*user.Info, bool, error) {
	token, ok := bearerToken(req)
	if !ok {
		return nil, false, nil
	}
	return a.AuthenticateToken(req.Context(), token)
}

// bearerToken is authentication.BearerToken, not imported to keep this
// package free of the token file's.
func bearerToken(req *http.Request) (string, bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(req.Header.Get("Authorization")), " ")
	if !found || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// AuthenticateToken checks token: ok false and no error when it is not a
// JWT of one of the issuers; an error when it is one but is invalid
// (signature, time, audience, or an object it names is gone or was
// replaced).
func (a *Authenticator) AuthenticateToken(ctx context.Context, token string) (*user.Info, bool, error) {
	t, err := parseJWS(token)
	if err != nil {
		return nil, false, nil
	}
	var c Claims
	if err := json.Unmarshal(t.payload, &c); err != nil || !slices.Contains(a.Issuers, c.Issuer) {
		return nil, false, nil
	}
	if err := t.verify(a.Keys); err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	now := time.Now()
	if a.Now != nil {
		now = a.Now()
	}
	if err := c.checkTime(now); err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if len(a.Audiences) > 0 && len(intersect(c.Audience, a.Audiences)) == 0 {
		return nil, false, fmt.Errorf("%w: %w", ErrInvalidToken, audiencesError(c.Audience, a.Audiences))
	}
	u, err := a.validate(ctx, &c, now)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	return u, true, nil
}

// validate checks that the objects the claims name still exist with their
// uids and returns the user.
func (a *Authenticator) validate(ctx context.Context, c *Claims, now time.Time) (*user.Info, error) {
	k := c.Kubernetes
	if k == nil {
		return nil, errors.New("no kubernetes.io claim")
	}
	ns, name, ok := splitUsername(c.Subject)
	if !ok || ns != k.Namespace || name != k.ServiceAccount.Name {
		return nil, fmt.Errorf("subject %q does not name the service account %s/%s", c.Subject, k.Namespace, k.ServiceAccount.Name)
	}
	deletedBefore := now.Add(-Leeway)
	// An object marked for deletion more than Leeway ago is gone already.
	gone := func(ts *meta.Time) bool { return ts != nil && ts.Before(deletedBefore) }
	sa, err := a.Getter.GetServiceAccount(ctx, ns, name)
	if err != nil {
		return nil, fmt.Errorf("service account %s/%s: %w", ns, name, err)
	}
	if gone(sa.DeletionTimestamp) {
		return nil, fmt.Errorf("service account %s/%s has been deleted", ns, name)
	}
	if sa.UID != k.ServiceAccount.UID {
		return nil, fmt.Errorf("service account UID (%s) does not match claim (%s)", sa.UID, k.ServiceAccount.UID)
	}
	extra := map[string][]string{}
	if r := k.Secret; r != nil {
		s, err := a.Getter.GetSecret(ctx, ns, r.Name)
		switch {
		case err != nil:
			return nil, errInvalidated("secret", ns, r.Name, err)
		case gone(s.DeletionTimestamp):
			return nil, errInvalidated("secret", ns, r.Name, errors.New("deleted"))
		case s.UID != r.UID:
			return nil, fmt.Errorf("secret UID (%s) does not match service account secret ref claim (%s)", s.UID, r.UID)
		}
	}
	if r := k.Pod; r != nil {
		p, err := a.Getter.GetPod(ctx, ns, r.Name)
		switch {
		case err != nil:
			return nil, errInvalidated("pod", ns, r.Name, err)
		case gone(p.DeletionTimestamp):
			return nil, errInvalidated("pod", ns, r.Name, errors.New("deleted"))
		case p.UID != r.UID:
			return nil, fmt.Errorf("pod UID (%s) does not match service account pod ref claim (%s)", p.UID, r.UID)
		}
		extra[PodNameKey], extra[PodUIDKey] = []string{r.Name}, []string{r.UID}
	}
	if r := k.Node; r != nil {
		if k.Pod == nil {
			// Bound to the node itself: the node must still be there.
			n, err := a.Getter.GetNode(ctx, r.Name)
			switch {
			case err != nil:
				return nil, errInvalidated("node", "", r.Name, err)
			case n.UID != r.UID:
				return nil, fmt.Errorf("node UID (%s) does not match service account node ref claim (%s)", n.UID, r.UID)
			}
		}
		extra[NodeNameKey], extra[NodeUIDKey] = []string{r.Name}, []string{r.UID}
	}
	if c.ID != "" {
		extra[CredentialIDKey] = []string{"JTI=" + c.ID}
	}
	u := &user.Info{Name: c.Subject, UID: sa.UID,
		Groups: []string{AllServiceAccountsGroup, NamespaceGroupPrefix + ns}}
	if len(extra) > 0 {
		u.Extra = extra
	}
	return u, nil
}

// errInvalidated is Kubernetes' "has been invalidated" for a bound object
// that is gone; the cause is kept for the log.
func errInvalidated(kind, ns, name string, cause error) error {
	if apierrors.IsNotFound(cause) {
		cause = errors.New("not found")
	}
	return fmt.Errorf("service account token has been invalidated: bound %s %s: %w", kind, strings.TrimPrefix(ns+"/"+name, "/"), cause)
}
