package ctl

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/apiserver/tableconvert"
)

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

func (d *describer) pod(p *core.Pod) {
	d.line(0, "Name", p.Name)
	d.line(0, "Namespace", p.Namespace)
	prio := "0"
	if p.Spec.Priority != nil {
		prio = fmt.Sprint(*p.Spec.Priority)
	}
	d.line(0, "Priority", prio)
	d.line(0, "Service Account", orNone(p.Spec.ServiceAccountName))
	node := "<none>"
	if p.Spec.NodeName != "" {
		node = p.Spec.NodeName
		if p.Status.HostIP != "" {
			node += "/" + p.Status.HostIP
		}
	}
	d.line(0, "Node", node)
	if p.Status.StartTime != nil {
		d.line(0, "Start Time", timeString(*p.Status.StartTime))
	}
	d.mapLines("Labels", p.Labels)
	d.mapLines("Annotations", p.Annotations)
	status := string(p.Status.Phase)
	if p.DeletionTimestamp != nil {
		status = "Terminating (lasts " + tableconvert.HumanDuration(d.now.Sub(p.DeletionTimestamp.Time)) + ")"
	}
	d.line(0, "Status", status)
	if p.Status.Reason != "" {
		d.line(0, "Reason", p.Status.Reason)
	}
	if p.Status.Message != "" {
		d.line(0, "Message", p.Status.Message)
	}
	d.line(0, "IP", p.Status.PodIP)
	if ref := p.ControllerRef(); ref != nil {
		d.line(0, "Controlled By", ref.Kind+"/"+ref.Name)
	}
	if len(p.Spec.InitContainers) > 0 {
		d.containers("", "Init Containers", p.Spec.InitContainers, p.Status.InitContainerStatuses)
	}
	d.containers("", "Containers", p.Spec.Containers, p.Status.ContainerStatuses)
	if len(p.Status.Conditions) > 0 {
		d.text(0, "Conditions:")
		d.text(1, "Type\tStatus")
		for _, c := range p.Status.Conditions {
			d.text(1, fmt.Sprintf("%s \t%s ", c.Type, c.Status))
		}
	}
	d.volumes("", p.Spec.Volumes)
	d.line(0, "QoS Class", orNone(string(p.Status.QOSClass)))
	d.mapLines("Node-Selectors", p.Spec.NodeSelector)
	d.tolerations("Tolerations", p.Spec.Tolerations)
}

// containers describes containers as kubectl does; space is kubectl's
// prefix of the title ("" for a pod, "  " in a pod template, where the
// container names then stand one column further in).
func (d *describer) containers(space, title string, cs []core.Container, statuses []core.ContainerStatus) {
	d.text(0, space+title+":")
	name := "  "
	if space != "" {
		name = "   "
	}
	for _, c := range cs {
		var st *core.ContainerStatus
		for i := range statuses {
			if statuses[i].Name == c.Name {
				st = &statuses[i]
			}
		}
		d.text(0, name+c.Name+":")
		if st != nil && st.ContainerID != "" {
			d.line(2, "Container ID", st.ContainerID)
		}
		d.line(2, "Image", c.Image)
		d.ports(c.Ports)
		if len(c.Command) > 0 {
			d.text(2, "Command:")
			for _, a := range c.Command {
				d.text(3, a)
			}
		}
		if len(c.Args) > 0 {
			d.text(2, "Args:")
			for _, a := range c.Args {
				d.text(3, a)
			}
		}
		if st != nil {
			d.containerState("State", st.State)
			if st.LastTerminationState.Terminated != nil {
				d.containerState("Last State", st.LastTerminationState)
			}
			d.line(2, "Ready", st.Ready)
			d.line(2, "Restart Count", st.RestartCount)
		}
		if len(c.Env) > 0 {
			d.text(2, "Environment:")
			for _, e := range c.Env {
				v := e.Value
				if e.ValueFrom != nil {
					v = "<set from a reference>"
				}
				d.line(3, e.Name, v)
			}
		} else {
			d.line(2, "Environment", "<none>")
		}
		if len(c.VolumeMounts) == 0 {
			d.line(2, "Mounts", "<none>")
		} else {
			d.text(2, "Mounts:")
			for _, m := range c.VolumeMounts {
				d.text(3, fmt.Sprintf("%s from %s (%s)", m.MountPath, m.Name, rwString(m.ReadOnly)))
			}
		}
	}
}

