package daemonset

import (
	"encoding/json"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/controller"
)

// A daemon set's history is kept by pkg/controller's history helpers
// (shared with the statefulset controller): one ControllerRevision per
// distinct pod template, <ds>-<hash>, whose data puts the template back.

// RevisionData is the data of the revision of ds's current template:
// {"spec":{"template":{...,"$patch":"replace"}}}, as Kubernetes' getPatch.
func RevisionData(ds *apps.DaemonSet) (json.RawMessage, error) {
	d, err := controller.TemplateRevisionData(&ds.Spec.Template)
	if err != nil {
		return nil, fmt.Errorf("revision data of daemonset %s: %w", ds.Name, err)
	}
	return d, nil
}

// RevisionName is the name of ds's revision of template hash hash.
func RevisionName(ds *apps.DaemonSet, hash string) string { return ds.Name + "-" + hash }

// NewRevision is the revision to create for ds's current template.
func NewRevision(ds *apps.DaemonSet, hash string, data json.RawMessage, revision int64) *apps.ControllerRevision {
	return controller.NewControllerRevision(ds, "DaemonSet", ds.Spec.Template.Labels, hash, data, revision)
}

// History is a daemon set's revisions split by its current template.
type History = controller.History

// SplitHistory sorts revs by whether they hold data: controller.SplitHistory.
func SplitHistory(data json.RawMessage, revs []*apps.ControllerRevision) History {
	return controller.SplitHistory(data, revs)
}

// HistoryVictims are the old revisions beyond limit no pod runs:
// controller.HistoryVictims.
func HistoryVictims(old []*apps.ControllerRevision, limit int32, liveHashes map[string]bool) []*apps.ControllerRevision {
	return controller.HistoryVictims(old, limit, liveHashes)
}

// historyLimit is spec.revisionHistoryLimit, 10 when unset (the default).
func historyLimit(ds *apps.DaemonSet) int32 {
	if l := ds.Spec.RevisionHistoryLimit; l != nil {
		return *l
	}
	return 10
}
