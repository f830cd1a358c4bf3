package daemonset

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// The history of a daemon set is kept as Kubernetes keeps it: one
// ControllerRevision per distinct pod template, named <ds>-<hash>, labelled
// with the template's labels plus controller-revision-hash, controlled by
// the daemon set, whose data is the strategic merge patch that puts that
// template back (what `kubectl rollout undo` sends) and whose revision
// number orders the templates by when they were last current.

// RevisionData is the data of the revision of ds's current template:
// {"spec":{"template":{...,"$patch":"replace"}}}, as Kubernetes' getPatch.
func RevisionData(ds *apps.DaemonSet) (json.RawMessage, error) {
	b, err := json.Marshal(&ds.Spec.Template)
	if err != nil {
		return nil, fmt.Errorf("encode template of daemonset %s: %w", ds.Name, err)
	}
	var tmpl map[string]any
	if err := json.Unmarshal(b, &tmpl); err != nil {
		return nil, fmt.Errorf("decode template of daemonset %s: %w", ds.Name, err)
	}
	if tmpl == nil {
		tmpl = map[string]any{}
	}
	tmpl["$patch"] = "replace"
	out, err := json.Marshal(map[string]any{"spec": map[string]any{"template": tmpl}})
	if err != nil {
		return nil, fmt.Errorf("encode revision data of daemonset %s: %w", ds.Name, err)
	}
	return out, nil
}

// SameData says whether two revision data hold the same JSON value
// (spelling aside: the apiserver may re-encode what it stores).
func SameData(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// RevisionName is the name of ds's revision of template hash hash.
func RevisionName(ds *apps.DaemonSet, hash string) string { return ds.Name + "-" + hash }

// NewRevision is the revision to create for ds's current template: the
// template's labels plus the hash label, the daemon set's annotations
// (kubernetes.io/change-cause among them), a controller reference to ds.
func NewRevision(ds *apps.DaemonSet, hash string, data json.RawMessage, revision int64) *apps.ControllerRevision {
	lbl := maps.Clone(ds.Spec.Template.Labels)
	if lbl == nil {
		lbl = map[string]string{}
	}
	lbl[HashLabel] = hash
	return &apps.ControllerRevision{
		ObjectMeta: meta.ObjectMeta{
			Name: RevisionName(ds, hash), Namespace: ds.Namespace, Labels: lbl,
			Annotations:     maps.Clone(ds.Annotations),
			OwnerReferences: []meta.OwnerReference{meta.NewControllerRef(ds, apps.APIVersion, "DaemonSet")},
		},
		Data:     slices.Clone(data),
		Revision: revision,
	}
}

// History is a daemon set's revisions split by its current template.
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
		if SameData(data, r.Data) {
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
		if liveHashes[r.Labels[HashLabel]] {
			continue
		}
		out = append(out, r)
		toKill--
	}
	return out
}

// historyLimit is spec.revisionHistoryLimit, 10 when unset (the default).
func historyLimit(ds *apps.DaemonSet) int32 {
	if l := ds.Spec.RevisionHistoryLimit; l != nil {
		return *l
	}
	return 10
}
