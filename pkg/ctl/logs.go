package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/labels"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
)

type logsOptions struct {
	follow     bool
	tail       int64
	previous   bool
	container  string
	timestamps bool
	since      string
}

func logsCommand() *command {
	o := &logsOptions{}
	return &command{
		name: "logs", short: "Print the logs for a container in a pod",
		usage: "logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.BoolVarP(&o.follow, "follow", "f", false, "Specify if the logs should be streamed")
			fs.Int64Var(&o.tail, "tail", -1, "Lines of recent log file to display")
			fs.BoolVarP(&o.previous, "previous", "p", false, "Print the logs for the previous instance of the container")
			fs.StringVarP(&o.container, "container", "c", "", "Print the logs of this container")
			fs.BoolVar(&o.timestamps, "timestamps", false, "Include timestamps on each line in the log output")
			fs.StringVar(&o.since, "since", "", "Only return logs newer than a relative duration like 5s, 2m, or 3h")
		},
		run: o.run,
	}
}

func (o *logsOptions) run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return usageError("expected exactly one pod name: 'ctl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'")
	}
	ns, err := env.Namespace()
	if err != nil {
		return err
	}
	cs, err := env.Clientset()
	if err != nil {
		return err
	}
	name := args[0]
	if typ, n, ok := strings.Cut(name, "/"); ok {
		r, err := env.resolve(ctx, typ)
		if err != nil {
			return err
		}
		if name, err = podOf(ctx, env, r, ns, n); err != nil {
			return err
		}
	}
	container := o.container
	if container == "" {
		pod, err := cs.CoreV1().Pods(ns).Get(ctx, name, meta.GetOptions{})
		if err != nil {
			return err
		}
		if len(pod.Spec.Containers) > 1 {
			fmt.Fprintf(env.Streams.ErrOut, "Defaulted container %q out of: %s\n", pod.Spec.Containers[0].Name, containerNames(pod.Spec.Containers))
		}
		if len(pod.Spec.Containers) > 0 {
			container = pod.Spec.Containers[0].Name
		}
	}
	req := cs.RESTClient().Get().Namespace(ns).Resource("pods").Name(name).SubResource("log").
		Timeout(0).SetHeader("Accept", "*/*")
	if container != "" {
		req.Param("container", container)
	}
	if o.follow {
		req.Param("follow", "true")
	}
	if o.previous {
		req.Param("previous", "true")
	}
	if o.timestamps {
		req.Param("timestamps", "true")
	}
	if o.tail >= 0 {
		req.Param("tailLines", strconv.FormatInt(o.tail, 10))
	}
	if o.since != "" {
		d, err := parseDurationSeconds(o.since)
		if err != nil {
			return err
		}
		req.Param("sinceSeconds", strconv.FormatInt(d, 10))
	}
	body, err := req.Stream(ctx)
	if err != nil {
		return err
	}
	defer body.Close()
	if _, err := io.Copy(env.Streams.Out, body); err != nil && ctx.Err() == nil {
		return fmt.Errorf("read logs: %w", err)
	}
	return nil
}

// podOf names the pod whose logs TYPE/NAME means: the pod itself, or for a
// workload the first of the pods its selector matches (kubectl's choice).
func podOf(ctx context.Context, env *Env, r *registry.Resource, ns, name string) (string, error) {
	if r.Kind == "Pod" {
		return name, nil
	}
	d, err := env.Dynamic(r, ns)
	if err != nil {
		return "", err
	}
	u, err := d.Get(ctx, name, meta.GetOptions{})
	if err != nil {
		return "", err
	}
	raw, ok := nested(u.Object, "spec", "selector")
	if !ok {
		return "", fmt.Errorf("cannot get the logs from %s: it selects no pods", r.GroupResource())
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return "", fmt.Errorf("encode selector: %w", err)
	}
	var ls meta.LabelSelector
	if err := json.Unmarshal(b, &ls); err != nil {
		return "", fmt.Errorf("cannot get the logs from %s: %w", r.GroupResource(), err)
	}
	sel, err := labels.LabelSelectorAsSelector(&ls)
	if err != nil {
		return "", err
	}
	cs, err := env.Clientset()
	if err != nil {
		return "", err
	}
	pods, err := cs.CoreV1().Pods(ns).List(ctx, meta.ListOptions{LabelSelector: sel.String()})
	if err != nil {
		return "", err
	}
	if len(pods.Items) == 0 {
		return "", fmt.Errorf("no pods found for %s", ResourceRef(r, name))
	}
	sort.Slice(pods.Items, func(i, j int) bool { return pods.Items[i].Name < pods.Items[j].Name })
	if len(pods.Items) > 1 {
		fmt.Fprintf(env.Streams.ErrOut, "Found %d pods, using pod/%s\n", len(pods.Items), pods.Items[0].Name)
	}
	return pods.Items[0].Name, nil
}
