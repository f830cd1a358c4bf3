// Package helper holds what several plugins share.
package helper

import "github.com/tinykube/tinykube/pkg/scheduler/framework"

// DefaultNormalizeScore scales scores so the highest becomes maxPriority
// (all zero stay zero); with reverse, a score s becomes maxPriority - s
// after scaling, so the lowest raw score ranks highest.
func DefaultNormalizeScore(maxPriority int64, reverse bool, scores framework.NodeScoreList) *framework.Status {
	var maxCount int64
	for i := range scores {
		maxCount = max(maxCount, scores[i].Score)
	}
	if maxCount == 0 {
		if reverse {
			for i := range scores {
				scores[i].Score = maxPriority
			}
		}
		return nil
	}
	for i := range scores {
		s := maxPriority * scores[i].Score / maxCount
		if reverse {
			s = maxPriority - s
		}
		scores[i].Score = s
	}
	return nil
}
