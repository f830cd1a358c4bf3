package statefulset

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// PodName is the name of set's pod of ordinal ord: <set>-<ordinal>.
func PodName(set *apps.StatefulSet, ord int) string { return set.Name + "-" + strconv.Itoa(ord) }

// Ordinal is the ordinal of a pod named <set>-<ordinal>, -1 when the
// name is not of that form.
func Ordinal(set *apps.StatefulSet, name string) int {
	rest, ok := strings.CutPrefix(name, set.Name+"-")
	if !ok || rest == "" || (len(rest) > 1 && rest[0] == '0') {
		return -1
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// StartOrdinal is spec.ordinals.start, 0 when unset.
func StartOrdinal(set *apps.StatefulSet) int {
	if set.Spec.Ordinals != nil {
		return int(set.Spec.Ordinals.Start)
	}
	return 0
}

func desiredReplicas(set *apps.StatefulSet) int {
	if set.Spec.Replicas != nil {
		return int(*set.Spec.Replicas)
	}
	return 1
}

// Revision is the pod revision label of p.
func Revision(p *core.Pod) string { return p.Labels[apps.StatefulSetRevisionLabel] }

// TemplateOf decodes the pod template a revision's data holds.
func TemplateOf(rev *apps.ControllerRevision) (*core.PodTemplateSpec, error) {
	var d struct {
		Spec struct {
			Template core.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(rev.Data, &d); err != nil {
		return nil, fmt.Errorf("decode controllerrevision %s: %w", rev.Name, err)
	}
	return &d.Spec.Template, nil
}

// NewPod is set's pod of ordinal ord made from tmpl, the template of
// revision revName: named <set>-<ord>, the template's labels plus the pod
// name, the pod index and the revision hash, hostname the pod name,
// subdomain serviceName, the claim templates as volumes, a controller
// reference to set.
func NewPod(set *apps.StatefulSet, tmpl *core.PodTemplateSpec, revName string, ord int) *core.Pod {
	t := apps.WithClaimVolumes(set, tmpl, ord)
	name := PodName(set, ord)
	lbl := maps.Clone(t.Labels)
	if lbl == nil {
		lbl = map[string]string{}
	}
	lbl[apps.StatefulSetPodNameLabel] = name
	lbl[apps.PodIndexLabel] = strconv.Itoa(ord)
	lbl[apps.StatefulSetRevisionLabel] = revName
	p := &core.Pod{
		TypeMeta: meta.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: meta.ObjectMeta{Name: name, Namespace: set.Namespace, Labels: lbl,
			Annotations: maps.Clone(t.Annotations), Finalizers: t.Finalizers,
			OwnerReferences: []meta.OwnerReference{meta.NewControllerRef(set, apps.APIVersion, "StatefulSet")}},
		Spec: t.Spec,
	}
	p.Spec.Hostname = name
	p.Spec.Subdomain = set.Spec.ServiceName
	return p
}

// ActionType is what an Action does.
type ActionType string

// Actions.
const (
	Create ActionType = "create"
	Delete ActionType = "delete"
)

// Action is one pod to create (at Revision) or delete.
type Action struct {
	Type     ActionType
	Ordinal  int
	Revision string // for Create
	Pod      *core.Pod
}

// Input is what Plan decides from.
type Input struct {
	Set *apps.StatefulSet
	// Pods are set's pods, by name (any ordinal).
	Pods []*core.Pod
	// CurrentRevision and UpdateRevision are the revision names.
	CurrentRevision, UpdateRevision string
	Now                             time.Time
}

func terminating(p *core.Pod) bool { return p.DeletionTimestamp != nil }
func finished(p *core.Pod) bool {
	return p.Status.Phase == core.PodFailed || p.Status.Phase == core.PodSucceeded
}

// runningAndReady: Running with the Ready condition true.
func runningAndReady(p *core.Pod) bool {
	return p.Status.Phase == core.PodRunning && core.IsPodReady(p)
}

func healthy(p *core.Pod, minReady int32, now time.Time) bool {
	return !terminating(p) && runningAndReady(p) && core.IsPodAvailable(p, minReady, now)
}

// revisionFor is the revision a new pod of replica index idx gets: the
// current revision below a RollingUpdate's partition, else the update
// revision (OnDelete creates every new pod at the update revision).
func revisionFor(set *apps.StatefulSet, idx int, current, update string) string {
	us := set.Spec.UpdateStrategy
	if us.Type == apps.RollingUpdateStatefulSetStrategyType && us.RollingUpdate != nil &&
		us.RollingUpdate.Partition != nil && idx < int(*us.RollingUpdate.Partition) {
		return current
	}
	return update
}

// Plan decides the next pods to create and delete, as Kubernetes'
// StatefulSet controller:
//   - replicas are the ordinals start..start+replicas-1, ascending; a
//     failed or succeeded replica is deleted (and made again, same name,
//     once gone); a missing one is created;
//   - pods of other ordinals are condemned, deleted highest first;
//   - OrderedReady (monotonic) does one thing at a time and goes on only
//     past Running and Ready pods: pod n+1 waits for pod n, a scale down
//     waits for every other pod; Parallel creates and deletes at once;
//   - RollingUpdate, once every replica is healthy, deletes the highest
//     replica at or above the partition that is not at the update
//     revision, one at a time, each waiting for the one before to come
//     back Running and Ready; OnDelete leaves existing pods alone.
func Plan(in Input) []Action {
	set := in.Set
	monotonic := set.Spec.PodManagementPolicy != apps.ParallelPodManagement
	start, n := StartOrdinal(set), desiredReplicas(set)
	minReady := set.Spec.MinReadySeconds
	byOrd := map[int]*core.Pod{}
	var condemned []*core.Pod
	for _, p := range in.Pods {
		ord := Ordinal(set, p.Name)
		if ord < 0 {
			continue
		}
		if ord >= start && ord < start+n {
			byOrd[ord] = p
		} else {
			condemned = append(condemned, p)
		}
	}
	slices.SortFunc(condemned, func(a, b *core.Pod) int { return Ordinal(set, b.Name) - Ordinal(set, a.Name) })
	var out []Action
	unhealthy := 0
	for idx := range n {
		ord := start + idx
		p := byOrd[ord]
		switch {
		case p == nil:
			out = append(out, Action{Type: Create, Ordinal: ord, Revision: revisionFor(set, idx, in.CurrentRevision, in.UpdateRevision)})
		case terminating(p):
		case finished(p):
			out = append(out, Action{Type: Delete, Ordinal: ord, Pod: p})
		case healthy(p, minReady, in.Now):
			continue
		}
		unhealthy++
		if monotonic {
			return out
		}
	}
	for _, p := range condemned {
		if monotonic && (unhealthy > 0 || terminating(p)) {
			return out
		}
		if !terminating(p) {
			out = append(out, Action{Type: Delete, Ordinal: Ordinal(set, p.Name), Pod: p})
		}
		if monotonic {
			return out
		}
	}
	if unhealthy > 0 || len(out) > 0 || set.Spec.UpdateStrategy.Type != apps.RollingUpdateStatefulSetStrategyType {
		return out
	}
	partition := 0
	if ru := set.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		partition = int(*ru.Partition)
	}
	for idx := n - 1; idx >= partition; idx-- {
		p := byOrd[start+idx]
		if Revision(p) != in.UpdateRevision {
			return []Action{{Type: Delete, Ordinal: start + idx, Pod: p}}
		}
	}
	return nil
}

// Status is set's status from its pods (those not yet created count
// nowhere): replicas created, ready (Running and Ready), available
// (ready for minReadySeconds), at the current and at the update revision
// (not terminating). When every pod is at the update revision and ready,
// the update revision becomes the current one.
func Status(set *apps.StatefulSet, pods []*core.Pod, current, update string, now time.Time) apps.StatefulSetStatus {
	st := apps.StatefulSetStatus{ObservedGeneration: set.Generation, CurrentRevision: current, UpdateRevision: update,
		CollisionCount: set.Status.CollisionCount, Conditions: set.Status.Conditions}
	for _, p := range pods {
		if Ordinal(set, p.Name) < 0 {
			continue
		}
		st.Replicas++
		if runningAndReady(p) && !terminating(p) {
			st.ReadyReplicas++
			if core.IsPodAvailable(p, set.Spec.MinReadySeconds, now) {
				st.AvailableReplicas++
			}
		}
		if !terminating(p) {
			if Revision(p) == current {
				st.CurrentReplicas++
			}
			if Revision(p) == update {
				st.UpdatedReplicas++
			}
		}
	}
	if st.UpdatedReplicas == st.Replicas && st.ReadyReplicas == st.Replicas && int(st.Replicas) == desiredReplicas(set) {
		st.CurrentRevision, st.CurrentReplicas = update, st.UpdatedReplicas
	}
	return st
}
