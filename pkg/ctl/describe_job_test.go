package ctl

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestDescribeIndexedJob: an Indexed job shows its completion mode and
// completed indexes (capped as kubectl does); a NonIndexed one neither.
func TestDescribeIndexedJob(t *testing.T) {
	describe := func(j *batch.Job) string {
		var b bytes.Buffer
		if err := Describe(&b, j, nil, nil, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	j := &batch.Job{ObjectMeta: meta.ObjectMeta{Name: "idx", Namespace: "default"},
		Spec:   batch.JobSpec{Completions: meta.Ptr[int32](3), CompletionMode: meta.Ptr(batch.IndexedCompletion)},
		Status: batch.JobStatus{Succeeded: 2, CompletedIndexes: "0,2"}}
	out := describe(j)
	for _, want := range []string{"Completion Mode:    Indexed\n", "Completed Indexes:  0,2\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	j.Status.CompletedIndexes = ""
	if out := describe(j); !strings.Contains(out, "Completed Indexes:  <none>\n") {
		t.Errorf("no completed indexes:\n%s", out)
	}
	j.Spec.CompletionMode = meta.Ptr(batch.NonIndexedCompletion)
	if out := describe(j); strings.Contains(out, "Completion Mode") || strings.Contains(out, "Completed Indexes") {
		t.Errorf("NonIndexed job shows indexes:\n%s", out)
	}
	long := strings.Repeat("1,", 30) // "1,1,...": only its length matters here
	if got := capIndexes(long[:len(long)-1], 50); got != strings.Repeat("1,", 25)+"..." {
		t.Errorf("capIndexes = %q", got)
	}
	if got := capIndexes("0-2", 50); got != "0-2" {
		t.Errorf("capIndexes short = %q", got)
	}
}
