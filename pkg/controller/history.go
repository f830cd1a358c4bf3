package controller

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// The history of a DaemonSet or StatefulSet is kept as Kubernetes keeps
// it: one ControllerRevision per distinct pod template, named
// <owner>-<hash>, labelled with the template's labels plus
// controller-revision-hash, controlled by the owner, whose data is the
// strategic merge patch that puts that template back (what `kubectl
// rollout undo` sends) and whose revision number orders the templates by
// when they were last current.

// RevisionHashLabel is the label revisions and the pods made from them
// carry with the template's hash.
const RevisionHashLabel = apps.ControllerRevisionHashLabelKey

// TemplateRevisionData is the data of the revision of a pod template:
// {"spec":{"template":{...,"$patch":"replace"}}}, as Kubernetes' getPatch.
func TemplateRevisionData(tmpl *core.PodTemplateSpec) (json.RawMessage, error) {
	b, err := json.Marshal(tmpl)
	if err != nil {
		return nil, fmt.Errorf("encode template: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	m["$patch"] = "replace"
	out, err := json.Marshal(map[string]any{"spec": map[string]any{"template": m}})
	if err != nil {
		return nil, fmt.Errorf("encode revision data: %w", err)
	}
	return out, nil
}

// NewControllerRevision is the revision <owner>-<hash> of owner's current
// template: the template's labels plus the hash label, the owner's
// annotations (kubernetes.io/change-cause among them), a controller
// reference to owner (of kind, apps/v1).
func NewControllerRevision(owner meta.Object, kind string, tmplLabels map[string]string, hash string, data json.RawMessage, revision int64) *apps.ControllerRevision {
	om := owner.GetObjectMeta()
	lbl := maps.Clone(tmplLabels)
	if lbl == nil {
		lbl = map[string]string{}
	}
	lbl[RevisionHashLabel] = hash
	return &apps.ControllerRevision{
		ObjectMeta: meta.ObjectMeta{
			Name: om.Name + "-" + hash, Namespace: om.Namespace, Labels: lbl,
			Annotations:     maps.Clone(om.Annotations),
			OwnerReferences: []meta.OwnerReference{meta.NewControllerRef(owner, apps.APIVersion, kind)},
		},
		Data:     slices.Clone(data),
		Revision: revision,
	}
}

// History is an owner's revisions split by its current template.
type History struct {
	// Current is the revision holding the current template (the highest
	// numbered one when several do); nil when it is still to be created.
	Current *apps.ControllerRevision
	// Duplicates are the other revisions holding the current template:
	// their pods are relabelled with Current's hash, then they are deleted.
	Duplicates []*apps.ControllerRevision
	// Old are the revisions of other templates, lowest revision first.
	Old []*apps.ControllerRevision
	// Next is the number the current revision must carry: one more than
	// the highest old revision. A current revision numbered lower (the
	// template went back to an earlier one) is bumped to it.
	Next int64
}

// SplitHistory sorts revs by whether they hold data, the current
// template's revision data.
func SplitHistory(data json.RawMessage, revs []*apps.ControllerRevision) History {
	var h History
	var cur []*apps.ControllerRevision
	for _, r := range revs {
		if meta.SameJSON(data, r.Data) {
			cur = append(cur, r)
		} else {
			h.Old = append(h.Old, r)
		}
	}
	byRevision := func(a, b *apps.ControllerRevision) int {
		return cmp.Or(cmp.Compare(a.Revision, b.Revision), strings.Compare(a.Name, b.Name))
	}
	slices.SortStableFunc(h.Old, byRevision)
	slices.SortStableFunc(cur, byRevision)
	if n := len(cur); n > 0 {
		h.Current = cur[n-1]
		h.Duplicates = cur[:n-1]
	}
	for _, r := range h.Old {
		h.Next = max(h.Next, r.Revision)
	}
	h.Next++
	return h
}

// HistoryVictims are the old revisions to delete so that at most limit
// remain, lowest revision first; a revision some pod still carries the
// hash of (liveHashes) is kept even beyond the limit, as Kubernetes does.
// old must be sorted by revision (SplitHistory sorts it).
func HistoryVictims(old []*apps.ControllerRevision, limit int32, liveHashes map[string]bool) []*apps.ControllerRevision {
	toKill := len(old) - int(max(limit, 0))
	var out []*apps.ControllerRevision
	for _, r := range old {
		if toKill <= 0 {
			break
		}
		if liveHashes[r.Labels[RevisionHashLabel]] {
			continue
		}
		out = append(out, r)
		toKill--
	}
	return out
}