// ports prints kubectl's Port and Host Port lines (Ports / Host Ports
// when there are several, <none> when there is none).
func (d *describer) ports(ps []core.ContainerPort) {
	var cp, hp []string
	for _, p := range ps {
		cp = append(cp, fmt.Sprintf("%d/%s", p.ContainerPort, orProto(p.Protocol)))
		hp = append(hp, fmt.Sprintf("%d/%s", p.HostPort, orProto(p.Protocol)))
	}
	for _, l := range []struct {
		key  string
		vals []string
	}{{"Port", cp}, {"Host Port", hp}} {
		if len(l.vals) > 1 {
			d.line(2, l.key+"s", strings.Join(l.vals, ", "))
		} else {
			d.line(2, l.key, orNone(strings.Join(l.vals, "")))
		}
	}
}

func orProto(p core.Protocol) core.Protocol {
	if p == "" {
		return core.ProtocolTCP
	}
	return p
}

func rwString(ro bool) string {
	if ro {
		return "ro"
	}
	return "rw"
}

func (d *describer) containerState(title string, s core.ContainerState) {
	switch {
	case s.Running != nil:
		d.line(2, title, "Running")
		d.line(3, "Started", timeString(s.Running.StartedAt))
	case s.Waiting != nil:
		d.line(2, title, "Waiting")
		d.line(3, "Reason", s.Waiting.Reason)
	case s.Terminated != nil:
		d.line(2, title, "Terminated")
		d.line(3, "Reason", s.Terminated.Reason)
		d.line(3, "Exit Code", s.Terminated.ExitCode)
		d.line(3, "Started", timeString(s.Terminated.StartedAt))
		d.line(3, "Finished", timeString(s.Terminated.FinishedAt))
	default:
		d.line(2, title, "Waiting")
	}
}

// volumes describes volumes as kubectl does; space prefixes the title and
// the volume names ("  " in a pod template).
func (d *describer) volumes(space string, vs []core.Volume) {
	if len(vs) == 0 {
		d.line(0, space+"Volumes", "<none>")
		return
	}
	d.text(0, space+"Volumes:")
	for _, v := range vs {
		d.text(1, space+v.Name+":")
		switch {
		case v.HostPath != nil:
			d.line(2, "Type", "HostPath (bare host directory volume)")
			d.line(2, "Path", v.HostPath.Path)
		case v.EmptyDir != nil:
			d.line(2, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)")
		case v.ConfigMap != nil:
			d.line(2, "Type", "ConfigMap (a volume populated by a ConfigMap)")
			d.line(2, "Name", v.ConfigMap.Name)
		case v.Secret != nil:
			d.line(2, "Type", "Secret (a volume populated by a Secret)")
			d.line(2, "SecretName", v.Secret.SecretName)
		}
	}
}

// tolerations prints one toleration per line under title (which carries
// its own indent, as kubectl's).
func (d *describer) tolerations(title string, ts []core.Toleration) {
	if len(ts) == 0 {
		d.line(0, title, "<none>")
		return
	}
	for i, t := range ts {
		s := t.Key
		if t.Operator == core.TolerationOpExists && t.Key == "" {
			s = "op=Exists"
		} else if t.Value != "" {
			s += "=" + t.Value
		} else if t.Operator == core.TolerationOpExists {
			s += " op=Exists"
		}
		if t.Effect != "" {
			s += ":" + string(t.Effect)
		}
		if t.TolerationSeconds != nil {
			s += fmt.Sprintf(" for %ds", *t.TolerationSeconds)
		}
		if i == 0 {
			d.line(0, title, s)
		} else {
			fmt.Fprintf(d.tw, "\t%s\n", s)
		}
	}
}

