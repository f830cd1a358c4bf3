package apiserver

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

// buildPredicate parses labelSelector and fieldSelector into one predicate
// (nil when both are empty). An unknown field label is a 400, as Kubernetes.
func buildPredicate(r *registry.Resource, labelSel, fieldSel string) (func(meta.Object) bool, error) {
	if err := checkSelectorLength("labelSelector", labelSel); err != nil {
		return nil, err
	}
	if err := checkSelectorLength("fieldSelector", fieldSel); err != nil {
		return nil, err
	}
	if strings.TrimSpace(labelSel) == "" && strings.TrimSpace(fieldSel) == "" {
		return nil, nil
	}
	ls, err := labels.Parse(labelSel)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("unable to parse requirement: %v", err))
	}
	fs, err := fields.Parse(fieldSel)
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("invalid field selector: %v", err))
	}
	known := map[string]bool{}
	for _, l := range r.FieldLabels() {
		known[l] = true
	}
	for _, req := range fs.Requirements() {
		if !known[req.Field] {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("field label not supported: %s", req.Field))
		}
	}
	// A pod's fields are read in place rather than built into a map: a
	// watch with a field selector (the kubelet's) matches every pod event,
	// old and new object, with it.
	isPods := r.Group == "" && r.Resource == "pods"
	return func(o meta.Object) bool {
		if !ls.Matches(labels.Set(o.GetObjectMeta().Labels)) {
			return false
		}
		if fs.Empty() {
			return true
		}
		if p, ok := o.(*core.Pod); ok && isPods {
			return fs.Matches((*core.PodFields)(p))
		}
		return fs.Matches(fields.Set(r.FieldSet(o)))
	}, nil
}
