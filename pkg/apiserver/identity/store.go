package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// Store is one resource's registry entry and storage, as the HTTP handlers
// use them: writes go through the kind's preparation, defaults and
// validation.
type Store struct {
	Resource *registry.Resource
	Storage  storage.Interface
}

func (s Store) valid() bool { return s.Resource != nil && s.Storage != nil }

// errUnchanged aborts an update that would change nothing.
var errUnchanged = errors.New("unchanged")

// get reads one object from etcd (quorum).
func (s Store) get(ctx context.Context, ns, name string) (meta.Object, error) {
	return s.Storage.Get(ctx, s.Resource.Key(ns, name), storage.GetOptions{})
}

// create stores a new object as a POST would.
func (s Store) create(ctx context.Context, obj meta.Object, now time.Time) (meta.Object, error) {
	r := s.Resource
	obj, err := r.PrepareForCreate(obj, now)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", r.GroupResource(), err)
	}
	if r.Default != nil {
		r.Default(obj)
	}
	m := obj.GetObjectMeta()
	if errs := r.ValidateCreate(obj); len(errs) > 0 {
		return nil, apierrors.NewInvalid(r.Group, r.Kind, m.Name, errs.Causes())
	}
	out, err := s.Storage.Create(ctx, r.Key(m.Namespace, m.Name), obj)
	if err != nil {
		return nil, fmt.Errorf("create %s %s/%s: %w", r.GroupResource(), m.Namespace, m.Name, err)
	}
	return out, nil
}

// update applies mutate to the current object as a PUT would, retrying on
// conflicts; mutate returns errUnchanged (or the object unchanged) to write
// nothing. The result is the stored object.
func (s Store) update(ctx context.Context, ns, name string, mutate func(cur meta.Object) (meta.Object, error)) (meta.Object, error) {
	r := s.Resource
	out, err := s.Storage.GuaranteedUpdate(ctx, r.Key(ns, name), nil, false, func(cur meta.Object) (meta.Object, error) {
		obj, err := mutate(r.DeepCopy(cur))
		if err != nil {
			return nil, err
		}
		if obj, err = r.PrepareForUpdate(obj, cur); err != nil {
			return nil, fmt.Errorf("prepare update: %w", err)
		}
		if r.Default != nil {
			r.Default(obj)
		}
		if errs := r.ValidateUpdateOf(obj, cur, false); len(errs) > 0 {
			return nil, apierrors.NewInvalid(r.Group, r.Kind, name, errs.Causes())
		}
		return obj, nil
	})
	if err != nil {
		return nil, fmt.Errorf("update %s %s/%s: %w", r.GroupResource(), ns, name, err)
	}
	return out, nil
}

// deleteIfUnchanged deletes an object only if it still has resourceVersion
// rv (a concurrent renewal wins).
func (s Store) deleteIfUnchanged(ctx context.Context, ns, name, rv string) error {
	_, err := s.Storage.Delete(ctx, s.Resource.Key(ns, name), &meta.Preconditions{ResourceVersion: &rv}, nil)
	if err != nil {
		return fmt.Errorf("delete %s %s/%s: %w", s.Resource.GroupResource(), ns, name, err)
	}
	return nil
}

// list reads every object of a namespace from etcd.
func (s Store) list(ctx context.Context, ns string) ([]meta.Object, error) {
	res, err := s.Storage.List(ctx, s.Resource.Prefix(ns), storage.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list %s in %s: %w", s.Resource.GroupResource(), ns, err)
	}
	return res.Items, nil
}
