package validation

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func validStatefulSet() *apps.StatefulSet {
	ss := &apps.StatefulSet{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default", ResourceVersion: "1"},
		Spec: apps.StatefulSetSpec{Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Template: validDeployment().Spec.Template, ServiceName: "web"}}
	apps.DefaultStatefulSet(ss)
	return ss
}

func TestValidateStatefulSet(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*apps.StatefulSet)
		want   []string
	}{
		{"valid", func(*apps.StatefulSet) {}, nil},
		{"dns subdomain name is not a label", func(s *apps.StatefulSet) { s.Name = "web.v1" }, []string{"metadata.name:FieldValueInvalid"}},
		{"no policy", func(s *apps.StatefulSet) { s.Spec.PodManagementPolicy = "" }, []string{"spec.podManagementPolicy:FieldValueRequired"}},
		{"bad policy", func(s *apps.StatefulSet) { s.Spec.PodManagementPolicy = "Random" }, []string{"spec.podManagementPolicy:FieldValueInvalid"}},
		{"no strategy", func(s *apps.StatefulSet) { s.Spec.UpdateStrategy = apps.StatefulSetUpdateStrategy{} }, []string{"spec.updateStrategy:FieldValueRequired"}},
		{"bad strategy", func(s *apps.StatefulSet) { s.Spec.UpdateStrategy.Type = "Sometimes" }, []string{"spec.updateStrategy:FieldValueInvalid"}},
		{"OnDelete with rollingUpdate", func(s *apps.StatefulSet) { s.Spec.UpdateStrategy.Type = apps.OnDeleteStatefulSetStrategyType },
			[]string{"spec.updateStrategy.rollingUpdate:FieldValueInvalid"}},
		{"negative partition", func(s *apps.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = meta.Ptr(int32(-1)) },
			[]string{"spec.updateStrategy.rollingUpdate.partition:FieldValueInvalid"}},
		{"maxUnavailable 0", func(s *apps.StatefulSet) {
			s.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable = meta.Ptr(intstr.FromInt32(0))
		}, []string{"spec.updateStrategy.rollingUpdate.maxUnavailable:FieldValueInvalid"}},
		{"negative replicas", func(s *apps.StatefulSet) { s.Spec.Replicas = meta.Ptr(int32(-1)) }, []string{"spec.replicas:FieldValueInvalid"}},
		{"negative ordinals", func(s *apps.StatefulSet) { s.Spec.Ordinals = &apps.StatefulSetOrdinals{Start: -1} }, []string{"spec.ordinals.start:FieldValueInvalid"}},
		{"negative minReadySeconds", func(s *apps.StatefulSet) { s.Spec.MinReadySeconds = -1 }, []string{"spec.minReadySeconds:FieldValueInvalid"}},
		{"negative history", func(s *apps.StatefulSet) { s.Spec.RevisionHistoryLimit = meta.Ptr(int32(-1)) }, []string{"spec.revisionHistoryLimit:FieldValueInvalid"}},
		{"bad retention", func(s *apps.StatefulSet) { s.Spec.PersistentVolumeClaimRetentionPolicy.WhenScaled = "Keep" },
			[]string{"spec.persistentVolumeClaimRetentionPolicy.whenScaled:FieldValueNotSupported"}},
		{"no selector", func(s *apps.StatefulSet) { s.Spec.Selector = nil }, []string{"spec.selector:FieldValueRequired"}},
		{"selector mismatch", func(s *apps.StatefulSet) { s.Spec.Selector.MatchLabels = map[string]string{"app": "db"} },
			[]string{"spec.template.metadata.labels:FieldValueInvalid"}},
		{"restartPolicy", func(s *apps.StatefulSet) { s.Spec.Template.Spec.RestartPolicy = core.RestartPolicyOnFailure },
			[]string{"spec.template.spec.restartPolicy:FieldValueNotSupported"}},
		{"activeDeadlineSeconds", func(s *apps.StatefulSet) { s.Spec.Template.Spec.ActiveDeadlineSeconds = meta.Ptr(int64(5)) },
			[]string{"spec.template.spec.activeDeadlineSeconds:FieldValueForbidden"}},
		{"claim template mounted", func(s *apps.StatefulSet) {
			s.Spec.VolumeClaimTemplates = []core.PersistentVolumeClaim{{ObjectMeta: meta.ObjectMeta{Name: "data"},
				Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
					Resources: core.VolumeResourceRequirements{Requests: storageList("1Gi")}}}}
			c := &s.Spec.Template.Spec.Containers[0]
			c.VolumeMounts = append(c.VolumeMounts, core.VolumeMount{Name: "data", MountPath: "/data"})
		}, nil},
		{"claim template without name", func(s *apps.StatefulSet) {
			s.Spec.VolumeClaimTemplates = []core.PersistentVolumeClaim{{Spec: core.PersistentVolumeClaimSpec{
				AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
				Resources:   core.VolumeResourceRequirements{Requests: storageList("1Gi")}}}}
		}, []string{"spec.volumeClaimTemplates[0].metadata.name:FieldValueRequired"}},
		{"claim template without request", func(s *apps.StatefulSet) {
			s.Spec.VolumeClaimTemplates = []core.PersistentVolumeClaim{{ObjectMeta: meta.ObjectMeta{Name: "data"},
				Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce}}}}
		}, []string{"spec.volumeClaimTemplates[0].spec.resources[storage]:FieldValueRequired"}},
	} {
		ss := validStatefulSet()
		tc.mutate(ss)
		expectErrors(t, tc.name, ValidateStatefulSet(ss), tc.want...)
	}
}

