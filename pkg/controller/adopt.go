package controller

import (
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/cache"
)

// SelectorFunc is an owner's selector of the objects it controls.
type SelectorFunc[T any] func(T) (labels.Selector, error)

// SelectingOwners returns the owners whose selector matches lbls: the ones
// that may adopt an orphan carrying those labels, so the ones to sync when
// it appears or its labels change. Owners being deleted adopt nothing (see
// DecideClaim) and are left out, as are owners whose selector is invalid or
// selects everything (an empty selector matches no orphan).
func SelectingOwners[T meta.Object](owners []T, selectorOf SelectorFunc[T], lbls map[string]string) []T {
	var out []T
	set := labels.Set(lbls)
	for _, o := range owners {
		if o.GetObjectMeta().DeletionTimestamp != nil {
			continue
		}
		sel, err := selectorOf(o)
		if err != nil || sel.Empty() || !sel.Matches(set) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// AdopterKeys lists the keys of the owners in lister that may adopt obj, an
// orphan: SelectingOwners over the owners of its namespace.
func AdopterKeys[T meta.Object](lister cache.Lister[T], selectorOf SelectorFunc[T], obj meta.Object) []string {
	m := obj.GetObjectMeta()
	owners, err := lister.ByNamespace(m.Namespace).List(nil)
	if err != nil {
		return nil
	}
	matching := SelectingOwners(owners, selectorOf, m.Labels)
	keys := make([]string, len(matching))
	for i, o := range matching {
		keys[i] = o.GetObjectMeta().Key()
	}
	return keys
}
