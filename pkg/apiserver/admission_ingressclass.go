package apiserver

import (
	"context"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/networking"
	tkstorage "github.com/tinykube/tinykube/pkg/storage"
)

// admitDefaultIngressClass is Kubernetes' DefaultIngressClass admission:
// a new Ingress that sets neither spec.ingressClassName nor the legacy
// kubernetes.io/ingress.class annotation gets the default class (the one
// annotated ingressclass.kubernetes.io/is-default-class: "true"; the
// newest when several are). Without a default class it is left unset.
func (s *Server) admitDefaultIngressClass(ctx context.Context, ing *networking.Ingress) error {
	if ing.Spec.IngressClassName != nil || ing.Annotations[networking.AnnotationIngressClass] != "" {
		return nil
	}
	res, ok := s.cfg.Resources.Lookup(networking.GroupName, networking.Version, "ingressclasses")
	if !ok || s.stores[res] == nil {
		return nil
	}
	// A consistent read, as for storage classes: a class created a moment
	// ago may not be in the watch cache yet.
	list, err := s.stores[res].List(ctx, res.Prefix(""), tkstorage.ListOptions{})
	if err != nil {
		return fmt.Errorf("default ingress class: %w", err)
	}
	classes := make([]*networking.IngressClass, 0, len(list.Items))
	for _, o := range list.Items {
		if c, ok := o.(*networking.IngressClass); ok {
			classes = append(classes, c)
		}
	}
	if c := DefaultIngressClass(classes); c != nil {
		ing.Spec.IngressClassName = meta.Ptr(c.Name)
	}
	return nil
}

// DefaultIngressClass is the default class among classes: the newest
// marked default (by creation time, then name), nil when none is.
func DefaultIngressClass(classes []*networking.IngressClass) *networking.IngressClass {
	var best *networking.IngressClass
	for _, c := range classes {
		if !networking.IsDefaultIngressClass(c) {
			continue
		}
		if best == nil || c.CreationTimestamp.After(best.CreationTimestamp.Time) ||
			(c.CreationTimestamp.Equal(best.CreationTimestamp.Time) && c.Name < best.Name) {
			best = c
		}
	}
	return best
}
