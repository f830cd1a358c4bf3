package ctl

import (
	"fmt"
	"net"
	"net/url"
	"slices"
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
	d.annotations("Annotations", p.Annotations)
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
		d.containers("", "Init Containers", p.Spec.InitContainers, p.Status.InitContainerStatuses, p)
	}
	d.containers("", "Containers", p.Spec.Containers, p.Status.ContainerStatuses, p)
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
// container names then stand one column further in). pod resolves env
// fieldRefs (nil for a template, which shows only the field path).
func (d *describer) containers(space, title string, cs []core.Container, statuses []core.ContainerStatus, pod *core.Pod) {
	d.text(0, space+title+":")
	name := "  "
	if space != "" {
		name = "   "
	}
	for i := range cs {
		c := &cs[i]
		var st *core.ContainerStatus
		for i := range statuses {
			if statuses[i].Name == c.Name {
				st = &statuses[i]
			}
		}
		d.text(0, name+c.Name+":")
		if st != nil {
			d.line(2, "Container ID", st.ContainerID)
		}
		d.line(2, "Image", c.Image)
		if st != nil {
			d.line(2, "Image ID", st.ImageID)
		}
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
			d.line(2, "Ready", boolString(st.Ready))
			d.line(2, "Restart Count", st.RestartCount)
		}
		for _, l := range []struct {
			title string
			rl    core.ResourceList
		}{{"Limits", c.Resources.Limits}, {"Requests", c.Resources.Requests}} {
			if len(l.rl) > 0 {
				d.text(2, l.title+":")
				for _, k := range sortedResourceNames(l.rl) {
					q := l.rl[k]
					d.line(3, string(k), q.String())
				}
			}
		}
		for _, p := range []struct {
			title string
			probe *core.Probe
		}{{"Liveness", c.LivenessProbe}, {"Readiness", c.ReadinessProbe}, {"Startup", c.StartupProbe}} {
			if p.probe != nil {
				d.line(2, p.title, probeString(p.probe))
			}
		}
		if len(c.EnvFrom) > 0 {
			d.envFrom(c.EnvFrom)
		}
		d.env(c, pod)
		d.mounts(c.VolumeMounts)
	}
}

// envFrom lists a container's envFrom sources as kubectl does.
func (d *describer) envFrom(efs []core.EnvFromSource) {
	d.text(2, "Environment Variables from:")
	for _, ef := range efs {
		var from, name string
		var optional *bool
		switch {
		case ef.ConfigMapRef != nil:
			from, name, optional = "ConfigMap", ef.ConfigMapRef.Name, ef.ConfigMapRef.Optional
		case ef.SecretRef != nil:
			from, name, optional = "Secret", ef.SecretRef.Name, ef.SecretRef.Optional
		}
		if ef.Prefix != "" {
			from += fmt.Sprintf(" with prefix '%s'", ef.Prefix)
		}
		d.text(3, fmt.Sprintf("%s\t%s\tOptional: %t", name, from, optional != nil && *optional))
	}
}

// env lists a container's env as kubectl does: values, the key a config
// map or secret key ref names, a field ref's value (of pod, if any) and
// path, a resource field ref's value and resource.
func (d *describer) env(c *core.Container, pod *core.Pod) {
	if len(c.Env) == 0 {
		d.line(2, "Environment", "<none>")
		return
	}
	d.text(2, "Environment:")
	for _, e := range c.Env {
		vf := e.ValueFrom
		switch {
		case vf == nil:
			d.line(3, e.Name, e.Value)
		case vf.FieldRef != nil:
			var v string
			if pod != nil {
				v, _ = core.PodFieldValue(pod, vf.FieldRef.FieldPath, pod.Status.HostIP, pod.Status.PodIP)
			}
			d.line(3, e.Name, fmt.Sprintf("%s (%s:%s)", v, vf.FieldRef.APIVersion, vf.FieldRef.FieldPath))
		case vf.ResourceFieldRef != nil:
			v, err := core.ContainerResourceValue(vf.ResourceFieldRef, c)
			if err != nil {
				d.line(3, e.Name, fmt.Sprintf("<error: %v>", err))
				continue
			}
			if r := vf.ResourceFieldRef.Resource; v == "0" && (r == "limits.cpu" || r == "limits.memory") {
				v = "node allocatable"
			}
			d.line(3, e.Name, fmt.Sprintf("%s (%s)", v, vf.ResourceFieldRef.Resource))
		case vf.ConfigMapKeyRef != nil:
			r := vf.ConfigMapKeyRef
			d.line(3, e.Name, fmt.Sprintf("<set to the key '%s' of config map '%s'>\tOptional: %t", r.Key, r.Name, r.Optional != nil && *r.Optional))
		case vf.SecretKeyRef != nil:
			r := vf.SecretKeyRef
			d.line(3, e.Name, fmt.Sprintf("<set to the key '%s' in secret '%s'>\tOptional: %t", r.Key, r.Name, r.Optional != nil && *r.Optional))
		}
	}
}

// mounts lists volume mounts by mount path, as kubectl does.
func (d *describer) mounts(ms []core.VolumeMount) {
	if len(ms) == 0 {
		d.line(2, "Mounts", "<none>")
		return
	}
	d.text(2, "Mounts:")
	sorted := slices.Clone(ms)
	slices.SortStableFunc(sorted, func(a, b core.VolumeMount) int { return strings.Compare(a.MountPath, b.MountPath) })
	for _, m := range sorted {
		flags := []string{rwString(m.ReadOnly)}
		if m.SubPath != "" {
			flags = append(flags, fmt.Sprintf("path=%q", m.SubPath))
		}
		d.text(3, fmt.Sprintf("%s from %s (%s)", m.MountPath, m.Name, strings.Join(flags, ",")))
	}
}

