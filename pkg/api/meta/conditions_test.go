package meta

import (
	"testing"
	"time"
)

func TestSetStatusCondition(t *testing.T) {
	t0, t1 := time.Unix(100, 0).UTC(), time.Unix(200, 500).UTC()
	in := []Condition{{Type: "Other", Status: "True"}, {Type: "Ready", Status: "True", Reason: "A", LastTransitionTime: NewTime(t0)}}
	same := SetStatusCondition(in, Condition{Type: "Ready", Status: "True", Reason: "B"}, t1)
	if len(same) != 2 || same[1].Reason != "B" || !same[1].LastTransitionTime.Equal(t0) {
		t.Errorf("same status: %+v, want reason B at %v", same, t0)
	}
	flipped := SetStatusCondition(in, Condition{Type: "Ready", Status: "False"}, t1)
	if !flipped[1].LastTransitionTime.Equal(time.Unix(200, 0)) || in[1].Status != "True" {
		t.Errorf("flipped: %+v (input %+v): want the time moved to the second, the input kept", flipped, in)
	}
	unset := SetStatusCondition([]Condition{{Type: "Ready", Status: "True"}}, Condition{Type: "Ready", Status: "True"}, t1)
	added := SetStatusCondition(nil, Condition{Type: "Ready", Status: "True"}, t1)
	if unset[0].LastTransitionTime.IsZero() || len(added) != 1 || added[0].LastTransitionTime.IsZero() {
		t.Errorf("a never-set time must be set: %+v %+v", unset, added)
	}
}
