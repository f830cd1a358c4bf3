package ctl

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestStatefulSetRolloutStatus(t *testing.T) {
	mk := func(gen, observed int64, partition *int32, st apps.StatefulSetStatus) *apps.StatefulSet {
		s := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "web", Generation: gen},
			Spec: apps.StatefulSetSpec{Replicas: meta.Ptr(int32(3)), UpdateStrategy: apps.StatefulSetUpdateStrategy{
				Type: apps.RollingUpdateStatefulSetStrategyType}}}
		if partition != nil {
			s.Spec.UpdateStrategy.RollingUpdate = &apps.RollingUpdateStatefulSetStrategy{Partition: partition}
		}
		st.ObservedGeneration = observed
		s.Status = st
		return s
	}
	for _, tc := range []struct {
		name string
		s    *apps.StatefulSet
		msg  string
		done bool
	}{
		{"not observed", mk(2, 1, nil, apps.StatefulSetStatus{}), "Waiting for statefulset spec update to be observed...\n", false},
		{"pods not ready", mk(1, 1, nil, apps.StatefulSetStatus{ReadyReplicas: 1}), "Waiting for 2 pods to be ready...\n", false},
		{"partitioned, waiting", mk(1, 1, meta.Ptr(int32(1)), apps.StatefulSetStatus{ReadyReplicas: 3, UpdatedReplicas: 1}),
			"Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...\n", false},
		{"partitioned, complete", mk(1, 1, meta.Ptr(int32(0)), apps.StatefulSetStatus{ReadyReplicas: 3, UpdatedReplicas: 3}),
			"partitioned roll out complete: 3 new pods have been updated...\n", true},
		{"no rollingUpdate, in progress", mk(1, 1, nil, apps.StatefulSetStatus{ReadyReplicas: 3, UpdatedReplicas: 2, CurrentRevision: "web-a", UpdateRevision: "web-b"}),
			"waiting for statefulset rolling update to complete 2 pods at revision web-b...\n", false},
		{"no rollingUpdate, complete", mk(1, 1, nil, apps.StatefulSetStatus{ReadyReplicas: 3, CurrentReplicas: 3, CurrentRevision: "web-b", UpdateRevision: "web-b"}),
			"statefulset rolling update complete 3 pods at revision web-b...\n", true},
	} {
		msg, done, err := StatefulSetRolloutStatus(tc.s)
		if err != nil || msg != tc.msg || done != tc.done {
			t.Errorf("%s: %q %v %v, want %q %v", tc.name, msg, done, err, tc.msg, tc.done)
		}
	}
	s := mk(1, 1, nil, apps.StatefulSetStatus{})
	s.Spec.UpdateStrategy.Type = apps.OnDeleteStatefulSetStrategyType
	if _, _, err := StatefulSetRolloutStatus(s); err == nil || err.Error() != "rollout status is only available for RollingUpdate strategy type" {
		t.Errorf("OnDelete: %v", err)
	}
}