func TestValidateStatefulSetUpdate(t *testing.T) {
	old := validStatefulSet()
	for _, tc := range []struct {
		name   string
		mutate func(*apps.StatefulSet)
		want   []string
	}{
		{"replicas", func(s *apps.StatefulSet) { s.Spec.Replicas = meta.Ptr(int32(5)) }, nil},
		{"template", func(s *apps.StatefulSet) { s.Spec.Template.Spec.Containers[0].Image = "nginx:2" }, nil},
		{"partition", func(s *apps.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = meta.Ptr(int32(2)) }, nil},
		{"ordinals, minReadySeconds, history, retention", func(s *apps.StatefulSet) {
			s.Spec.Ordinals = &apps.StatefulSetOrdinals{Start: 3}
			s.Spec.MinReadySeconds = 4
			s.Spec.RevisionHistoryLimit = meta.Ptr(int32(1))
			s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = apps.DeletePersistentVolumeClaimRetentionPolicyType
		}, nil},
		{"serviceName", func(s *apps.StatefulSet) { s.Spec.ServiceName = "other" }, []string{"spec:FieldValueForbidden"}},
		{"podManagementPolicy", func(s *apps.StatefulSet) { s.Spec.PodManagementPolicy = apps.ParallelPodManagement }, []string{"spec:FieldValueForbidden"}},
		{"selector", func(s *apps.StatefulSet) {
			s.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{"app": "web", "v": "2"}}
			s.Spec.Template.Labels["v"] = "2"
		}, []string{"spec:FieldValueForbidden"}},
		{"claim templates", func(s *apps.StatefulSet) {
			s.Spec.VolumeClaimTemplates = []core.PersistentVolumeClaim{{ObjectMeta: meta.ObjectMeta{Name: "data"},
				Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
					Resources: core.VolumeResourceRequirements{Requests: storageList("1Gi")}}}}
		}, []string{"spec:FieldValueForbidden"}},
	} {
		upd := meta.DeepCopy(old)
		tc.mutate(upd)
		expectErrors(t, tc.name, ValidateStatefulSetUpdate(upd, old), tc.want...)
	}
	upd := meta.DeepCopy(old)
	upd.Spec.ServiceName = "other"
	errs := ValidateStatefulSetUpdate(upd, old)
	const msg = "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
	if len(errs) != 1 || errs[0].Error() != msg {
		t.Errorf("message = %v", errs)
	}
}

func TestValidateStatefulSetStatusUpdate(t *testing.T) {
	old := validStatefulSet()
	st := meta.DeepCopy(old)
	st.Status = apps.StatefulSetStatus{Replicas: 3, ReadyReplicas: 3, AvailableReplicas: 2, CurrentReplicas: 3, UpdatedReplicas: 1, ObservedGeneration: 1}
	expectErrors(t, "valid status", ValidateStatefulSetStatusUpdate(st, old))
	st.Status.ReadyReplicas, st.Status.CollisionCount = 4, meta.Ptr(int32(-1))
	expectErrors(t, "bad status", ValidateStatefulSetStatusUpdate(st, old),
		"status.readyReplicas:FieldValueInvalid", "status.collisionCount:FieldValueInvalid")
}
