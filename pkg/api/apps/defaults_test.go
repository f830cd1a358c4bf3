package apps

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestDefaultDeployment(t *testing.T) {
	d := &Deployment{Spec: DeploymentSpec{Template: core.PodTemplateSpec{Spec: core.PodSpec{Containers: []core.Container{{Name: "c", Image: "x:1"}}}}}}
	DefaultDeployment(d)
	s := d.Spec
	if *s.Replicas != 1 || s.Strategy.Type != RollingUpdateDeploymentStrategyType ||
		*s.Strategy.RollingUpdate.MaxSurge != intstr.FromString("25%") || *s.Strategy.RollingUpdate.MaxUnavailable != intstr.FromString("25%") ||
		*s.RevisionHistoryLimit != 10 || *s.ProgressDeadlineSeconds != 600 || s.Template.Spec.RestartPolicy != core.RestartPolicyAlways {
		t.Errorf("deployment defaults: %+v", s)
	}
	r := &Deployment{Spec: DeploymentSpec{Replicas: meta.Ptr(int32(0)), Strategy: DeploymentStrategy{Type: RecreateDeploymentStrategyType}}}
	DefaultDeployment(r)
	if *r.Spec.Replicas != 0 || r.Spec.Strategy.RollingUpdate != nil {
		t.Errorf("explicit values must stay: %+v", r.Spec)
	}
}

func TestDefaultDaemonSetAndReplicaSet(t *testing.T) {
	ds := &DaemonSet{}
	DefaultDaemonSet(ds)
	ru := ds.Spec.UpdateStrategy.RollingUpdate
	if ds.Spec.UpdateStrategy.Type != RollingUpdateDaemonSetStrategyType || *ru.MaxUnavailable != intstr.FromInt32(1) || *ru.MaxSurge != intstr.FromInt32(0) {
		t.Errorf("daemonset defaults: %+v", ds.Spec.UpdateStrategy)
	}
	rs := &ReplicaSet{Status: ReplicaSetStatus{Replicas: 3}}
	DefaultReplicaSet(rs)
	if *rs.Spec.Replicas != 1 || ReplicaSetFieldsSet(rs)["status.replicas"] != "3" {
		t.Errorf("replicaset defaults/fields wrong")
	}
}
