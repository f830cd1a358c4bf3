package meta

import "time"

// SetStatusCondition returns conds with c set in place of the condition of
// its type (or appended), as apimachinery's meta.SetStatusCondition: the
// lastTransitionTime stays when the status is unchanged and moves to now
// (to the second) when it changes or was never set. conds is not modified.
func SetStatusCondition(conds []Condition, c Condition, now time.Time) []Condition {
	out := make([]Condition, 0, len(conds)+1)
	found := false
	for _, old := range conds {
		if old.Type != c.Type {
			out = append(out, old)
			continue
		}
		found = true
		c.LastTransitionTime = old.LastTransitionTime
		if old.Status != c.Status || old.LastTransitionTime.IsZero() {
			c.LastTransitionTime = NewTime(now.UTC().Truncate(time.Second))
		}
		out = append(out, c)
	}
	if !found {
		c.LastTransitionTime = NewTime(now.UTC().Truncate(time.Second))
		out = append(out, c)
	}
	return out
}