func (d *describer) node(n *core.Node) {
	d.line(0, "Name", n.Name)
	d.line(0, "Roles", tableconvert.NodeRoles(n))
	d.mapLines("Labels", n.Labels)
	d.mapLines("Annotations", n.Annotations)
	d.line(0, "CreationTimestamp", timeString(n.CreationTimestamp))
	if len(n.Spec.Taints) == 0 {
		d.line(0, "Taints", "<none>")
	}
	for i, t := range n.Spec.Taints {
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		s += ":" + string(t.Effect)
		if i == 0 {
			d.line(0, "Taints", s)
		} else {
			fmt.Fprintf(d.tw, "\t%s\n", s)
		}
	}
	d.line(0, "Unschedulable", n.Spec.Unschedulable)
	d.text(0, "Conditions:")
	d.text(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage")
	d.text(1, "----\t------\t-----------------\t------------------\t------\t-------")
	for _, c := range n.Status.Conditions {
		d.text(1, fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", c.Type, c.Status, timeString(c.LastHeartbeatTime),
			timeString(c.LastTransitionTime), c.Reason, c.Message))
	}
	d.text(0, "Addresses:")
	for _, a := range n.Status.Addresses {
		d.line(1, string(a.Type), a.Address)
	}
	d.resources("Capacity", n.Status.Capacity)
	d.resources("Allocatable", n.Status.Allocatable)
	d.text(0, "System Info:")
	info := n.Status.NodeInfo
	d.line(1, "Machine ID", info.MachineID)
	d.line(1, "Kernel Version", info.KernelVersion)
	d.line(1, "OS Image", info.OSImage)
	d.line(1, "Operating System", info.OperatingSystem)
	d.line(1, "Architecture", info.Architecture)
	d.line(1, "Container Runtime Version", info.ContainerRuntimeVersion)
	d.line(1, "Kubelet Version", info.KubeletVersion)
	d.line(0, "PodCIDR", orNone(n.Spec.PodCIDR))
}

func (d *describer) resources(title string, rl core.ResourceList) {
	d.text(0, title+":")
	keys := make([]string, 0, len(rl))
	for k := range rl {
		keys = append(keys, string(k))
	}
	sortStrings(keys)
	for _, k := range keys {
		q := rl[core.ResourceName(k)]
		d.line(1, k, q.String())
	}
}

// workload describes deployments, replica sets, daemon sets and jobs;
// false for other kinds.
func (d *describer) workload(obj meta.Object) bool {
	switch o := obj.(type) {
	case *apps.Deployment:
		d.deployment(o)
	case *apps.ReplicaSet:
		d.metadata(&o.ObjectMeta, true)
		d.line(0, "Selector", labels.FormatLabelSelector(o.Spec.Selector))
		if ref := o.ControllerRef(); ref != nil {
			d.line(0, "Controlled By", ref.Kind+"/"+ref.Name)
		}
		d.line(0, "Replicas", fmt.Sprintf("%d current / %d desired", o.Status.Replicas, replicasOf(o.Spec.Replicas)))
		d.podTemplate(&o.Spec.Template)
	case *apps.DaemonSet:
		d.daemonSet(o)
	case *batch.Job:
		d.job(o)
	default:
		return false
	}
	return true
}

