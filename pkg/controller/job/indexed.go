package job

import (
	"maps"
	"slices"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/controller"
)

// IndexedPods is an Indexed job's pods seen by completion index.
type IndexedPods struct {
	// Completed holds the indexes that succeeded: those already in
	// status.completedIndexes and those of succeeded pods.
	Completed batch.IndexSet
	// Active holds the indexes with an active pod that stays.
	Active map[int32]bool
	// Surplus are active pods to delete whatever else happens: a second
	// active pod of one index (the most advanced one stays), a pod of an
	// index already completed, a pod without a valid index.
	Surplus []*core.Pod
}

// noIndex marks a pod without a valid completion index.
const noIndex = int32(-1)

// PodIndex is a pod's completion index from its annotation (else its
// label), or -1 when it has none below completions.
func PodIndex(p *core.Pod, completions int32) int32 {
	v, ok := p.Annotations[batch.JobCompletionIndexAnnotation]
	if !ok {
		v, ok = p.Labels[batch.JobCompletionIndexLabel]
	}
	if !ok {
		return noIndex
	}
	i, err := strconv.ParseInt(v, 10, 32)
	if err != nil || i < 0 || i >= int64(completions) || strconv.Itoa(int(i)) != v {
		return noIndex
	}
	return int32(i)
}

// isActive is CountPods' notion of an active pod.
func isActive(p *core.Pod) bool {
	return p.Status.Phase != core.PodSucceeded && p.Status.Phase != core.PodFailed && p.DeletionTimestamp == nil
}

// CountIndexedPods is CountPods (with the job's podFailurePolicy) for an
// Indexed job of the given completions whose status lists completed: Succeeded becomes the number of completed
// indexes, and Indexed tells which indexes are done, which are running, and
// which active pods are surplus (they stay in Active until deleted).
func CountIndexedPods(pods []*core.Pod, completions int32, completed batch.IndexSet, policy *batch.PodFailurePolicy) Counts {
	c := CountPods(pods, policy)
	var succeeded []int32
	byIndex := map[int32][]*core.Pod{}
	ix := &IndexedPods{Active: map[int32]bool{}}
	for _, p := range pods {
		i := PodIndex(p, completions)
		switch {
		case p.Status.Phase == core.PodSucceeded:
			if i != noIndex {
				succeeded = append(succeeded, i)
			}
		case !isActive(p):
		case i == noIndex:
			ix.Surplus = append(ix.Surplus, p)
		default:
			byIndex[i] = append(byIndex[i], p)
		}
	}
	ix.Completed = completed.Union(batch.IndexSetOf(succeeded...))
	for _, i := range slices.Sorted(maps.Keys(byIndex)) {
		ps := byIndex[i]
		if ix.Completed.Has(i) {
			ix.Surplus = append(ix.Surplus, ps...)
			continue
		}
		ix.Active[i] = true
		if len(ps) > 1 {
			controller.SortForDeletion(ps) // the most valuable last: it stays
			ix.Surplus = append(ix.Surplus, ps[:len(ps)-1]...)
		}
	}
	c.Succeeded = ix.Completed.Len()
	c.Indexed = ix
	return c
}

// pendingIndexes are the n lowest indexes below completions neither
// completed nor active.
func pendingIndexes(ix *IndexedPods, completions, n int32) []int32 {
	var out []int32
	for i := int32(0); i < completions && int32(len(out)) < n; i++ {
		if !ix.Active[i] && !ix.Completed.Has(i) {
			out = append(out, i)
		}
	}
	return out
}

// indexedTemplate is the pod template for index i of job j: the
// completion-index annotation and label, JOB_COMPLETION_INDEX in every
// container (unless it sets its own), hostname "<job>-<i>".
func indexedTemplate(j *batch.Job, base *core.PodTemplateSpec, i int32) *core.PodTemplateSpec {
	t := meta.DeepCopy(base)
	s := strconv.Itoa(int(i))
	t.Annotations = maps.Clone(t.Annotations)
	if t.Annotations == nil {
		t.Annotations = map[string]string{}
	}
	t.Annotations[batch.JobCompletionIndexAnnotation] = s
	t.Labels = maps.Clone(t.Labels)
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	t.Labels[batch.JobCompletionIndexLabel] = s
	addIndexEnv := func(cs []core.Container) {
		for k := range cs {
			if !slices.ContainsFunc(cs[k].Env, func(e core.EnvVar) bool { return e.Name == batch.JobCompletionIndexEnvVar }) {
				cs[k].Env = append(cs[k].Env, core.EnvVar{Name: batch.JobCompletionIndexEnvVar, Value: s})
			}
		}
	}
	addIndexEnv(t.Spec.InitContainers)
	addIndexEnv(t.Spec.Containers)
	t.Spec.Hostname = j.Name + "-" + s
	return t
}

// maxGenerateNameLen leaves room for the apiserver's 5-character suffix.
const maxGenerateNameLen = 63 - 5

// indexedGenerateName is "<job>-<i>-", the job name shortened so that the
// index survives the apiserver's cut of long generateNames.
func indexedGenerateName(job string, i int32) string {
	suffix := "-" + strconv.Itoa(int(i)) + "-"
	if len(job)+len(suffix) > maxGenerateNameLen {
		job = job[:maxGenerateNameLen-len(suffix)]
	}
	return job + suffix
}
