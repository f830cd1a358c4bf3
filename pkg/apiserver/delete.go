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

// errPlanChanged makes a delete re-plan: the object changed between the
// decision and the write.
var errPlanChanged = errors.New("object changed during delete")

// delete serves DELETE of one object.
func (s *Server) delete(w http.ResponseWriter, req *http.Request, r *request) error {
	opts, err := parseDeleteOptions(req)
	if err != nil {
		return err
	}
	if err := s.admitDelete(r); err != nil {
		return err
	}
	out, err := s.deleteObject(req.Context(), r.res, r.store, r.ri.Namespace, r.ri.Name, opts)
	if err != nil {
		return err
	}
	writeJSON(w, req, http.StatusOK, out)
	return nil
}

// deleteObject applies registry.PlanDelete to the stored object: it removes
// it, marks it (deletionTimestamp, finalizers, grace period) or leaves it.
// It retries when the object changes between the plan and the write.
func (s *Server) deleteObject(ctx context.Context, res *registry.Resource, st storage.Interface, ns, name string, opts *meta.DeleteOptions) (meta.Object, error) {
	key := res.Key(ns, name)
	dryRun := len(opts.DryRun) > 0
	for attempt := 0; ; attempt++ {
		current, err := st.Get(ctx, key, storage.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("delete %s: %w", res.GroupResource(), err)
		}
		if err := checkPreconditions(res, current, opts.Preconditions); err != nil {
			return nil, err
		}
		if err := s.admitNodeDelete(ctx, res, current); err != nil {
			return nil, err
		}
		action, marked := res.PlanDelete(current, opts, s.now())
		if dryRun {
			if marked != nil {
				current = marked
			}
			return typed(res, current), nil
		}
		var out meta.Object
		switch action {
		case registry.DeleteNoop:
			out = current
		case registry.DeleteNow:
			out, err = s.removeIfPlanned(ctx, res, st, key, opts, current)
		case registry.DeleteMark:
			out, err = s.markDeleted(ctx, res, st, key, opts, current)
		}
		if errors.Is(err, errPlanChanged) && attempt < 10 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("delete %s: %w", res.GroupResource(), err)
		}
		return typed(res, out), nil
	}
}

func (s *Server) removeIfPlanned(ctx context.Context, res *registry.Resource, st storage.Interface, key string, opts *meta.DeleteOptions, seen meta.Object) (meta.Object, error) {
	rv := seen.GetObjectMeta().ResourceVersion
	return st.Delete(ctx, key, opts.Preconditions, func(current meta.Object) error {
		if current.GetObjectMeta().ResourceVersion == rv {
			return nil
		}
		if a, _ := res.PlanDelete(current, opts, s.now()); a != registry.DeleteNow {
			return errPlanChanged
		}
		return nil
	})
}

func (s *Server) markDeleted(ctx context.Context, res *registry.Resource, st storage.Interface, key string, opts *meta.DeleteOptions, seen meta.Object) (meta.Object, error) {
	return st.GuaranteedUpdate(ctx, key, opts.Preconditions, false, func(current meta.Object) (meta.Object, error) {
		if current == nil {
			return nil, apierrors.NewNotFound(res.Group, res.Resource, seen.GetObjectMeta().Name)
		}
		a, marked := res.PlanDelete(current, opts, s.now())
		if a != registry.DeleteMark {
			return nil, errPlanChanged
		}
		return marked, nil
	})
}

// checkPreconditions answers 409 when the uid or resourceVersion differ.
func checkPreconditions(res *registry.Resource, obj meta.Object, p *meta.Preconditions) error {
	if p == nil {
		return nil
	}
	m := obj.GetObjectMeta()
	if p.UID != nil && *p.UID != m.UID {
		return apierrors.NewConflict(res.Group, res.Resource, m.Name,
			fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, m.UID))
	}
	if p.ResourceVersion != nil && *p.ResourceVersion != m.ResourceVersion {
		return apierrors.NewConflict(res.Group, res.Resource, m.Name,
			fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *p.ResourceVersion, m.ResourceVersion))
	}
	return nil
}

// deleteCollection serves DELETE on a collection: every object matching the
// selectors is deleted as a single DELETE would; the answer is the list of
// what was deleted or marked.
func (s *Server) deleteCollection(w http.ResponseWriter, req *http.Request, r *request) error {
	opts, err := parseDeleteOptions(req)
	if err != nil {
		return err
	}
	lo, err := parseListOptions(req.URL.Query())
	if err != nil {
		return err
	}
	so, err := storageListOptions(r.res, lo)
	if err != nil {
		return err
	}
	list, err := r.store.List(req.Context(), r.res.Prefix(r.ri.Namespace), so)
	if err != nil {
		return fmt.Errorf("list %s for deletecollection: %w", r.res.GroupResource(), err)
	}
	deleted := make([]meta.Object, 0, len(list.Items))
	for _, it := range list.Items {
		m := it.GetObjectMeta()
		out, err := s.deleteObject(req.Context(), r.res, r.store, m.Namespace, m.Name, opts)
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		deleted = append(deleted, out)
	}
	writeJSON(w, req, http.StatusOK, s.listOf(r.res, &storage.ListResult{Items: deleted, ResourceVersion: list.ResourceVersion}))
	return nil
}
