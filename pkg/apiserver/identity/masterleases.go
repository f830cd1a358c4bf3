package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
)

// MasterLeases keeps one expiring key per live instance.
type MasterLeases interface {
	// UpdateLease creates or refreshes ep's key; it expires after the TTL
	// unless refreshed again.
	UpdateLease(ctx context.Context, ep Endpoint) error
	// ListLeases returns the endpoints whose keys have not expired.
	ListLeases(ctx context.Context) ([]Endpoint, error)
	// RemoveLease deletes ep's key at once.
	RemoveLease(ctx context.Context, ep Endpoint) error
}

// EtcdMasterLeases stores master leases as etcd keys
// MasterLeasePrefix + "ip:port" attached to an etcd lease of the TTL, kept
// alive by UpdateLease. Safe for concurrent use.
type EtcdMasterLeases struct {
	client *clientv3.Client
	ttl    time.Duration

	mu     sync.Mutex
	leases map[Endpoint]clientv3.LeaseID // the etcd lease holding each key we wrote
}

var _ MasterLeases = &EtcdMasterLeases{}

// NewEtcdMasterLeases returns master leases on client with the given TTL
// (whole seconds, at least 1s; etcd may raise very short TTLs to its
// minimum).
func NewEtcdMasterLeases(client *clientv3.Client, ttl time.Duration) *EtcdMasterLeases {
	return &EtcdMasterLeases{client: client, ttl: ttl, leases: map[Endpoint]clientv3.LeaseID{}}
}

// MasterLeaseKey is the etcd key of ep's master lease.
func MasterLeaseKey(ep Endpoint) string { return MasterLeasePrefix + ep.String() }

// UpdateLease keeps the key's etcd lease alive and the key on it (rewritten
// if someone deleted it), or, when there is no lease yet or it expired
// meanwhile, grants a new lease and writes the key on it.
func (m *EtcdMasterLeases) UpdateLease(ctx context.Context, ep Endpoint) error {
	m.mu.Lock()
	id, ok := m.leases[ep]
	m.mu.Unlock()
	if ok {
		_, err := m.client.KeepAliveOnce(ctx, id)
		if err == nil {
			return m.putOn(ctx, ep, id)
		}
		if !errors.Is(err, rpctypes.ErrLeaseNotFound) {
			return fmt.Errorf("keep master lease %s alive: %w", ep, err)
		}
	}
	ttl := int64(m.ttl / time.Second)
	if ttl < 1 {
		ttl = 1
	}
	grant, err := m.client.Grant(ctx, ttl)
	if err != nil {
		return fmt.Errorf("grant master lease %s: %w", ep, err)
	}
	if err := m.putOn(ctx, ep, grant.ID); err != nil {
		return err
	}
	m.mu.Lock()
	m.leases[ep] = grant.ID
	m.mu.Unlock()
	return nil
}

// putOn writes ep's key attached to lease id unless it already is (no
// write, no new revision, in the common case).
func (m *EtcdMasterLeases) putOn(ctx context.Context, ep Endpoint, id clientv3.LeaseID) error {
	key := MasterLeaseKey(ep)
	_, err := m.client.Txn(ctx).
		If(clientv3.Compare(clientv3.LeaseValue(key), "=", id)).
		Else(clientv3.OpPut(key, ep.String(), clientv3.WithLease(id))).
		Commit()
	if err != nil {
		return fmt.Errorf("write master lease %s: %w", ep, err)
	}
	return nil
}

// ListLeases reads the live master lease keys (quorum read).
func (m *EtcdMasterLeases) ListLeases(ctx context.Context) ([]Endpoint, error) {
	resp, err := m.client.Get(ctx, MasterLeasePrefix, clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("list master leases: %w", err)
	}
	out := make([]Endpoint, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		if ep, ok := ParseEndpoint(strings.TrimPrefix(string(kv.Key), MasterLeasePrefix)); ok {
			out = append(out, ep)
		}
	}
	return out, nil
}

// RemoveLease deletes ep's key and revokes the etcd lease we held for it.
func (m *EtcdMasterLeases) RemoveLease(ctx context.Context, ep Endpoint) error {
	m.mu.Lock()
	id, ok := m.leases[ep]
	delete(m.leases, ep)
	m.mu.Unlock()
	if _, err := m.client.Delete(ctx, MasterLeaseKey(ep)); err != nil {
		return fmt.Errorf("delete master lease %s: %w", ep, err)
	}
	if ok {
		if _, err := m.client.Revoke(ctx, id); err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
			return fmt.Errorf("revoke master lease %s: %w", ep, err)
		}
	}
	return nil
}
