package ctl

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/strategicpatch"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// RestartedAtAnnotation is what rollout restart sets on the pod template.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// ChangeCauseAnnotation is shown by rollout history.
const ChangeCauseAnnotation = "kubernetes.io/change-cause"

func rolloutCommand() *command {
	var timeout time.Duration
	var toRevision, revision int64
	var watch bool
	return &command{
		name: "rollout", short: "Manage the rollout of a deployment or daemon set (status, history, undo, restart)",
		usage: "rollout SUBCOMMAND (TYPE NAME | TYPE/NAME) [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.DurationVar(&timeout, "timeout", 0, "The length of time to wait before ending watch, zero means never")
			fs.Int64Var(&toRevision, "to-revision", 0, "The revision to rollback to. Default to 0 (last revision).")
			fs.Int64Var(&revision, "revision", 0, "See the details, including podTemplate of the revision specified")
			fs.BoolVarP(&watch, "watch", "w", true, "Watch the status of the rollout until it's done")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) < 2 {
				return usageError("usage: ctl rollout (status|history|undo|restart) TYPE NAME")
			}
			infos, err := namedTargets(ctx, env, args[1:])
			if err != nil {
				return err
			}
			for _, in := range infos {
				if err := rolloutOne(ctx, env, args[0], in, rolloutFlags{timeout, toRevision, revision, watch}); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// rolloutFlags are the flags of the rollout subcommands.
type rolloutFlags struct {
	timeout              time.Duration
	toRevision, revision int64
	watch                bool
}

func rolloutOne(ctx context.Context, env *Env, sub string, in Info, f rolloutFlags) error {
	if in.Resource.Kind != "Deployment" && in.Resource.Kind != "DaemonSet" && in.Resource.Kind != "StatefulSet" {
		return fmt.Errorf("no %s has been implemented for %s", sub, in.Resource.GroupResource())
	}
	// Daemon sets and stateful sets keep their history as ControllerRevisions.
	daemonSet := in.Resource.Kind == "DaemonSet" || in.Resource.Kind == "StatefulSet"
	switch sub {
	case "status":
		return rolloutStatus(ctx, env, in, f.timeout, f.watch)
	case "history":
		if daemonSet {
			return daemonSetHistory(ctx, env, in, f.revision)
		}
		return rolloutHistory(ctx, env, in, f.revision)
	case "undo":
		if daemonSet {
			return daemonSetUndo(ctx, env, in, f.toRevision)
		}
		return rolloutUndo(ctx, env, in, f.toRevision)
	case "restart":
		patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{%q:%q}}}}}`,
			RestartedAtAnnotation, env.Now().Format(time.RFC3339))
		d, err := env.Dynamic(in.Resource, in.Namespace)
		if err != nil {
			return err
		}
		if _, err := d.Patch(ctx, in.Name, rest.MergePatchType, []byte(patch), meta.PatchOptions{}); err != nil {
			return err
		}
		fmt.Fprintf(env.Streams.Out, "%s restarted\n", in.Ref())
		return nil
	}
	return usageError("unknown rollout subcommand %q (want status, history, undo or restart)", sub)
}

// DeploymentRolloutStatus says where a rollout is, as kubectl words it.
func DeploymentRolloutStatus(d *apps.Deployment) (msg string, done bool, err error) {
	if d.Generation > d.Status.ObservedGeneration {
		return "Waiting for deployment spec update to be observed...\n", false, nil
	}
	for _, c := range d.Status.Conditions {
		if c.Type == apps.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded" {
			return "", false, fmt.Errorf("deployment %q exceeded its progress deadline", d.Name)
		}
	}
	want := replicasOf(d.Spec.Replicas)
	st := d.Status
	switch {
	case st.UpdatedReplicas < want:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...\n", d.Name, st.UpdatedReplicas, want), false, nil
	case st.Replicas > st.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...\n", d.Name, st.Replicas-st.UpdatedReplicas), false, nil
	case st.AvailableReplicas < st.UpdatedReplicas:
		return fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...\n", d.Name, st.AvailableReplicas, st.UpdatedReplicas), false, nil
	}
	return fmt.Sprintf("deployment %q successfully rolled out\n", d.Name), true, nil
}

// DaemonSetRolloutStatus is the daemon set counterpart.
func DaemonSetRolloutStatus(ds *apps.DaemonSet) (string, bool, error) {
	if ds.Generation > ds.Status.ObservedGeneration {
		return "Waiting for daemon set spec update to be observed...\n", false, nil
	}
	st := ds.Status
	if st.UpdatedNumberScheduled < st.DesiredNumberScheduled {
		return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...\n", ds.Name, st.UpdatedNumberScheduled, st.DesiredNumberScheduled), false, nil
	}
	if st.NumberAvailable < st.DesiredNumberScheduled {
		return fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d of %d updated pods are available...\n", ds.Name, st.NumberAvailable, st.DesiredNumberScheduled), false, nil
	}
	return fmt.Sprintf("daemon set %q successfully rolled out\n", ds.Name), true, nil
}

// StatefulSetRolloutStatus is kubectl's StatefulSetStatusViewer.
func StatefulSetRolloutStatus(s *apps.StatefulSet) (string, bool, error) {
	us := s.Spec.UpdateStrategy
	if us.Type != apps.RollingUpdateStatefulSetStrategyType {
		return "", true, fmt.Errorf("rollout status is only available for %s strategy type", apps.RollingUpdateStatefulSetStrategyType)
	}
	st := s.Status
	if st.ObservedGeneration == 0 || s.Generation > st.ObservedGeneration {
		return "Waiting for statefulset spec update to be observed...\n", false, nil
	}
	if s.Spec.Replicas != nil && st.ReadyReplicas < *s.Spec.Replicas {
		return fmt.Sprintf("Waiting for %d pods to be ready...\n", *s.Spec.Replicas-st.ReadyReplicas), false, nil
	}
	if ru := us.RollingUpdate; ru != nil {
		if s.Spec.Replicas != nil && ru.Partition != nil && st.UpdatedReplicas < *s.Spec.Replicas-*ru.Partition {
			return fmt.Sprintf("Waiting for partitioned roll out to finish: %d out of %d new pods have been updated...\n",
				st.UpdatedReplicas, *s.Spec.Replicas-*ru.Partition), false, nil
		}
		return fmt.Sprintf("partitioned roll out complete: %d new pods have been updated...\n", st.UpdatedReplicas), true, nil
	}
	if st.UpdateRevision != st.CurrentRevision {
		return fmt.Sprintf("waiting for statefulset rolling update to complete %d pods at revision %s...\n",
			st.UpdatedReplicas, st.UpdateRevision), false, nil
	}
	return fmt.Sprintf("statefulset rolling update complete %d pods at revision %s...\n", st.CurrentReplicas, st.CurrentRevision), true, nil
}

// rolloutStatus polls the object and prints each new status line (the
// progress display) until the rollout is done.
func rolloutStatus(ctx context.Context, env *Env, in Info, timeout time.Duration, watch bool) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	d, err := env.Dynamic(in.Resource, in.Namespace)
	if err != nil {
		return err
	}
	last := ""
	err = poll(ctx, 250*time.Millisecond, func() (bool, error) {
		u, err := d.Get(ctx, in.Name, meta.GetOptions{})
		if err != nil {
			return false, err
		}
		obj, err := typedObject(in.Resource, u)
		if err != nil {
			return false, err
		}
		var msg string
		var done bool
		switch o := obj.(type) {
		case *apps.Deployment:
			msg, done, err = DeploymentRolloutStatus(o)
		case *apps.DaemonSet:
			msg, done, err = DaemonSetRolloutStatus(o)
		case *apps.StatefulSet:
			msg, done, err = StatefulSetRolloutStatus(o)
		}
		if err != nil {
			return false, err
		}
		if msg != last {
			fmt.Fprint(env.Streams.Out, msg)
			last = msg
		}
		return done || !watch, nil
	})
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("timed out waiting for the condition")
	}
	return err
}

// ownedReplicaSets lists the replica sets a deployment controls, by revision.
func ownedReplicaSets(ctx context.Context, env *Env, in Info) (*apps.Deployment, []apps.ReplicaSet, error) {
	cs, err := env.Clientset()
	if err != nil {
		return nil, nil, err
	}
	dep, err := cs.AppsV1().Deployments(in.Namespace).Get(ctx, in.Name, meta.GetOptions{})
	if err != nil {
		return nil, nil, err
	}
	sel, err := labels.LabelSelectorAsSelector(dep.Spec.Selector)
	if err != nil {
		return nil, nil, fmt.Errorf("deployment %s: %w", in.Name, err)
	}
	list, err := cs.AppsV1().ReplicaSets(in.Namespace).List(ctx, meta.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, nil, err
	}
	var out []apps.ReplicaSet
	for _, rs := range list.Items {
		if ref := rs.ControllerRef(); ref != nil && ref.UID == dep.UID {
			out = append(out, rs)
		}
	}
	sort.Slice(out, func(i, j int) bool { return revision(&out[i]) < revision(&out[j]) })
	return dep, out, nil
}

func revision(rs *apps.ReplicaSet) int64 {
	n, _ := strconv.ParseInt(rs.Annotations[apps.RevisionAnnotation], 10, 64)
	return n
}

func rolloutHistory(ctx context.Context, env *Env, in Info, rev int64) error {
	_, rss, err := ownedReplicaSets(ctx, env, in)
	if err != nil {
		return err
	}
	entries := make([]HistoryEntry, len(rss))
	for i := range rss {
		tmpl := meta.DeepCopy(rss[i].Spec.Template)
		delete(tmpl.Labels, apps.DefaultDeploymentUniqueLabelKey)
		entries[i] = HistoryEntry{Revision: revision(&rss[i]), ChangeCause: rss[i].Annotations[ChangeCauseAnnotation], Template: tmpl}
	}
	return printHistory(env, in, entries, rev)
}

// HistoryEntry is one revision of a rollout history: a deployment's
// replica set or a daemon set's controller revision.
type HistoryEntry struct {
	Revision    int64
	ChangeCause string
	Template    core.PodTemplateSpec
}

// printHistory writes kubectl's rollout history: the REVISION and
// CHANGE-CAUSE table, or with rev > 0 the pod template of that revision.
func printHistory(env *Env, in Info, entries []HistoryEntry, rev int64) error {
	if rev > 0 {
		for _, e := range entries {
			if e.Revision == rev {
				fmt.Fprintf(env.Streams.Out, "%s with revision #%d\n", in.Ref(), rev)
				d := &describer{tw: tabwriter.NewWriter(env.Streams.Out, 0, 8, 2, ' ', 0), now: env.Now()}
				d.podTemplate(&e.Template)
				if err := d.tw.Flush(); err != nil {
					return err
				}
				fmt.Fprintln(env.Streams.Out)
				return nil
			}
		}
		return fmt.Errorf("unable to find the specified revision")
	}
	fmt.Fprintf(env.Streams.Out, "%s \n", in.Ref())
	if len(entries) == 0 {
		fmt.Fprintln(env.Streams.Out, "No rollout history found.")
		return nil
	}
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b HistoryEntry) int { return cmp.Compare(a.Revision, b.Revision) })
	tw := tabwriter.NewWriter(env.Streams.Out, 6, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REVISION\tCHANGE-CAUSE")
	for _, e := range sorted {
		fmt.Fprintf(tw, "%d\t%s\n", e.Revision, orNone(e.ChangeCause))
	}
	fmt.Fprintln(tw)
	return tw.Flush()
}

// UndoTarget picks the replica set to roll back to: the given revision,
// or the newest one before the current (highest) revision.
func UndoTarget(rss []apps.ReplicaSet, toRevision int64) (*apps.ReplicaSet, error) {
	if toRevision > 0 {
		for i := range rss {
			if revision(&rss[i]) == toRevision {
				return &rss[i], nil
			}
		}
		return nil, fmt.Errorf("unable to find specified revision %d in history", toRevision)
	}
	if len(rss) < 2 {
		return nil, fmt.Errorf("no rollout history found for the deployment")
	}
	sorted := append([]apps.ReplicaSet(nil), rss...)
	sort.Slice(sorted, func(i, j int) bool { return revision(&sorted[i]) < revision(&sorted[j]) })
	return &sorted[len(sorted)-2], nil
}

func rolloutUndo(ctx context.Context, env *Env, in Info, toRevision int64) error {
	dep, rss, err := ownedReplicaSets(ctx, env, in)
	if err != nil {
		return err
	}
	target, err := UndoTarget(rss, toRevision)
	if err != nil {
		return err
	}
	tmpl := meta.DeepCopy(target.Spec.Template)
	delete(tmpl.Labels, apps.DefaultDeploymentUniqueLabelKey)
	if equalTemplates(tmpl, dep.Spec.Template) {
		fmt.Fprintf(env.Streams.Out, "%s skipped rollback (current template already matches revision %d)\n", in.Ref(), revision(target))
		return nil
	}
	patch := []map[string]any{{"op": "replace", "path": "/spec/template", "value": tmpl}}
	body, err := json.Marshal(patch)
	if err != nil {
		return fmt.Errorf("encode rollback patch: %w", err)
	}
	d, err := env.Dynamic(in.Resource, in.Namespace)
	if err != nil {
		return err
	}
	if _, err := d.Patch(ctx, in.Name, rest.JSONPatchType, body, meta.PatchOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(env.Streams.Out, "%s rolled back\n", in.Ref())
	return nil
}

func equalTemplates(a, b core.PodTemplateSpec) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// ownedRevisions lists the controller revisions a daemon set controls
// (those its selector matches with its controller reference), by revision.
func ownedRevisions(ctx context.Context, env *Env, in Info) (revisionOwner, []apps.ControllerRevision, error) {
	cs, err := env.Clientset()
	if err != nil {
		return nil, nil, err
	}
	var ds revisionOwner
	var selector *meta.LabelSelector
	if in.Resource.Kind == "StatefulSet" {
		s, err := cs.AppsV1().StatefulSets(in.Namespace).Get(ctx, in.Name, meta.GetOptions{})
		if err != nil {
			return nil, nil, err
		}
		ds, selector = statefulSetOwner{s}, s.Spec.Selector
	} else {
		d, err := cs.AppsV1().DaemonSets(in.Namespace).Get(ctx, in.Name, meta.GetOptions{})
		if err != nil {
			return nil, nil, err
		}
		ds, selector = daemonSetOwner{d}, d.Spec.Selector
	}
	sel, err := labels.LabelSelectorAsSelector(selector)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", in.Resource.GroupResource(), in.Name, err)
	}
	list, err := cs.AppsV1().ControllerRevisions(in.Namespace).List(ctx, meta.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return nil, nil, err
	}
	var out []apps.ControllerRevision
	for _, r := range list.Items {
		if ref := r.ControllerRef(); ref != nil && ref.UID == ds.GetObjectMeta().UID {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b apps.ControllerRevision) int { return cmp.Compare(a.Revision, b.Revision) })
	return ds, out, nil
}

// RevisionTemplate is the pod template owner (a DaemonSet or StatefulSet)
// gets from rev: rev's data applied to it as a strategic merge patch, as
// kubectl does.
func RevisionTemplate[T any, PT interface {
	*T
	meta.Object
}](owner PT, rev *apps.ControllerRevision) (core.PodTemplateSpec, error) {
	name := owner.GetObjectMeta().Name
	cur, err := json.Marshal(owner)
	if err != nil {
		return core.PodTemplateSpec{}, fmt.Errorf("encode %s: %w", name, err)
	}
	out, err := strategicpatch.Apply(cur, rev.Data, PT(new(T)))
	if err != nil {
		return core.PodTemplateSpec{}, fmt.Errorf("apply revision %d of %s: %w", rev.Revision, name, err)
	}
	var applied struct {
		Spec struct {
			Template core.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(out, &applied); err != nil {
		return core.PodTemplateSpec{}, fmt.Errorf("decode revision %d of %s: %w", rev.Revision, name, err)
	}
	return applied.Spec.Template, nil
}

// revisionOwner is a daemon set or stateful set, whose history is kept
// as ControllerRevisions.
type revisionOwner interface {
	meta.Object
	template() core.PodTemplateSpec
	// revisionTemplate is the template the owner gets from rev.
	revisionTemplate(rev *apps.ControllerRevision) (core.PodTemplateSpec, error)
}

type daemonSetOwner struct{ *apps.DaemonSet }

func (o daemonSetOwner) template() core.PodTemplateSpec { return o.Spec.Template }
func (o daemonSetOwner) revisionTemplate(rev *apps.ControllerRevision) (core.PodTemplateSpec, error) {
	return RevisionTemplate(o.DaemonSet, rev)
}

type statefulSetOwner struct{ *apps.StatefulSet }

func (o statefulSetOwner) template() core.PodTemplateSpec { return o.Spec.Template }
func (o statefulSetOwner) revisionTemplate(rev *apps.ControllerRevision) (core.PodTemplateSpec, error) {
	return RevisionTemplate(o.StatefulSet, rev)
}

func daemonSetHistory(ctx context.Context, env *Env, in Info, rev int64) error {
	ds, revs, err := ownedRevisions(ctx, env, in)
	if err != nil {
		return err
	}
	entries := make([]HistoryEntry, len(revs))
	for i := range revs {
		entries[i] = HistoryEntry{Revision: revs[i].Revision, ChangeCause: revs[i].Annotations[ChangeCauseAnnotation]}
		if revs[i].Revision == rev {
			if entries[i].Template, err = ds.revisionTemplate(&revs[i]); err != nil {
				return fmt.Errorf("unable to parse history %s: %w", revs[i].Name, err)
			}
		}
	}
	return printHistory(env, in, entries, rev)
}

// DaemonSetUndoTarget picks the controller revision to roll back to, as
// kubectl does: the given revision, or the one before the highest.
func DaemonSetUndoTarget(revs []apps.ControllerRevision, toRevision int64) (*apps.ControllerRevision, error) {
	if toRevision < 0 {
		return nil, fmt.Errorf("unable to find specified revision %d in history", toRevision)
	}
	if toRevision == 0 {
		if len(revs) <= 1 {
			return nil, fmt.Errorf("no last revision to roll back to")
		}
		sorted := slices.Clone(revs)
		slices.SortStableFunc(sorted, func(a, b apps.ControllerRevision) int { return cmp.Compare(a.Revision, b.Revision) })
		return &sorted[len(sorted)-2], nil
	}
	for i := range revs {
		if revs[i].Revision == toRevision {
			return &revs[i], nil
		}
	}
	return nil, fmt.Errorf("unable to find specified revision %d in history", toRevision)
}

// daemonSetUndo sends the target revision's data (the template with
// "$patch": "replace") as a strategic merge patch, as kubectl does; the
// daemon set controller then bumps that revision to the newest number.
func daemonSetUndo(ctx context.Context, env *Env, in Info, toRevision int64) error {
	ds, revs, err := ownedRevisions(ctx, env, in)
	if err != nil {
		return err
	}
	target, err := DaemonSetUndoTarget(revs, toRevision)
	if err != nil {
		return err
	}
	tmpl, err := ds.revisionTemplate(target)
	if err != nil {
		return err
	}
	if equalTemplates(tmpl, ds.template()) {
		fmt.Fprintf(env.Streams.Out, "%s skipped rollback (current template already matches revision %d)\n", in.Ref(), target.Revision)
		return nil
	}
	d, err := env.Dynamic(in.Resource, in.Namespace)
	if err != nil {
		return err
	}
	if _, err := d.Patch(ctx, in.Name, rest.StrategicMergePatchType, target.Data, meta.PatchOptions{}); err != nil {
		return fmt.Errorf("failed restoring revision %d: %w", target.Revision, err)
	}
	fmt.Fprintf(env.Streams.Out, "%s rolled back\n", in.Ref())
	return nil
}
