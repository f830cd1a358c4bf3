package validation

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func indexedJob(name string, completions, parallelism int32) *batch.Job {
	j := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default", UID: "u1"},
		Spec: batch.JobSpec{Completions: &completions, Parallelism: &parallelism, CompletionMode: meta.Ptr(batch.IndexedCompletion),
			Template: core.PodTemplateSpec{Spec: core.PodSpec{
				RestartPolicy: core.RestartPolicyNever, Containers: []core.Container{{Name: "c", Image: "busybox"}}}}}}
	batch.DefaultJob(j)
	batch.GenerateSelector(j)
	return j
}

func TestValidateIndexedJob(t *testing.T) {
	expectErrors(t, "valid indexed job", ValidateJob(indexedJob("idx", 3, 2)))
	// Kubernetes does not require parallelism <= completions.
	expectErrors(t, "parallelism above completions", ValidateJob(indexedJob("idx", 3, 5)))
	expectErrors(t, "parallelism cap", ValidateJob(indexedJob("idx", 3, 100_001)), "spec.parallelism:FieldValueInvalid")
	expectErrors(t, "zero completions", ValidateJob(indexedJob("idx", 0, 1)))
	// 61 characters + "-9" = 63: a DNS label; "-10" is one too many.
	long := strings.Repeat("a", 61)
	expectErrors(t, "longest hostname", ValidateJob(indexedJob(long, 10, 1)))
	expectErrors(t, "hostname too long", ValidateJob(indexedJob(long, 11, 1)), "metadata.name:FieldValueInvalid")
	bad := indexedJob("idx", 3, 1)
	bad.Spec.CompletionMode = meta.Ptr(batch.CompletionMode("Sometimes"))
	expectErrors(t, "unknown mode", ValidateJob(bad), "spec.completionMode:FieldValueNotSupported")

	old := indexedJob("idx", 3, 1)
	upd := meta.DeepCopy(old)
	upd.Spec.CompletionMode = meta.Ptr(batch.NonIndexedCompletion)
	expectErrors(t, "completionMode immutable", ValidateJobUpdate(upd, old), "spec.completionMode:FieldValueInvalid")
}

func TestValidateJobCompletedIndexes(t *testing.T) {
	old := indexedJob("idx", 5, 2)
	for _, tc := range []struct {
		name, indexes string
		indexed       bool
		want          []string
	}{
		{"empty", "", true, nil},
		{"intervals", "0,2-4", true, nil},
		{"index not below completions", "1-5", true, []string{"status.completedIndexes:FieldValueInvalid"}},
		{"not increasing", "3,1", true, []string{"status.completedIndexes:FieldValueInvalid"}},
		{"garbage", "x", true, []string{"status.completedIndexes:FieldValueInvalid"}},
		{"non-indexed job", "0", false, []string{"status.completedIndexes:FieldValueInvalid"}},
	} {
		o := meta.DeepCopy(old)
		if !tc.indexed {
			o.Spec.CompletionMode = meta.Ptr(batch.NonIndexedCompletion)
		}
		n := meta.DeepCopy(o)
		n.Status.CompletedIndexes = tc.indexes
		expectErrors(t, tc.name, ValidateJobStatusUpdate(n, o), tc.want...)
	}
}
