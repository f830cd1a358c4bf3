package etcd3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"strconv"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Digest identifies a stored value by its length and a hash, so a cache can
// tell whether an update would rewrite the value it last saw without
// keeping the bytes. The zero Digest is unknown.
type Digest struct {
	size int
	hash uint64
}

var digestSeed = maphash.MakeSeed()

// DigestOf returns the digest of a stored value.
func DigestOf(value []byte) Digest {
	return Digest{size: len(value), hash: maphash.Bytes(digestSeed, value)}
}

// Known reports whether d was computed from a value.
func (d Digest) Known() bool { return d.size > 0 }

// Cached is a cache's object for a key, the starting state of a
// read-modify-write that then needs no etcd read when the cache is current
// (as Kubernetes' cachedExistingObject). Object is shared: the store never
// mutates it and hands out copies; its resourceVersion is the ModRevision
// it was stored at. Digest is that of the stored value it was decoded from
// (zero if unknown: then it is computed from Object's encoding).
type Cached struct {
	Object meta.Object
	Digest Digest
	// Data, if set, is JSON that decodes exactly as the stored value
	// Object stands for without having been decoded from it (a write's own
	// object): the stored value, or it with its resourceVersion. A private
	// copy is then decoded from Data rather than copied from Object, so
	// that a read-modify-write starts from exactly what decoding etcd's
	// value gives.
	Data []byte
}

// objState is the state a read-modify-write starts from: read from etcd
// (current) or taken from a cache (possibly stale). A state is handed to
// tryUpdate or validate once; a retry starts from a new state.
type objState struct {
	exists bool
	rev    int64       // ModRevision; 0 if absent
	obj    meta.Object // decoded; nil if absent
	data   []byte      // the stored value; nil when the state came from a cache
	digest Digest      // of the stored value when data is nil
	shared bool        // obj belongs to a cache: copy it before handing it out
	raw    []byte      // for a shared obj, the stored value to decode a copy from (nil: deep-copy obj)
	// current is Kubernetes' origStateIsCurrent: the state was read from etcd
	// by this call, so a failed check against it is final.
	current bool
}

// readState reads the key's current state from etcd.
func (s *Store) readState(ctx context.Context, key string) (*objState, error) {
	kv, _, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	return s.stateOf(kv)
}

// stateOf decodes a value read from etcd (nil: absent) into a current state.
func (s *Store) stateOf(kv *kvPair) (*objState, error) {
	if kv == nil {
		return &objState{current: true}, nil
	}
	obj, err := s.Decode(kv.Value, kv.ModRevision)
	if err != nil {
		return nil, err
	}
	return &objState{exists: true, rev: kv.ModRevision, obj: obj, data: kv.Value, current: true}, nil
}

// startState is the cached state if there is a usable one, else etcd's.
func (s *Store) startState(ctx context.Context, key string, cached *Cached) (*objState, error) {
	if cached != nil && cached.Object != nil {
		rev, err := strconv.ParseInt(cached.Object.GetObjectMeta().ResourceVersion, 10, 64)
		if err == nil && rev > 0 {
			return &objState{exists: true, rev: rev, obj: cached.Object, digest: cached.Digest, raw: cached.Data, shared: true}, nil
		}
	}
	return s.readState(ctx, key)
}

// private returns st's object for the caller to use and mutate.
func (s *Store) private(st *objState) (meta.Object, error) {
	if !st.shared {
		return st.obj, nil
	}
	obj, err := s.copyShared(st)
	if err != nil {
		return nil, err
	}
	if !st.digest.Known() {
		data, err := encode(obj) // the private copy: encode may touch resourceVersion
		if err != nil {
			return nil, err
		}
		st.digest = DigestOf(data)
	}
	return obj, nil
}

// copyShared returns a private copy of a cached state's object: decoded
// from the stored value if the cache has it, else deep-copied.
func (s *Store) copyShared(st *objState) (meta.Object, error) {
	if st.raw != nil {
		return s.Decode(st.raw, st.rev)
	}
	return meta.DeepCopy(st.obj), nil
}