func (d *describer) deployment(o *apps.Deployment) {
	d.metadata(&o.ObjectMeta, true)
	d.line(0, "CreationTimestamp", timeString(o.CreationTimestamp))
	d.line(0, "Selector", labels.FormatLabelSelector(o.Spec.Selector))
	st := o.Status
	d.line(0, "Replicas", fmt.Sprintf("%d desired | %d updated | %d total | %d available | %d unavailable",
		replicasOf(o.Spec.Replicas), st.UpdatedReplicas, st.Replicas, st.AvailableReplicas, st.UnavailableReplicas))
	d.line(0, "StrategyType", orNone(string(o.Spec.Strategy.Type)))
	d.line(0, "MinReadySeconds", o.Spec.MinReadySeconds)
	if ru := o.Spec.Strategy.RollingUpdate; ru != nil && ru.MaxUnavailable != nil && ru.MaxSurge != nil {
		d.line(0, "RollingUpdateStrategy", fmt.Sprintf("%s max unavailable, %s max surge", ru.MaxUnavailable.String(), ru.MaxSurge.String()))
	}
	d.podTemplate(&o.Spec.Template)
	if len(st.Conditions) > 0 {
		d.text(0, "Conditions:")
		d.text(1, "Type\tStatus\tReason")
		d.text(1, "----\t------\t------")
		for _, c := range st.Conditions {
			d.text(1, fmt.Sprintf("%s \t%s\t%s", c.Type, c.Status, c.Reason))
		}
	}
}

func (d *describer) daemonSet(o *apps.DaemonSet) {
	d.metadata(&o.ObjectMeta, true)
	d.line(0, "Selector", labels.FormatLabelSelector(o.Spec.Selector))
	d.line(0, "Node-Selector", orNone(labels.Set(o.Spec.Template.Spec.NodeSelector).String()))
	st := o.Status
	d.line(0, "Desired Number of Nodes Scheduled", st.DesiredNumberScheduled)
	d.line(0, "Current Number of Nodes Scheduled", st.CurrentNumberScheduled)
	d.line(0, "Number of Nodes Scheduled with Up-to-date Pods", st.UpdatedNumberScheduled)
	d.line(0, "Number of Nodes Scheduled with Available Pods", st.NumberAvailable)
	d.line(0, "Number of Nodes Misscheduled", st.NumberMisscheduled)
	d.podTemplate(&o.Spec.Template)
}

func (d *describer) job(o *batch.Job) {
	d.metadata(&o.ObjectMeta, true)
	d.line(0, "Selector", labels.FormatLabelSelector(o.Spec.Selector))
	if o.Spec.Parallelism != nil {
		d.line(0, "Parallelism", *o.Spec.Parallelism)
	}
	if o.Spec.Completions != nil {
		d.line(0, "Completions", *o.Spec.Completions)
	}
	indexed := batch.IsIndexed(o)
	if indexed {
		d.line(0, "Completion Mode", batch.IndexedCompletion)
	}
	if o.Status.StartTime != nil {
		d.line(0, "Start Time", timeString(*o.Status.StartTime))
	}
	d.line(0, "Pods Statuses", fmt.Sprintf("%d Active / %d Succeeded / %d Failed", o.Status.Active, o.Status.Succeeded, o.Status.Failed))
	if indexed {
		d.line(0, "Completed Indexes", orNone(capIndexes(o.Status.CompletedIndexes, 50)))
	}
	d.podTemplate(&o.Spec.Template)
}

// capIndexes shortens an interval list longer than n characters to its
// whole intervals within n, followed by ",...", as kubectl does.
func capIndexes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexByte(s[:n+1], ','); i > 0 {
		return s[:i] + ",..."
	}
	return s[:n] + "..."
}

// podTemplate describes a pod template as kubectl's DescribePodTemplate:
// labels, annotations and service account if set, the containers as a
// pod's (without status), volumes, node selectors and tolerations.
func (d *describer) podTemplate(t *core.PodTemplateSpec) {
	d.text(0, "Pod Template:")
	d.mapLines("  Labels", t.Labels)
	if len(t.Annotations) > 0 {
		d.mapLines("  Annotations", t.Annotations)
	}
	if t.Spec.ServiceAccountName != "" {
		d.line(1, "Service Account", t.Spec.ServiceAccountName)
	}
	if len(t.Spec.InitContainers) > 0 {
		d.containers("  ", "Init Containers", t.Spec.InitContainers, nil)
	}
	d.containers("  ", "Containers", t.Spec.Containers, nil)
	d.volumes("  ", t.Spec.Volumes)
	if t.Spec.PriorityClassName != "" {
		d.line(1, "Priority Class Name", t.Spec.PriorityClassName)
	}
	d.mapLines("  Node-Selectors", t.Spec.NodeSelector)
	d.tolerations("  Tolerations", t.Spec.Tolerations)
}

