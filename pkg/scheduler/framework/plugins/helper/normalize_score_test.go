package helper

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/scheduler/framework"
)

func TestDefaultNormalizeScore(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reverse bool
		in      []int64
		want    []int64
	}{
		{"scale", false, []int64{1, 2, 4}, []int64{25, 50, 100}},
		{"reverse", true, []int64{1, 2, 4}, []int64{75, 50, 0}},
		{"zeros", false, []int64{0, 0}, []int64{0, 0}},
		{"zeros reversed", true, []int64{0, 0}, []int64{100, 100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scores := make(framework.NodeScoreList, len(tc.in))
			for i, s := range tc.in {
				scores[i].Score = s
			}
			DefaultNormalizeScore(framework.MaxNodeScore, tc.reverse, scores)
			for i := range scores {
				if scores[i].Score != tc.want[i] {
					t.Fatalf("got %v, want %v", scores, tc.want)
				}
			}
		})
	}
}