// sameValue reports whether data is (for a current state) or may be (for a
// cached one, by digest) the stored value.
func (st *objState) sameValue(data []byte) bool {
	if st.data != nil {
		return bytes.Equal(data, st.data)
	}
	return st.digest == DigestOf(data)
}

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
	return s.GuaranteedUpdateCached(ctx, key, preconditions, ignoreNotFound, tryUpdate, nil)
}

// GuaranteedUpdateCached is GuaranteedUpdateStored handing a
// storage.Written on ctx the result's JSON.
func (s *Store) GuaranteedUpdateCached(ctx context.Context, key string, preconditions *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(current meta.Object) (meta.Object, error), cached *Cached) (meta.Object, error) {
	out, st, err := s.GuaranteedUpdateStored(ctx, key, preconditions, ignoreNotFound, tryUpdate, cached)
	if err != nil {
		return nil, err
	}
	recordWritten(ctx, out, st)
	return out, nil
}

// GuaranteedUpdateStored is GuaranteedUpdate starting from a cache's object
// for the key instead of reading etcd (nil: read etcd), as Kubernetes'
// GuaranteedUpdate with cachedExistingObject: when the cache is current the
// update is one etcd request (the Txn). A stale cached state is found out by
// the Txn (whose Else reads the current value to retry from) and a check
// that fails against it (preconditions, tryUpdate's error, a stale
// resourceVersion) is re-run against etcd's current state before it is
// reported. The returned object is the one written (tryUpdate's result with
// the write's resourceVersion), not shared with the cache; Stored tells
// what etcd holds for it. It does not fill a storage.Written.
func (s *Store) GuaranteedUpdateStored(ctx context.Context, key string, preconditions *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(current meta.Object) (meta.Object, error), cached *Cached) (meta.Object, Stored, error) {
	st, err := s.startState(ctx, key, cached)
	if err != nil {
		return nil, Stored{}, err
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, Stored{}, fmt.Errorf("update %s: %w", key, err)
		}
		updated, newData, err := s.tryUpdateOnce(st, key, preconditions, ignoreNotFound, tryUpdate)
		if err != nil {
			if st.current {
				return nil, Stored{}, err
			}
			// The cached state may be stale: check against etcd's.
			cachedRev, cachedErr := st.rev, err
			if st, err = s.readState(ctx, key); err != nil {
				return nil, Stored{}, err
			}
			if st.exists && st.rev == cachedRev {
				return nil, Stored{}, cachedErr // the cache was current after all
			}
			continue
		}
		if st.exists && st.sameValue(newData) {
			if !st.current {
				// Only etcd's value can tell a no-op for sure.
				if st, err = s.readState(ctx, key); err != nil {
					return nil, Stored{}, err
				}
				if !st.exists || !bytes.Equal(newData, st.data) {
					continue
				}
			}
			// No-op: the stored value is newData, which decodes as updated.
			updated.GetObjectMeta().ResourceVersion = strconv.FormatInt(st.rev, 10)
			return updated, Stored{Data: newData, Rev: st.rev}, nil
		}
		ok, next, rev, err := s.putIfUnchanged(ctx, key, st, newData)
		if err != nil {
			return nil, Stored{}, err
		}
		if ok {
			updated.GetObjectMeta().ResourceVersion = strconv.FormatInt(rev, 10)
			return updated, Stored{Data: newData, Rev: rev, Wrote: true}, nil
		}
		s.log.Debug("update conflict, retrying", zap.String("key", key), zap.Int("attempt", attempt))
		if st, err = s.stateOf(next); err != nil {
			return nil, Stored{}, err
		}
	}
}