// probeString is kubectl's one-line description of a probe.
func probeString(p *core.Probe) string {
	attrs := fmt.Sprintf("delay=%ds timeout=%ds period=%ds #success=%d #failure=%d",
		p.InitialDelaySeconds, p.TimeoutSeconds, p.PeriodSeconds, p.SuccessThreshold, p.FailureThreshold)
	switch {
	case p.Exec != nil:
		return fmt.Sprintf("exec %v %s", p.Exec.Command, attrs)
	case p.HTTPGet != nil:
		u := url.URL{Scheme: strings.ToLower(string(p.HTTPGet.Scheme)), Host: p.HTTPGet.Host, Path: p.HTTPGet.Path}
		if port := p.HTTPGet.Port.String(); port != "" {
			u.Host = net.JoinHostPort(p.HTTPGet.Host, port)
		}
		return fmt.Sprintf("http-get %s %s", u.String(), attrs)
	case p.TCPSocket != nil:
		return fmt.Sprintf("tcp-socket %s:%s %s", p.TCPSocket.Host, p.TCPSocket.Port.String(), attrs)
	case p.GRPC != nil:
		service := ""
		if p.GRPC.Service != nil {
			service = *p.GRPC.Service
		}
		return fmt.Sprintf("grpc <pod>:%d %s %s", p.GRPC.Port, service, attrs)
	}
	return "unknown " + attrs
}

// sortedResourceNames are rl's names in order.
func sortedResourceNames(rl core.ResourceList) []core.ResourceName {
	names := make([]core.ResourceName, 0, len(rl))
	for k := range rl {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// boolString is kubectl's True / False.
func boolString(b bool) string {
	if b {
		return "True"
	}
	return "False"
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

// containerState describes a container state as kubectl does.
func (d *describer) containerState(title string, s core.ContainerState) {
	switch {
	case s.Running != nil:
		d.line(2, title, "Running")
		d.line(3, "Started", timeString(s.Running.StartedAt))
	case s.Waiting != nil:
		d.line(2, title, "Waiting")
		if s.Waiting.Reason != "" {
			d.line(3, "Reason", s.Waiting.Reason)
		}
	case s.Terminated != nil:
		t := s.Terminated
		d.line(2, title, "Terminated")
		if t.Reason != "" {
			d.line(3, "Reason", t.Reason)
		}
		if t.Message != "" {
			d.line(3, "Message", t.Message)
		}
		d.line(3, "Exit Code", t.ExitCode)
		if t.Signal > 0 {
			d.line(3, "Signal", t.Signal)
		}
		d.line(3, "Started", timeString(t.StartedAt))
		d.line(3, "Finished", timeString(t.FinishedAt))
	default:
		d.line(2, title, "Waiting")
	}
}

// volumes describes volumes as kubectl does; space prefixes the title ("  "
// in a pod template, where the volume names stand one column further in).
func (d *describer) volumes(space string, vs []core.Volume) {
	if len(vs) == 0 {
		d.line(0, space+"Volumes", "<none>")
		return
	}
	d.text(0, space+"Volumes:")
	name := "  "
	if space != "" {
		name = "   "
	}
	for _, v := range vs {
		d.text(0, name+v.Name+":")
		switch {
		case v.HostPath != nil:
			d.line(2, "Type", "HostPath (bare host directory volume)")
			d.line(2, "Path", v.HostPath.Path)
			var t string
			if v.HostPath.Type != nil {
				t = string(*v.HostPath.Type)
			}
			d.line(2, "HostPathType", t)
		case v.EmptyDir != nil:
			limit := "<unset>"
			if q := v.EmptyDir.SizeLimit; q != nil && !q.IsZero() {
				limit = q.String()
			}
			d.line(2, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)")
			d.line(2, "Medium", v.EmptyDir.Medium)
			d.line(2, "SizeLimit", limit)
		case v.ConfigMap != nil:
			d.line(2, "Type", "ConfigMap (a volume populated by a ConfigMap)")
			d.line(2, "Name", v.ConfigMap.Name)
			d.line(2, "Optional", v.ConfigMap.Optional != nil && *v.ConfigMap.Optional)
		case v.Secret != nil:
			d.line(2, "Type", "Secret (a volume populated by a Secret)")
			d.line(2, "SecretName", v.Secret.SecretName)
			d.line(2, "Optional", v.Secret.Optional != nil && *v.Secret.Optional)
		}
	}
}

// tolerations prints one toleration per line under title (which carries
// its own indent), as kubectl does: sorted by key, key=value:effect,
// op=Exists for a toleration without value, and its seconds.
func (d *describer) tolerations(title string, ts []core.Toleration) {
	if len(ts) == 0 {
		d.line(0, title, "<none>")
		return
	}
	ts = slices.Clone(ts)
	slices.SortStableFunc(ts, func(a, b core.Toleration) int { return strings.Compare(a.Key, b.Key) })
	for i, t := range ts {
		s := t.Key
		if t.Value != "" {
			s += "=" + t.Value
		}
		if t.Effect != "" {
			s += ":" + string(t.Effect)
		}
		if t.Operator == core.TolerationOpExists && t.Value == "" {
			if t.Key != "" || t.Effect != "" {
				s += " "
			}
			s += "op=Exists"
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
	d.annotations("Annotations", n.Annotations)
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
		d.annotations("  Annotations", t.Annotations)
	}
	if t.Spec.ServiceAccountName != "" {
		d.line(1, "Service Account", t.Spec.ServiceAccountName)
	}
	if len(t.Spec.InitContainers) > 0 {
		d.containers("  ", "Init Containers", t.Spec.InitContainers, nil, nil)
	}
	d.containers("  ", "Containers", t.Spec.Containers, nil, nil)
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
