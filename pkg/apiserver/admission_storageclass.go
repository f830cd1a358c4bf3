package apiserver

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/storage"
	tkstorage "github.com/tinykube/tinykube/pkg/storage"
)

// admitDefaultStorageClass is Kubernetes' DefaultStorageClass admission:
// a new claim that sets no storageClassName gets the default class (the
// one annotated storageclass.kubernetes.io/is-default-class: "true"; the
// newest when several are, as Kubernetes since 1.26). A claim that sets
// storageClassName, even to "", keeps it; without a default class it is
// left unset.
func (s *Server) admitDefaultStorageClass(ctx context.Context, pvc *core.PersistentVolumeClaim) error {
	if pvc.Spec.StorageClassName != nil {
		return nil
	}
	res, ok := s.cfg.Resources.Lookup(storage.GroupName, storage.Version, "storageclasses")
	if !ok || s.stores[res] == nil {
		return nil
	}
	// A consistent read (claims are created rarely): a class created a
	// moment ago may not be in the watch cache yet.
	list, err := s.stores[res].List(ctx, res.Prefix(""), tkstorage.ListOptions{})
	if err != nil {
		return fmt.Errorf("default storage class: %w", err)
	}
	classes := make([]*storage.StorageClass, 0, len(list.Items))
	for _, o := range list.Items {
		if sc, ok := o.(*storage.StorageClass); ok {
			classes = append(classes, sc)
		}
	}
	if sc := DefaultClass(classes); sc != nil {
		pvc.Spec.StorageClassName = meta.Ptr(sc.Name)
	}
	return nil
}

// DefaultClass is the default class among classes: the newest marked
// default (by creation time, then name), nil when none is.
func DefaultClass(classes []*storage.StorageClass) *storage.StorageClass {
	var best *storage.StorageClass
	for _, sc := range classes {
		if !storage.IsDefaultAnnotation(sc) {
			continue
		}
		if best == nil || sc.CreationTimestamp.After(best.CreationTimestamp.Time) ||
			(sc.CreationTimestamp.Equal(best.CreationTimestamp.Time) && sc.Name < best.Name) {
			best = sc
		}
	}
	return best
}