// tryUpdateOnce runs the checks and tryUpdate against st and returns the
// object to write and its encoding.
func (s *Store) tryUpdateOnce(st *objState, key string, preconditions *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(meta.Object) (meta.Object, error)) (meta.Object, []byte, error) {
	name := nameOf(key)
	var current meta.Object
	if !st.exists {
		if !ignoreNotFound {
			return nil, nil, apierrors.NewNotFound(s.group, s.resource, name)
		}
	} else {
		if err := checkPreconditions(preconditions, st.obj); err != nil {
			return nil, nil, apierrors.NewConflict(s.group, s.resource, name, err)
		}
		obj, err := s.private(st)
		if err != nil {
			return nil, nil, err
		}
		current = obj
	}
	updated, err := tryUpdate(current)
	if err != nil {
		return nil, nil, err
	}
	if updated == nil {
		return nil, nil, fmt.Errorf("update %s: tryUpdate returned no object", key)
	}
	if rv := updated.GetObjectMeta().ResourceVersion; rv != "" {
		if !st.exists {
			return nil, nil, apierrors.NewNotFound(s.group, s.resource, name)
		}
		if rv != strconv.FormatInt(st.rev, 10) {
			return nil, nil, apierrors.NewConflict(s.group, s.resource, name, errors.New(OptimisticLockErrorMsg))
		}
	}
	data, err := encode(updated)
	if err != nil {
		return nil, nil, err
	}
	return updated, data, nil
}

// putIfUnchanged writes data at key if it is still at st. On a concurrent
// change it returns ok false and the key's new value (nil if gone).
func (s *Store) putIfUnchanged(ctx context.Context, key string, st *objState, data []byte) (ok bool, next *kvPair, rev int64, err error) {
	k := s.EtcdKey(key)
	cmp := clientv3.Compare(clientv3.CreateRevision(k), "=", 0)
	if st.exists {
		cmp = clientv3.Compare(clientv3.ModRevision(k), "=", st.rev)
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
	return s.DeleteCached(ctx, key, preconditions, validate, nil)
}

// DeleteCached is Delete starting from a cache's object for the key (nil:
// read etcd), as Kubernetes' Delete with cachedExistingObject: checks that
// fail against a cached state are re-run against etcd's before they are
// reported, and a stale state is found out by the Txn. The returned object
// is a private copy.
func (s *Store) DeleteCached(ctx context.Context, key string, preconditions *meta.Preconditions,
	validate func(current meta.Object) error, cached *Cached) (meta.Object, error) {
	name := nameOf(key)
	k := s.EtcdKey(key)
	st, err := s.startState(ctx, key, cached)
	if err != nil {
		return nil, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("delete %s: %w", key, err)
		}
		if !st.exists {
			return nil, apierrors.NewNotFound(s.group, s.resource, name)
		}
		obj, err := s.checkDelete(st, name, preconditions, validate)
		if err != nil {
			if st.current {
				return nil, err
			}
			cachedRev, cachedErr := st.rev, err
			if st, err = s.readState(ctx, key); err != nil {
				return nil, err
			}
			if st.exists && st.rev == cachedRev {
				return nil, cachedErr
			}
			continue
		}
		start := time.Now()
		resp, err := s.client.Txn(ctx).
			If(clientv3.Compare(clientv3.ModRevision(k), "=", st.rev)).
			Then(clientv3.OpDelete(k)).Else(clientv3.OpGet(k)).Commit()
		s.observe("delete", start)
		if err != nil {
			return nil, fmt.Errorf("delete %s: %w", k, err)
		}
		if resp.Succeeded {
			obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(resp.Header.Revision, 10)
			return obj, nil
		}
		if st, err = s.stateOf(elseValue(resp)); err != nil {
			return nil, err
		}
	}
}

// checkDelete runs the preconditions and validate against st and returns
// the object to hand back once deleted.
func (s *Store) checkDelete(st *objState, name string, preconditions *meta.Preconditions,
	validate func(current meta.Object) error) (meta.Object, error) {
	if err := checkPreconditions(preconditions, st.obj); err != nil {
		return nil, apierrors.NewConflict(s.group, s.resource, name, err)
	}
	obj := st.obj
	if st.shared {
		var err error
		if obj, err = s.copyShared(st); err != nil {
			return nil, err
		}
	}
	if validate != nil {
		if err := validate(obj); err != nil {
			return nil, err
		}
	}
	return obj, nil
}
