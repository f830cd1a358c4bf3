package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// updateMode says which part of an object an update may change.
type updateMode int

const (
	updateMain     updateMode = iota // the resource: status is kept
	updateStatus                     // the status subresource: only status changes
	updateFinalize                   // namespaces/finalize: only spec.finalizers changes
)

// mutateFunc builds the new object from the current one; it returns the
// client's intended object (its resourceVersion, if set, is checked). It
// gets a private copy of current, which it may modify and return.
type mutateFunc func(current meta.Object) (meta.Object, error)

// update serves PUT of an object, its status or a namespace's finalize.
func (s *Server) update(w http.ResponseWriter, req *http.Request, r *request, mode updateMode) error {
	wo, err := parseWriteOptions(query(req))
	if err != nil {
		return err
	}
	b, err := bodyJSON(req)
	if err != nil {
		return err
	}
	obj, err := decodeObject(r.res, b, wo.fields(w.Header()))
	if err != nil {
		return err
	}
	if err := checkURLMatch(r, obj.GetObjectMeta()); err != nil {
		return err
	}
	// A PUT's intended object is the request's (copied per attempt, since
	// preparing it writes into it); it never reads current, so current
	// needs no copy.
	mutate := func(meta.Object) (meta.Object, error) { return r.res.DeepCopy(obj), nil }
	if mode == updateStatus {
		// A status update only reads the intended object (it takes a copy
		// of its status into a copy of current, and its labels and
		// annotations), so the request's object serves every attempt.
		mutate = func(meta.Object) (meta.Object, error) { return obj, nil }
	}
	// The store records the written object's JSON in written, which
	// answers unless the object changed since (dry run: nothing stored; an
	// update that finalized a deletion answers with the deleted object).
	mctx, err := withUpdateManager(req) // fieldmanager.go
	if err != nil {
		return err
	}
	ctx, written := storage.WithWritten(mctx)
	out, err := s.updateObjectWith(ctx, r, mode, wo.DryRun, mutate, false)
	if apierrors.IsNotFound(err) && mode == updateMain && r.res.AllowCreateOnUpdate && obj.GetObjectMeta().ResourceVersion == "" {
		// Create on update, as Kubernetes allows for leases, events and endpoints.
		created, cerr := s.createObject(ctx, r.res, r.store, r.res.DeepCopy(obj), r.ri, wo.DryRun)
		if cerr == nil {
			writeStored(w, req, http.StatusCreated, created, written)
			return nil
		}
		if !apierrors.IsAlreadyExists(cerr) {
			return cerr
		}
		out, err = s.updateObjectWith(ctx, r, mode, wo.DryRun, mutate, false) // lost a race with a create
	}
	if err != nil {
		return err
	}
	writeStored(w, req, http.StatusOK, out, written)
	return nil
}

// errDryRun stops a GuaranteedUpdate after the new object is computed.
type errDryRun struct{ obj meta.Object }

func (e *errDryRun) Error() string { return "dry run" }

// updateObject runs a read-modify-write of the object at r's key through
// GuaranteedUpdate: mutate gives the intended object, which is prepared for
// the mode, defaulted and validated. A ctx from withUpdateManager records
// the writer in the managedFields of an object that has them. A stale resourceVersion is a 409. An
// update that leaves a deleted object without finalizers removes it.
func (s *Server) updateObject(ctx context.Context, r *request, mode updateMode, dryRun bool, mutate mutateFunc) (meta.Object, error) {
	return s.updateObjectWith(ctx, r, mode, dryRun, mutate, true)
}

// updateObjectWith is updateObject; copyCurrent false is for a mutate that
// does not read or modify its argument (then the JSON round trip of a copy
// is skipped: current is already private, decoded per attempt by storage).
func (s *Server) updateObjectWith(ctx context.Context, r *request, mode updateMode, dryRun bool, mutate mutateFunc, copyCurrent bool) (meta.Object, error) {
	res := r.res
	key := res.Key(r.ri.Namespace, r.ri.Name)
	out, err := r.store.GuaranteedUpdate(ctx, key, nil, false, func(current meta.Object) (meta.Object, error) {
		if current == nil {
			return nil, apierrors.NewNotFound(res.Group, res.Resource, r.ri.Name)
		}
		arg := current
		if copyCurrent {
			// A custom object is read at the request's version (stored at
			// the storage version), so a patch or apply sees that apiVersion.
			arg = typed(res, res.DeepCopy(current))
		}
		intended, err := mutate(arg)
		if err != nil {
			return nil, err
		}
		next, err := prepareUpdate(res, mode, intended, current)
		if err != nil {
			return nil, err
		}
		if err := s.admitWrite(ctx, res, next, current); err != nil {
			return nil, err
		}
		if res.Default != nil && mode == updateMain {
			res.Default(next)
		}
		if err := invalid(res, r.ri.Name, res.ValidateUpdateOf(next, current, mode == updateStatus)); err != nil {
			return nil, err
		}
		if manager, ok := updateManagerFrom(ctx); ok { // a write that is not an apply: fieldmanager.go
			if err := s.recordUpdate(r, manager, mode, current, next); err != nil {
				return nil, err
			}
		}
		if dryRun {
			return nil, &errDryRun{obj: next}
		}
		atStorageVersion(res, next)
		return next, nil
	})
	var dr *errDryRun
	if errors.As(err, &dr) {
		return typed(res, dr.obj), nil
	}
	if err != nil {
		return nil, fmt.Errorf("update %s: %w", res.GroupResource(), err)
	}
	out = typed(res, out)
	if res.ShouldDelete(out) {
		return s.deleteAfterUpdate(ctx, r, out)
	}
	return out, nil
}

// prepareUpdate applies the mode's rules. The intended object's
// resourceVersion is kept (empty = unconditional: the current one).
func prepareUpdate(res *registry.Resource, mode updateMode, intended, current meta.Object) (meta.Object, error) {
	rv := intended.GetObjectMeta().ResourceVersion
	if rv == "" {
		rv = current.GetObjectMeta().ResourceVersion
	}
	var next meta.Object
	var err error
	switch mode {
	case updateStatus:
		next, err = res.PrepareForStatusUpdate(intended, current)
	case updateFinalize:
		next, err = prepareFinalize(res, intended, current)
	default:
		next, err = res.PrepareForUpdate(intended, current)
	}
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	next.GetObjectMeta().ResourceVersion = rv
	return next, nil
}

// deleteAfterUpdate removes an object whose last finalizer an update removed.
func (s *Server) deleteAfterUpdate(ctx context.Context, r *request, obj meta.Object) (meta.Object, error) {
	m := obj.GetObjectMeta()
	uid, rv := m.UID, m.ResourceVersion
	out, err := r.store.Delete(ctx, r.res.Key(m.Namespace, m.Name), &meta.Preconditions{UID: &uid, ResourceVersion: &rv}, nil)
	if err != nil {
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return obj, nil // someone else removed or changed it: their call
		}
		return nil, fmt.Errorf("delete finalized %s: %w", r.res.GroupResource(), err)
	}
	return typed(r.res, out), nil
}