func replicasOf(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// podDisruptionBudget describes a budget as kubectl does: its bound, its
// selector and what the disruption controller last counted.
func (d *describer) podDisruptionBudget(o *policy.PodDisruptionBudget) {
	d.line(0, "Name", o.Name)
	d.line(0, "Namespace", o.Namespace)
	switch {
	case o.Spec.MinAvailable != nil:
		d.line(0, "Min available", o.Spec.MinAvailable.String())
	case o.Spec.MaxUnavailable != nil:
		d.line(0, "Max unavailable", o.Spec.MaxUnavailable.String())
	}
	if o.Spec.Selector != nil {
		d.line(0, "Selector", labels.FormatLabelSelector(o.Spec.Selector))
	} else {
		d.line(0, "Selector", "<unset>")
	}
	d.text(0, "Status:")
	d.line(2, "Allowed disruptions", o.Status.DisruptionsAllowed)
	d.line(2, "Current", o.Status.CurrentHealthy)
	d.line(2, "Desired", o.Status.DesiredHealthy)
	d.line(2, "Total", o.Status.ExpectedPods)
}

// cronJob describes a CronJob as kubectl does: its schedule and history
// limits, the job template (selector, parallelism, completions, pod
// template), the last schedule time and the active jobs.
func (d *describer) cronJob(o *batch.CronJob) {
	d.metadata(&o.ObjectMeta, true)
	s := &o.Spec
	d.line(0, "Schedule", s.Schedule)
	d.line(0, "Concurrency Policy", s.ConcurrencyPolicy)
	d.line(0, "Suspend", boolPtrString(s.Suspend))
	d.line(0, "Successful Job History Limit", int32PtrString(s.SuccessfulJobsHistoryLimit))
	d.line(0, "Failed Job History Limit", int32PtrString(s.FailedJobsHistoryLimit))
	if s.StartingDeadlineSeconds != nil {
		d.line(0, "Starting Deadline Seconds", fmt.Sprintf("%ds", *s.StartingDeadlineSeconds))
	} else {
		d.line(0, "Starting Deadline Seconds", "<unset>")
	}
	js := &s.JobTemplate.Spec
	if js.Selector != nil {
		d.line(0, "Selector", labels.FormatLabelSelector(js.Selector))
	} else {
		d.line(0, "Selector", "<unset>")
	}
	d.line(0, "Parallelism", int32PtrString(js.Parallelism))
	d.line(0, "Completions", int32PtrString(js.Completions))
	if js.ActiveDeadlineSeconds != nil {
		d.line(0, "Active Deadline Seconds", fmt.Sprintf("%ds", *js.ActiveDeadlineSeconds))
	}
	d.podTemplate(&js.Template)
	if t := o.Status.LastScheduleTime; t != nil {
		d.line(0, "Last Schedule Time", timeString(*t))
	} else {
		d.line(0, "Last Schedule Time", "<unset>")
	}
	names := make([]string, 0, len(o.Status.Active))
	for _, r := range o.Status.Active {
		names = append(names, r.Name)
	}
	d.line(0, "Active Jobs", orNone(strings.Join(names, ", ")))
}

// boolPtrString is True, False or <unset>, as kubectl prints an optional
// bool.
func boolPtrString(b *bool) string {
	switch {
	case b == nil:
		return "<unset>"
	case *b:
		return "True"
	default:
		return "False"
	}
}

func int32PtrString(p *int32) string {
	if p == nil {
		return "<unset>"
	}
	return fmt.Sprint(*p)
}
