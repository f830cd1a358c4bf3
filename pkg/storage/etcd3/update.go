package etcd3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// checkPreconditions returns why obj fails p, or nil.
func checkPreconditions(p *meta.Preconditions, obj meta.Object) error {
	if p == nil {
		return nil
	}
	m := obj.GetObjectMeta()
	if p.UID != nil && *p.UID != m.UID {
		return fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, m.UID)
	}
	if p.ResourceVersion != nil && *p.ResourceVersion != m.ResourceVersion {
		return fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v",
			*p.ResourceVersion, m.ResourceVersion)
	}
	return nil
}

// GuaranteedUpdate implements storage.Interface: read, tryUpdate, write if
// unchanged (Txn on ModRevision), retry on a concurrent write. A no-op
// update (the new object encodes as the stored one) writes nothing.
func (s *Store) GuaranteedUpdate(ctx context.Context, key string, preconditions *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(current meta.Object) (meta.Object, error)) (meta.Object, error) {
	cur, _, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("update %s: %w", key, err)
		}
		newData, err := s.tryUpdateOnce(cur, key, preconditions, ignoreNotFound, tryUpdate)
		if err != nil {
			return nil, err
		}
		if cur != nil && bytes.Equal(newData, cur.Value) {
			return s.Decode(cur.Value, cur.ModRevision)
		}
		ok, next, rev, err := s.putIfUnchanged(ctx, key, cur, newData)
		if err != nil {
			return nil, err
		}
		if ok {
			return s.Decode(newData, rev)
		}
		s.log.Debug("update conflict, retrying", zap.String("key", key), zap.Int("attempt", attempt))
		cur = next
	}
}

// tryUpdateOnce runs the checks and tryUpdate against cur (nil: absent) and
// returns the encoding of the object to write.
func (s *Store) tryUpdateOnce(cur *kvPair, key string, preconditions *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(meta.Object) (meta.Object, error)) ([]byte, error) {
	name := nameOf(key)
	var current meta.Object
	if cur == nil {
		if !ignoreNotFound {
			return nil, apierrors.NewNotFound(s.group, s.resource, name)
		}
	} else {
		obj, err := s.Decode(cur.Value, cur.ModRevision)
		if err != nil {
			return nil, err
		}
		if err := checkPreconditions(preconditions, obj); err != nil {
			return nil, apierrors.NewConflict(s.group, s.resource, name, err)
		}
		current = obj
	}
	updated, err := tryUpdate(current)
	if err != nil {
		return nil, err
	}
	if updated == nil {
		return nil, fmt.Errorf("update %s: tryUpdate returned no object", key)
	}
	if rv := updated.GetObjectMeta().ResourceVersion; rv != "" {
		if cur == nil {
			return nil, apierrors.NewNotFound(s.group, s.resource, name)
		}
		if rv != strconv.FormatInt(cur.ModRevision, 10) {
			return nil, apierrors.NewConflict(s.group, s.resource, name, errors.New(OptimisticLockErrorMsg))
		}
	}
	return encode(updated)
}

// putIfUnchanged writes data at key if it is still at cur (nil: absent). On a
// concurrent change it returns ok false and the key's new value (nil if gone).
func (s *Store) putIfUnchanged(ctx context.Context, key string, cur *kvPair, data []byte) (ok bool, next *kvPair, rev int64, err error) {
	k := s.EtcdKey(key)
	cmp := clientv3.Compare(clientv3.CreateRevision(k), "=", 0)
	if cur != nil {
		cmp = clientv3.Compare(clientv3.ModRevision(k), "=", cur.ModRevision)
	}
	start := time.Now()
	resp, err := s.client.Txn(ctx).If(cmp).Then(clientv3.OpPut(k, string(data))).Else(clientv3.OpGet(k)).Commit()
	s.observe("update", start)
	if err != nil {
		return false, nil, 0, fmt.Errorf("update %s: %w", k, err)
	}
	if resp.Succeeded {
		return true, nil, resp.Header.Revision, nil
	}
	return false, elseValue(resp), 0, nil
}

// elseValue returns the key read by a failed Txn's Else(OpGet), or nil.
func elseValue(resp *clientv3.TxnResponse) *kvPair {
	if len(resp.Responses) == 0 {
		return nil
	}
	rr := resp.Responses[0].GetResponseRange()
	if rr == nil || len(rr.Kvs) == 0 {
		return nil
	}
	return &kvPair{Value: rr.Kvs[0].Value, ModRevision: rr.Kvs[0].ModRevision}
}

// Delete implements storage.Interface: Txn on ModRevision, retried while the
// object changes between the read and the delete.
func (s *Store) Delete(ctx context.Context, key string, preconditions *meta.Preconditions,
	validate func(current meta.Object) error) (meta.Object, error) {
	name := nameOf(key)
	k := s.EtcdKey(key)
	cur, _, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	for {
		if cur == nil {
			return nil, apierrors.NewNotFound(s.group, s.resource, name)
		}
		obj, err := s.Decode(cur.Value, cur.ModRevision)
		if err != nil {
			return nil, err
		}
		if err := checkPreconditions(preconditions, obj); err != nil {
			return nil, apierrors.NewConflict(s.group, s.resource, name, err)
		}
		if validate != nil {
			if err := validate(obj); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		resp, err := s.client.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(k), "=", cur.ModRevision)).
			Then(clientv3.OpDelete(k)).Else(clientv3.OpGet(k)).Commit()
		s.observe("delete", start)
		if err != nil {
			return nil, fmt.Errorf("delete %s: %w", k, err)
		}
		if resp.Succeeded {
			obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(resp.Header.Revision, 10)
			return obj, nil
		}
		cur = elseValue(resp)
	}
}
