package apps

import (
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Labels the statefulset controller puts on its pods.
const (
	// StatefulSetPodNameLabel is the name of the pod, so a Service can
	// select one replica.
	StatefulSetPodNameLabel = "statefulset.kubernetes.io/pod-name"
	// PodIndexLabel is the pod's ordinal.
	PodIndexLabel = "apps.kubernetes.io/pod-index"
	// StatefulSetRevisionLabel is the revision the pod was created from.
	StatefulSetRevisionLabel = ControllerRevisionHashLabelKey
)

// StatefulSet runs pods with stable names <name>-<ordinal>, created,
// deleted and updated in ordinal order.
type StatefulSet struct {
	meta.TypeMeta   `json:",inline"`
	meta.ObjectMeta `json:"metadata,omitempty"`
	Spec            StatefulSetSpec   `json:"spec,omitempty"`
	Status          StatefulSetStatus `json:"status,omitempty"`
}

// PodManagementPolicyType is OrderedReady or Parallel.
type PodManagementPolicyType string

// Pod management policies.
const (
	OrderedReadyPodManagement PodManagementPolicyType = "OrderedReady"
	ParallelPodManagement     PodManagementPolicyType = "Parallel"
)

// StatefulSetUpdateStrategyType is RollingUpdate or OnDelete.
type StatefulSetUpdateStrategyType string

// Stateful set update strategies.
const (
	RollingUpdateStatefulSetStrategyType StatefulSetUpdateStrategyType = "RollingUpdate"
	OnDeleteStatefulSetStrategyType      StatefulSetUpdateStrategyType = "OnDelete"
)

// StatefulSetUpdateStrategy says how pods are replaced when the template
// changes.
type StatefulSetUpdateStrategy struct {
	Type          StatefulSetUpdateStrategyType     `json:"type,omitempty"`
	RollingUpdate *RollingUpdateStatefulSetStrategy `json:"rollingUpdate,omitempty"`
}

// RollingUpdateStatefulSetStrategy bounds a rolling update: ordinals below
// partition keep their revision.
type RollingUpdateStatefulSetStrategy struct {
	Partition      *int32              `json:"partition,omitempty"`
	MaxUnavailable *intstr.IntOrString `json:"maxUnavailable,omitempty"`
}

// PersistentVolumeClaimRetentionPolicyType is Retain or Delete.
type PersistentVolumeClaimRetentionPolicyType string

// Claim retention policies.
const (
	RetainPersistentVolumeClaimRetentionPolicyType PersistentVolumeClaimRetentionPolicyType = "Retain"
	DeletePersistentVolumeClaimRetentionPolicyType PersistentVolumeClaimRetentionPolicyType = "Delete"
)

// StatefulSetPersistentVolumeClaimRetentionPolicy says what becomes of the
// claims of volumeClaimTemplates when the set is deleted or scaled down.
type StatefulSetPersistentVolumeClaimRetentionPolicy struct {
	WhenDeleted PersistentVolumeClaimRetentionPolicyType `json:"whenDeleted,omitempty"`
	WhenScaled  PersistentVolumeClaimRetentionPolicyType `json:"whenScaled,omitempty"`
}

// StatefulSetOrdinals numbers the replicas from Start.
type StatefulSetOrdinals struct {
	Start int32 `json:"start"`
}

// StatefulSetSpec is the desired state of a stateful set.
type StatefulSetSpec struct {
	Replicas                             *int32                                           `json:"replicas,omitempty"`
	Selector                             *meta.LabelSelector                              `json:"selector"`
	Template                             core.PodTemplateSpec                             `json:"template"`
	VolumeClaimTemplates                 []core.PersistentVolumeClaim                     `json:"volumeClaimTemplates,omitempty"`
	ServiceName                          string                                           `json:"serviceName,omitempty"`
	PodManagementPolicy                  PodManagementPolicyType                          `json:"podManagementPolicy,omitempty"`
	UpdateStrategy                       StatefulSetUpdateStrategy                        `json:"updateStrategy,omitempty"`
	RevisionHistoryLimit                 *int32                                           `json:"revisionHistoryLimit,omitempty"`
	MinReadySeconds                      int32                                            `json:"minReadySeconds,omitempty"`
	PersistentVolumeClaimRetentionPolicy *StatefulSetPersistentVolumeClaimRetentionPolicy `json:"persistentVolumeClaimRetentionPolicy,omitempty"`
	Ordinals                             *StatefulSetOrdinals                             `json:"ordinals,omitempty"`
}

// StatefulSetStatus is the observed state of a stateful set.
type StatefulSetStatus struct {
	ObservedGeneration int64                  `json:"observedGeneration,omitempty"`
	Replicas           int32                  `json:"replicas"`
	ReadyReplicas      int32                  `json:"readyReplicas,omitempty"`
	CurrentReplicas    int32                  `json:"currentReplicas,omitempty"`
	UpdatedReplicas    int32                  `json:"updatedReplicas,omitempty"`
	CurrentRevision    string                 `json:"currentRevision,omitempty"`
	UpdateRevision     string                 `json:"updateRevision,omitempty"`
	CollisionCount     *int32                 `json:"collisionCount,omitempty"`
	Conditions         []StatefulSetCondition `json:"conditions,omitempty"`
	AvailableReplicas  int32                  `json:"availableReplicas"`
}

// StatefulSetCondition is one condition of a stateful set.
type StatefulSetCondition struct {
	Type               string               `json:"type"`
	Status             core.ConditionStatus `json:"status"`
	LastTransitionTime meta.Time            `json:"lastTransitionTime,omitempty"`
	Reason             string               `json:"reason,omitempty"`
	Message            string               `json:"message,omitempty"`
}

// StatefulSetList is a list of stateful sets.
type StatefulSetList = meta.List[StatefulSet]

// DefaultStatefulSet sets replicas 1, podManagementPolicy OrderedReady, a
// RollingUpdate strategy with partition 0, revisionHistoryLimit 10, the
// Retain/Retain claim retention policy and the pod defaults of the
// template, as Kubernetes' apps/v1 defaults.
func DefaultStatefulSet(ss *StatefulSet) {
	s := &ss.Spec
	if s.Replicas == nil {
		s.Replicas = meta.Ptr(int32(1))
	}
	if s.PodManagementPolicy == "" {
		s.PodManagementPolicy = OrderedReadyPodManagement
	}
	if s.UpdateStrategy.Type == "" {
		s.UpdateStrategy.Type = RollingUpdateStatefulSetStrategyType
		if s.UpdateStrategy.RollingUpdate == nil {
			s.UpdateStrategy.RollingUpdate = &RollingUpdateStatefulSetStrategy{}
		}
	}
	if s.UpdateStrategy.Type == RollingUpdateStatefulSetStrategyType && s.UpdateStrategy.RollingUpdate != nil &&
		s.UpdateStrategy.RollingUpdate.Partition == nil {
		s.UpdateStrategy.RollingUpdate.Partition = meta.Ptr(int32(0))
	}
	if s.RevisionHistoryLimit == nil {
		s.RevisionHistoryLimit = meta.Ptr(int32(10))
	}
	if s.PersistentVolumeClaimRetentionPolicy == nil {
		s.PersistentVolumeClaimRetentionPolicy = &StatefulSetPersistentVolumeClaimRetentionPolicy{}
	}
	if p := s.PersistentVolumeClaimRetentionPolicy; p.WhenDeleted == "" {
		p.WhenDeleted = RetainPersistentVolumeClaimRetentionPolicyType
	}
	if p := s.PersistentVolumeClaimRetentionPolicy; p.WhenScaled == "" {
		p.WhenScaled = RetainPersistentVolumeClaimRetentionPolicyType
	}
	core.DefaultPodSpec(&s.Template.Spec)
	for i := range s.VolumeClaimTemplates {
		core.DefaultPersistentVolumeClaim(&s.VolumeClaimTemplates[i])
	}
}

// ClaimName is the name of the claim template tmpl makes for set's pod of
// ordinal ord: <template>-<set>-<ordinal>, as Kubernetes names it.
func ClaimName(set *StatefulSet, tmpl *core.PersistentVolumeClaim, ord int) string {
	return tmpl.Name + "-" + set.Name + "-" + strconv.Itoa(ord)
}

// WithClaimVolumes is tmpl with a volume for each of ss's volume claim
// templates its pod volumes do not already name: a persistentVolumeClaim
// volume of the template's name naming the claim of ordinal ord.
func WithClaimVolumes(ss *StatefulSet, tmpl *core.PodTemplateSpec, ord int) *core.PodTemplateSpec {
	out := meta.DeepCopy(tmpl)
	have := map[string]bool{}
	for _, v := range out.Spec.Volumes {
		have[v.Name] = true
	}
	for i := range ss.Spec.VolumeClaimTemplates {
		c := &ss.Spec.VolumeClaimTemplates[i]
		if c.Name == "" || have[c.Name] {
			continue
		}
		have[c.Name] = true
		out.Spec.Volumes = append(out.Spec.Volumes, core.Volume{Name: c.Name, VolumeSource: core.VolumeSource{
			PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: ClaimName(ss, c, ord)}}})
	}
	return out
}
