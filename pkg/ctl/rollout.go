package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// RestartedAtAnnotation is what rollout restart sets on the pod template.
const RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt"

// ChangeCauseAnnotation is shown by rollout history.
const ChangeCauseAnnotation = "kubernetes.io/change-cause"

func rolloutCommand() *command {
	var timeout time.Duration
	var toRevision int64
	var watch bool
	return &command{
		name: "rollout", short: "Manage the rollout of a deployment (status, history, undo, restart)",
		usage: "rollout SUBCOMMAND (TYPE NAME | TYPE/NAME) [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.DurationVar(&timeout, "timeout", 0, "The length of time to wait before ending watch, zero means never")
			fs.Int64Var(&toRevision, "to-revision", 0, "The revision to rollback to. Default to 0 (last revision).")
			fs.BoolVarP(&watch, "watch", "w", true, "Watch the status of the rollout until it's done")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			if len(args) < 2 {
				return usageError("usage: ctl rollout (status|history|undo|restart) TYPE NAME")
			}
			infos, err := namedTargets(env, args[1:])
			if err != nil {
				return err
			}
			for _, in := range infos {
				if err := rolloutOne(ctx, env, args[0], in, timeout, toRevision, watch); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

func rolloutOne(ctx context.Context, env *Env, sub string, in Info, timeout time.Duration, toRevision int64, watch bool) error {
	if in.Resource.Kind != "Deployment" && !(sub == "status" && in.Resource.Kind == "DaemonSet") {
		return fmt.Errorf("no %s has been implemented for %s", sub, in.Resource.GroupResource())
	}
	switch sub {
	case "status":
		return rolloutStatus(ctx, env, in, timeout, watch)
	case "history":
		return rolloutHistory(ctx, env, in)
	case "undo":
		return rolloutUndo(ctx, env, in, toRevision)
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

func rolloutHistory(ctx context.Context, env *Env, in Info) error {
	_, rss, err := ownedReplicaSets(ctx, env, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Streams.Out, "%s \n", in.Ref())
	if len(rss) == 0 {
		fmt.Fprintln(env.Streams.Out, "No rollout history found.")
		return nil
	}
	tw := tabwriter.NewWriter(env.Streams.Out, 6, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REVISION\tCHANGE-CAUSE")
	for i := range rss {
		cause := rss[i].Annotations[ChangeCauseAnnotation]
		fmt.Fprintf(tw, "%d\t%s\n", revision(&rss[i]), orNone(cause))
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
