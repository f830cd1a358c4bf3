package registry

import (
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/coordination"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/fields"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/api/validation"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// fieldsOf adapts a typed field-set function.
func fieldsOf[T any, PT interface {
	*T
	meta.Object
}](f func(PT) map[string]string) func(meta.Object) map[string]string {
	return func(o meta.Object) map[string]string {
		if t, ok := o.(PT); ok {
			return f(t)
		}
		return nil
	}
}

// defaulter adapts a typed defaulting function.
func defaulter[T any, PT interface {
	*T
	meta.Object
}](f func(PT)) func(meta.Object) {
	return func(o meta.Object) {
		if t, ok := o.(PT); ok {
			f(t)
		}
	}
}

// fieldSet adapts a typed field-set function of pkg/api.
func fieldSet[T any, PT interface {
	*T
	meta.Object
}](f func(PT) fields.Set) func(meta.Object) map[string]string {
	return fieldsOf(func(t PT) map[string]string { return f(t) })
}

// validator adapts a typed validation function.
func validator[T any, PT interface {
	*T
	meta.Object
}](f func(PT) field.ErrorList) func(meta.Object) field.ErrorList {
	return func(o meta.Object) field.ErrorList {
		t, ok := o.(PT)
		if !ok {
			return field.ErrorList{field.Invalid(field.NewPath("kind"), o.GetTypeMeta().Kind, "unexpected kind")}
		}
		return f(t)
	}
}

// updateValidator adapts a typed update-validation function.
func updateValidator[T any, PT interface {
	*T
	meta.Object
}](f func(obj, old PT) field.ErrorList) func(obj, old meta.Object) field.ErrorList {
	return func(o, old meta.Object) field.ErrorList {
		t, ok1 := o.(PT)
		to, ok2 := old.(PT)
		if !ok1 || !ok2 {
			return field.ErrorList{field.Invalid(field.NewPath("kind"), o.GetTypeMeta().Kind, "unexpected kind")}
		}
		return f(t, to)
	}
}

func newOf[T any, PT interface {
	*T
	meta.Object
}]() func() meta.Object {
	return func() meta.Object { return PT(new(T)) }
}

// Default returns the table of every resource the apiserver serves, in
// discovery order.
func Default() *Table {
	return NewTable(
		namespaces(), nodes(), pods(), events(), services(), endpoints(), configMaps(), secrets(), serviceAccounts(),
		persistentVolumes(), persistentVolumeClaims(),
		deployments(), replicaSets(), daemonSets(), statefulSets(), controllerRevisions(), jobs(), cronJobs(), leases(), podDisruptionBudgets(),
		roles(), clusterRoles(), roleBindings(), clusterRoleBindings(), storageClasses(), customResourceDefinitions(),
		selfSubjectAccessReviews(), selfSubjectRulesReviews(), subjectAccessReviews(),
		endpointSlices(),
		resourceQuotas(), limitRanges(),
		ingresses(), ingressClasses(), networkPolicies(),
		priorityClasses(), horizontalPodAutoscalers(),
	)
}

func namespaces() *Resource {
	return &Resource{
		Version: "v1", Kind: "Namespace", Resource: "namespaces", Singular: "namespace",
		ShortNames: []string{"ns"}, Subresources: []string{SubStatus, SubFinalize},
		// No deletecollection, as in Kubernetes: each namespace is deleted
		// on its own (and the system ones not at all).
		Verbs: []string{"create", "delete", "get", "list", "patch", "update", "watch"},
		New:   newOf[core.Namespace](), ResetStatusOnCreate: true,
		PrepareKind: func(o meta.Object) {
			ns := o.(*core.Namespace)
			ns.Status.Phase = core.NamespaceActive
			if !hasFinalizer(ns.Spec.Finalizers, core.FinalizerKubernetes) {
				ns.Spec.Finalizers = append(ns.Spec.Finalizers, core.FinalizerKubernetes)
			}
		},
		Default:        defaulter(core.DefaultNamespace),
		Validate:       validator(validation.ValidateNamespace),
		ValidateUpdate: updateValidator(validation.ValidateNamespaceUpdate),
		Fields:         fieldSet(core.NamespaceFieldsSet),
		OnMarkDeleted: func(o meta.Object) {
			o.(*core.Namespace).Status.Phase = core.NamespaceTerminating
		},
		// A namespace marked for deletion goes Terminating and waits for the
		// namespace controller to empty spec.finalizers (via /finalize).
		ShouldDeleteDuringUpdate: func(o meta.Object) bool {
			return len(o.(*core.Namespace).Spec.Finalizers) == 0
		},
	}
}

func hasFinalizer(fs []core.FinalizerName, f core.FinalizerName) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func nodes() *Resource {
	return &Resource{
		Version: "v1", Kind: "Node", Resource: "nodes", Singular: "node",
		ShortNames: []string{"no"}, Subresources: []string{SubStatus},
		New: newOf[core.Node](), Default: defaulter(core.DefaultNode), Fields: fieldSet(core.NodeFieldsSet),
		Validate: validator(validation.ValidateNode), ValidateUpdate: updateValidator(validation.ValidateNodeUpdate),
	}
}

func pods() *Resource {
	return &Resource{
		Version: "v1", Kind: "Pod", Resource: "pods", Singular: "pod", Namespaced: true,
		ShortNames: []string{"po"}, Categories: []string{"all"},
		Subresources: []string{SubStatus, SubBinding, SubEviction, SubLog, "exec", "attach", "portforward"},
		New:          newOf[core.Pod](), ResetStatusOnCreate: true,
		PrepareKind: func(o meta.Object) {
			p := o.(*core.Pod)
			p.Status = core.PodStatus{Phase: core.PodPending}
		},
		Default:              defaulter(core.DefaultPod),
		Validate:             validator(validation.ValidatePod),
		ValidateUpdate:       updateValidator(validation.ValidatePodUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidatePodStatusUpdate),
		Fields:               fieldSet(core.PodFieldsSet),
		Deletion:             podDeletion,
	}
}

// podDeletion: a pod bound to a node and not finished is deleted gracefully
// (the kubelet stops it and then deletes with grace 0); the grace period is
// the request's, else the pod's terminationGracePeriodSeconds, else 30.
func podDeletion(o meta.Object, requested *int64) GracefulDecision {
	p := o.(*core.Pod)
	if p.Spec.NodeName == "" || p.Status.Phase == core.PodSucceeded || p.Status.Phase == core.PodFailed {
		return GracefulDecision{}
	}
	g := int64(30)
	if p.Spec.TerminationGracePeriodSeconds != nil {
		g = *p.Spec.TerminationGracePeriodSeconds
	}
	if requested != nil {
		g = *requested
	}
	if g <= 0 {
		return GracefulDecision{}
	}
	return GracefulDecision{Graceful: true, GracePeriodSeconds: g}
}

func events() *Resource {
	return &Resource{
		Version: "v1", Kind: "Event", Resource: "events", Singular: "event", Namespaced: true,
		ShortNames: []string{"ev"}, New: newOf[core.Event](), AllowCreateOnUpdate: true, Fields: fieldSet(core.EventFieldsSet),
		Validate: validator(validation.ValidateEvent), ValidateUpdate: updateValidator(validation.ValidateEventUpdate),
	}
}

func services() *Resource {
	return &Resource{
		Version: "v1", Kind: "Service", Resource: "services", Singular: "service", Namespaced: true,
		ShortNames: []string{"svc"}, Categories: []string{"all"}, Subresources: []string{SubStatus},
		New: newOf[core.Service](), ResetStatusOnCreate: true, Default: defaulter(core.DefaultService),
		Validate: validator(validation.ValidateService), ValidateUpdate: updateValidator(validation.ValidateServiceUpdate),
	}
}

func endpoints() *Resource {
	return &Resource{
		Version: "v1", Kind: "Endpoints", Resource: "endpoints", Singular: "endpoints", Namespaced: true,
		ShortNames: []string{"ep"}, New: newOf[core.Endpoints](), AllowCreateOnUpdate: true, Default: defaulter(core.DefaultEndpoints),
		Validate: validator(validation.ValidateEndpoints), ValidateUpdate: updateValidator(validation.ValidateEndpointsUpdate),
	}
}

func configMaps() *Resource {
	return &Resource{
		Version: "v1", Kind: "ConfigMap", Resource: "configmaps", Singular: "configmap", Namespaced: true,
		ShortNames: []string{"cm"}, New: newOf[core.ConfigMap](),
		Validate: validator(validation.ValidateConfigMap), ValidateUpdate: updateValidator(validation.ValidateConfigMapUpdate),
	}
}

func secrets() *Resource {
	return &Resource{
		Version: "v1", Kind: "Secret", Resource: "secrets", Singular: "secret", Namespaced: true,
		New: newOf[core.Secret](), Default: defaulter(core.DefaultSecret), Fields: fieldSet(core.SecretFieldsSet),
		Validate: validator(validation.ValidateSecret), ValidateUpdate: updateValidator(validation.ValidateSecretUpdate),
	}
}

// serviceAccounts: v1, short name sa, no status; the serviceaccount
// controller keeps one named "default" in every namespace.
func serviceAccounts() *Resource {
	return &Resource{
		Version: "v1", Kind: "ServiceAccount", Resource: "serviceaccounts", Singular: "serviceaccount", Namespaced: true,
		ShortNames: []string{"sa"}, New: newOf[core.ServiceAccount](),
		Validate:       validator(validation.ValidateServiceAccount),
		ValidateUpdate: updateValidator(validation.ValidateServiceAccountUpdate),
	}
}

func deployments() *Resource {
	return &Resource{
		Group: "apps", Version: "v1", Kind: "Deployment", Resource: "deployments", Singular: "deployment",
		Namespaced: true, ShortNames: []string{"deploy"}, Categories: []string{"all"},
		Subresources: []string{SubStatus, SubScale}, New: newOf[apps.Deployment](),
		Default:              defaulter(apps.DefaultDeployment),
		Validate:             validator(validation.ValidateDeployment),
		ValidateUpdate:       updateValidator(validation.ValidateDeploymentUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateDeploymentStatusUpdate),
		TracksGeneration:     true, ResetStatusOnCreate: true,
	}
}

func replicaSets() *Resource {
	return &Resource{
		Group: "apps", Version: "v1", Kind: "ReplicaSet", Resource: "replicasets", Singular: "replicaset",
		Namespaced: true, ShortNames: []string{"rs"}, Categories: []string{"all"},
		Subresources: []string{SubStatus, SubScale}, New: newOf[apps.ReplicaSet](),
		Default:              defaulter(apps.DefaultReplicaSet),
		Validate:             validator(validation.ValidateReplicaSet),
		ValidateUpdate:       updateValidator(validation.ValidateReplicaSetUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateReplicaSetStatusUpdate),
		TracksGeneration:     true, ResetStatusOnCreate: true,
		Fields: fieldsOf(func(rs *apps.ReplicaSet) map[string]string {
			return map[string]string{"status.replicas": strconv.Itoa(int(rs.Status.Replicas))}
		}),
	}
}

func daemonSets() *Resource {
	return &Resource{
		Group: "apps", Version: "v1", Kind: "DaemonSet", Resource: "daemonsets", Singular: "daemonset",
		Namespaced: true, ShortNames: []string{"ds"}, Categories: []string{"all"},
		Subresources: []string{SubStatus}, New: newOf[apps.DaemonSet](),
		Default:              defaulter(apps.DefaultDaemonSet),
		Validate:             validator(validation.ValidateDaemonSet),
		ValidateUpdate:       updateValidator(validation.ValidateDaemonSetUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateDaemonSetStatusUpdate),
		TracksGeneration:     true, ResetStatusOnCreate: true,
	}
}

// statefulSets: apps/v1, short name sts, status and scale subresources;
// the spec bumps generation.
func statefulSets() *Resource {
	return &Resource{
		Group: apps.GroupName, Version: apps.Version, Kind: "StatefulSet", Resource: "statefulsets", Singular: "statefulset",
		Namespaced: true, ShortNames: []string{"sts"}, Categories: []string{"all"},
		Subresources: []string{SubStatus, SubScale}, New: newOf[apps.StatefulSet](),
		Default:              defaulter(apps.DefaultStatefulSet),
		Validate:             validator(validation.ValidateStatefulSet),
		ValidateUpdate:       updateValidator(validation.ValidateStatefulSetUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateStatefulSetStatusUpdate),
		TracksGeneration:     true, ResetStatusOnCreate: true,
	}
}

// controllerRevisions: apps/v1, the daemon set controller's history of pod
// templates; no status, no generation, data immutable.
func controllerRevisions() *Resource {
	return &Resource{
		Group: apps.GroupName, Version: apps.Version, Kind: "ControllerRevision", Resource: "controllerrevisions",
		Singular: "controllerrevision", Namespaced: true, New: newOf[apps.ControllerRevision](),
		Validate:       validator(validation.ValidateControllerRevision),
		ValidateUpdate: updateValidator(validation.ValidateControllerRevisionUpdate),
	}
}

func jobs() *Resource {
	return &Resource{
		Group: "batch", Version: "v1", Kind: "Job", Resource: "jobs", Singular: "job",
		Namespaced: true, Categories: []string{"all"},
		Subresources: []string{SubStatus}, New: newOf[batch.Job](),
		Default:              defaulter(batch.DefaultJob),
		PrepareKind:          prepareJob,
		Validate:             validator(validation.ValidateJob),
		ValidateUpdate:       updateValidator(validation.ValidateJobUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateJobStatusUpdate),
		TracksGeneration:     true, ResetStatusOnCreate: true,
		Fields: fieldsOf(func(j *batch.Job) map[string]string {
			return map[string]string{"status.successful": strconv.Itoa(int(j.Status.Succeeded))}
		}),
	}
}

// cronJobs: batch/v1, short name cj, a status subresource the cronjob
// controller writes; the spec is mutable and bumps generation.
func cronJobs() *Resource {
	return &Resource{
		Group: batch.GroupName, Version: batch.Version, Kind: "CronJob", Resource: "cronjobs", Singular: "cronjob",
		Namespaced: true, ShortNames: []string{"cj"}, Categories: []string{"all"},
		Subresources: []string{SubStatus}, New: newOf[batch.CronJob](),
		Default:              defaulter(batch.DefaultCronJob),
		Validate:             validator(validation.ValidateCronJob),
		ValidateUpdate:       updateValidator(validation.ValidateCronJobUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidateCronJobStatusUpdate),
		Fields:               fieldSet(batch.CronJobFieldsSet),
		TracksGeneration:     true, ResetStatusOnCreate: true,
	}
}

// prepareJob generates a new job's selector and pod-template labels from
// its uid, unless spec.manualSelector is true, as the job strategy does.
func prepareJob(o meta.Object) {
	j := o.(*batch.Job)
	if j.Spec.ManualSelector != nil && *j.Spec.ManualSelector {
		return
	}
	uid := j.UID
	j.Spec.Selector = &meta.LabelSelector{MatchLabels: map[string]string{batch.ControllerUIDLabel: uid}}
	if j.Spec.Template.Labels == nil {
		j.Spec.Template.Labels = map[string]string{}
	}
	for k, v := range map[string]string{
		batch.ControllerUIDLabel: uid, batch.LegacyControllerUIDLabel: uid,
		batch.JobNameLabel: j.Name, batch.LegacyJobNameLabel: j.Name,
	} {
		j.Spec.Template.Labels[k] = v
	}
}

func leases() *Resource {
	return &Resource{
		Group: "coordination.k8s.io", Version: "v1", Kind: "Lease", Resource: "leases", Singular: "lease",
		Namespaced: true, New: newOf[coordination.Lease](), AllowCreateOnUpdate: true,
		Validate: validator(validation.ValidateLease), ValidateUpdate: updateValidator(validation.ValidateLeaseUpdate),
	}
}

// podDisruptionBudgets: policy/v1, every verb, a status subresource the
// disruption controller and evictions write; the spec is mutable and bumps
// generation, which evictions compare with status.observedGeneration.
func podDisruptionBudgets() *Resource {
	return &Resource{
		Group: policy.GroupName, Version: policy.Version, Kind: "PodDisruptionBudget",
		Resource: "poddisruptionbudgets", Singular: "poddisruptionbudget", Namespaced: true,
		ShortNames: []string{"pdb"}, Subresources: []string{SubStatus}, New: newOf[policy.PodDisruptionBudget](),
		Validate:             validator(validation.ValidatePodDisruptionBudget),
		ValidateUpdate:       updateValidator(validation.ValidatePodDisruptionBudgetUpdate),
		ValidateStatusUpdate: updateValidator(validation.ValidatePodDisruptionBudgetStatusUpdate),
		Fields:               fieldSet(policy.PodDisruptionBudgetFieldsSet),
		TracksGeneration:     true, ResetStatusOnCreate: true,
	}
}
