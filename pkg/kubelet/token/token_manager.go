// Package token is the kubelet's service account token manager, as
// Kubernetes' pkg/kubelet/token: it requests tokens bound to pods through
// serviceaccounts/{name}/token, caches them by what they were asked for and
// asks again when a token has lived 80% of its lifetime or 24 hours.
package token

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tinykube/tinykube/pkg/api/authentication"
)

// maxTTL is the age after which a token is refreshed whatever its
// expiration (Kubernetes' 24h).
const maxTTL = 24 * time.Hour

// cleanupPeriod is how often expired tokens are dropped from the cache.
const cleanupPeriod = time.Minute

// CreateFunc posts a TokenRequest for the service account ns/name.
type CreateFunc func(ctx context.Context, ns, name string, tr *authentication.TokenRequest) (*authentication.TokenRequest, error)

// Manager caches service account tokens. Its methods are safe for
// concurrent use.
type Manager struct {
	create CreateFunc
	now    func() time.Time

	mu          sync.Mutex
	cache       map[string]*authentication.TokenRequest
	lastCleanup time.Time
}

// NewManager returns a Manager that requests tokens through create; now is
// its clock (nil: time.Now).
func NewManager(create CreateFunc, now func() time.Time) *Manager {
	if now == nil {
		now = time.Now
	}
	return &Manager{create: create, now: now, cache: map[string]*authentication.TokenRequest{}}
}

// GetServiceAccountToken returns a token of the service account ns/name for
// tr's audiences, expiration and bound object: the cached one while it
// needs no refresh, else a new one. Should the request fail while the
// cached token is still valid, the cached token is returned.
func (m *Manager) GetServiceAccountToken(ctx context.Context, ns, name string, tr *authentication.TokenRequest) (*authentication.TokenRequest, error) {
	key := keyFor(ns, name, tr)
	now := m.now()
	m.mu.Lock()
	m.cleanupLocked(now)
	cached, ok := m.cache[key]
	m.mu.Unlock()
	if ok && !requiresRefresh(now, cached) {
		return cached, nil
	}
	got, err := m.create(ctx, ns, name, tr)
	if err != nil {
		if ok && !expired(now, cached) {
			return cached, nil
		}
		return nil, fmt.Errorf("failed to fetch token: %w", err)
	}
	if got.Spec.ExpirationSeconds == nil || got.Status.Token == "" {
		return nil, fmt.Errorf("failed to fetch token: the answer has no token or expirationSeconds")
	}
	m.mu.Lock()
	m.cache[key] = got
	m.mu.Unlock()
	return got, nil
}

// DeleteServiceAccountToken drops the tokens bound to the pod.
func (m *Manager) DeleteServiceAccountToken(podUID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, tr := range m.cache {
		if ref := tr.Spec.BoundObjectRef; ref != nil && ref.UID == podUID {
			delete(m.cache, k)
		}
	}
}

// Len is the number of cached tokens.
func (m *Manager) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.cache)
}

func (m *Manager) cleanupLocked(now time.Time) {
	if now.Sub(m.lastCleanup) < cleanupPeriod {
		return
	}
	m.lastCleanup = now
	for k, tr := range m.cache {
		if expired(now, tr) {
			delete(m.cache, k)
		}
	}
}

// requiresRefresh says whether a token is due for a new one: it has lived
// 80% of its lifetime (within the last fifth before expiring) or 24 hours.
// It does no I/O.
func requiresRefresh(now time.Time, tr *authentication.TokenRequest) bool {
	if tr.Spec.ExpirationSeconds == nil {
		return true
	}
	ttl := time.Duration(*tr.Spec.ExpirationSeconds) * time.Second
	exp := tr.Status.ExpirationTimestamp.Time
	issued := exp.Add(-ttl)
	return !now.Before(issued.Add(maxTTL)) || !now.Before(exp.Add(-ttl/5))
}

func expired(now time.Time, tr *authentication.TokenRequest) bool {
	return !now.Before(tr.Status.ExpirationTimestamp.Time)
}

// keyFor is the cache key of a request: the service account, the
// audiences, the expiration and the bound object.
func keyFor(ns, name string, tr *authentication.TokenRequest) string {
	var exp string
	if tr.Spec.ExpirationSeconds != nil {
		exp = strconv.FormatInt(*tr.Spec.ExpirationSeconds, 10)
	}
	var ref string
	if r := tr.Spec.BoundObjectRef; r != nil {
		ref = strings.Join([]string{r.APIVersion, r.Kind, r.Name, r.UID}, "/")
	}
	aud := slices.Clone(tr.Spec.Audiences)
	slices.Sort(aud)
	return strconv.Quote(ns) + "/" + strconv.Quote(name) + "/" + strconv.Quote(strings.Join(aud, ",")) + "/" + exp + "/" + ref
}
