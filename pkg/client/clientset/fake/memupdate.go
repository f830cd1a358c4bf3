package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// GuaranteedUpdate follows the storage contract: tryUpdate gets a private
// copy; a stale resourceVersion set by tryUpdate is a Conflict; a write that
// changes nothing is skipped; a concurrent write retries the cycle.
func (s *memStore) GuaranteedUpdate(ctx context.Context, key string, pre *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(current meta.Object) (meta.Object, error)) (meta.Object, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.mu.Lock()
		it, exists := s.items[key]
		s.mu.Unlock()
		var cur meta.Object
		if exists {
			var err error
			if cur, err = s.decode(it.data); err != nil {
				return nil, err
			}
			if err := checkPreconditions(s.res, key, pre, cur); err != nil {
				return nil, err
			}
		} else if !ignoreNotFound {
			return nil, apierrors.NewNotFound(s.res.Group, s.res.Resource, nameOf(key))
		}
		var arg meta.Object
		if exists {
			arg, _ = s.decode(it.data) // a private copy; it.data decoded above
		}
		obj, err := tryUpdate(arg)
		if err != nil {
			return nil, err
		}
		out, retry, err := s.commit(key, it, exists, cur, obj)
		if retry {
			continue
		}
		return out, err
	}
}

// commit writes obj if key still holds what the update cycle read.
func (s *memStore) commit(key string, read stored, existed bool, cur, obj meta.Object) (meta.Object, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, ok := s.items[key]
	if ok != existed || (ok && now.rev != read.rev) {
		return nil, true, nil
	}
	if !existed {
		obj.GetObjectMeta().ResourceVersion = ""
		out, err := s.writeLocked(key, meta.Added, obj, nil)
		return out, false, err
	}
	rv := obj.GetObjectMeta().ResourceVersion
	if rv != "" && rv != cur.GetObjectMeta().ResourceVersion {
		return nil, false, apierrors.NewConflict(s.res.Group, s.res.Resource, nameOf(key),
			fmt.Errorf("the object has been modified; please apply your changes to the latest version and try again"))
	}
	obj.GetObjectMeta().ResourceVersion = cur.GetObjectMeta().ResourceVersion
	if same, err := sameJSON(obj, now.data); err != nil || same {
		if err != nil {
			return nil, false, err
		}
		out, err := s.decode(now.data)
		return out, false, err
	}
	out, err := s.writeLocked(key, meta.Modified, obj, cur)
	return out, false, err
}

func sameJSON(obj meta.Object, data []byte) (bool, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return false, fmt.Errorf("memstore: encode: %w", err)
	}
	return bytes.Equal(b, data), nil
}

// Delete removes key if the preconditions and validate accept it.
func (s *memStore) Delete(_ context.Context, key string, pre *meta.Preconditions, validate func(meta.Object) error) (meta.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok {
		return nil, apierrors.NewNotFound(s.res.Group, s.res.Resource, nameOf(key))
	}
	cur, err := s.decode(it.data)
	if err != nil {
		return nil, err
	}
	if err := checkPreconditions(s.res, key, pre, cur); err != nil {
		return nil, err
	}
	old, _ := s.decode(it.data) // decoded once above: cannot fail
	if validate != nil {
		if err := validate(old); err != nil {
			return nil, err
		}
		old, _ = s.decode(it.data)
	}
	return s.writeLocked(key, meta.Deleted, cur, old)
}
