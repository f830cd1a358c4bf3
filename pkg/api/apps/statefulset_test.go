package apps

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestDefaultStatefulSet(t *testing.T) {
	ss := &StatefulSet{Spec: StatefulSetSpec{Template: core.PodTemplateSpec{Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "x:1"}}}}}}
	DefaultStatefulSet(ss)
	s := ss.Spec
	if *s.Replicas != 1 || s.PodManagementPolicy != OrderedReadyPodManagement ||
		s.UpdateStrategy.Type != RollingUpdateStatefulSetStrategyType || *s.UpdateStrategy.RollingUpdate.Partition != 0 ||
		*s.RevisionHistoryLimit != 10 || s.Template.Spec.RestartPolicy != core.RestartPolicyAlways ||
		s.PersistentVolumeClaimRetentionPolicy.WhenDeleted != "Retain" || s.PersistentVolumeClaimRetentionPolicy.WhenScaled != "Retain" {
		t.Errorf("statefulset defaults: %+v", s)
	}
	// OnDelete gets no rollingUpdate; explicit values are kept.
	o := &StatefulSet{Spec: StatefulSetSpec{Replicas: meta.Ptr(int32(0)), PodManagementPolicy: ParallelPodManagement,
		UpdateStrategy: StatefulSetUpdateStrategy{Type: OnDeleteStatefulSetStrategyType}}}
	DefaultStatefulSet(o)
	if *o.Spec.Replicas != 0 || o.Spec.PodManagementPolicy != ParallelPodManagement || o.Spec.UpdateStrategy.RollingUpdate != nil {
		t.Errorf("explicit values changed: %+v", o.Spec)
	}
	p := &StatefulSet{Spec: StatefulSetSpec{UpdateStrategy: StatefulSetUpdateStrategy{Type: RollingUpdateStatefulSetStrategyType,
		RollingUpdate: &RollingUpdateStatefulSetStrategy{Partition: meta.Ptr(int32(2))}}}}
	DefaultStatefulSet(p)
	if *p.Spec.UpdateStrategy.RollingUpdate.Partition != 2 {
		t.Errorf("partition changed: %+v", p.Spec.UpdateStrategy)
	}
}
