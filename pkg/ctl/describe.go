package ctl

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/apiserver/tableconvert"
	"github.com/tinykube/tinykube/pkg/client/clientset"
)

func describeCommand() *command {
	var selector string
	return &command{
		name: "describe", short: "Show details of a specific resource or group of resources",
		usage: "describe (TYPE [NAME_PREFIX | -l label] | TYPE/NAME) [flags]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVarP(&selector, "selector", "l", "", "Selector (label query) to filter on")
		},
		run: func(ctx context.Context, env *Env, args []string) error {
			return runDescribe(ctx, env, args, selector)
		},
	}
}

func runDescribe(ctx context.Context, env *Env, args []string, selector string) error {
	ta, err := env.parseTypeArgs(ctx, args)
	if err != nil {
		return err
	}
	ns, err := env.Namespace()
	if err != nil {
		return err
	}
	infos := ta.namedInfos(ns)
	if len(infos) == 0 {
		for _, r := range ta.Types {
			d, err := env.Dynamic(r, ns)
			if err != nil {
				return err
			}
			list, err := d.List(ctx, meta.ListOptions{LabelSelector: selector})
			if err != nil {
				return err
			}
			for _, it := range list.Items {
				infos = append(infos, Info{Resource: r, Namespace: it.GetNamespace(), Name: it.GetName()})
			}
		}
	}
	failed := false
	for i, in := range infos {
		d, err := env.Dynamic(in.Resource, in.Namespace)
		if err != nil {
			return err
		}
		u, err := d.Get(ctx, in.Name, meta.GetOptions{})
		if err != nil {
			fmt.Fprintln(env.Streams.ErrOut, FormatError(err))
			failed = true
			continue
		}
		if i > 0 {
			fmt.Fprintln(env.Streams.Out)
		}
		obj, err := typedObject(in.Resource, u)
		if err != nil {
			return err
		}
		events := describeEvents(ctx, env, in)
		if err := Describe(env.Streams.Out, obj, u, events, env.Now()); err != nil {
			return err
		}
	}
	if failed {
		return errSilent
	}
	return nil
}

// describeEvents lists the events about the object (none on error: the
// description is still useful without them).
func describeEvents(ctx context.Context, env *Env, in Info) []core.Event {
	cs, err := env.Clientset()
	if err != nil {
		return nil
	}
	ns := in.Namespace
	if !in.Resource.Namespaced {
		ns = ""
	}
	list, err := cs.CoreV1().Events(ns).List(ctx, meta.ListOptions{
		FieldSelector: "involvedObject.name=" + in.Name + ",involvedObject.kind=" + in.Resource.Kind})
	if err != nil {
		return nil
	}
	return list.Items
}

// Describe writes the description of obj (u is its unstructured form, for
// the generic part). It is pure: objects and a clock in, text out.
func Describe(w io.Writer, obj meta.Object, u *clientset.Unstructured, events []core.Event, now time.Time) error {
	d := &describer{tw: tabwriter.NewWriter(w, 0, 8, 2, ' ', 0), now: now}
	switch o := obj.(type) {
	case *core.Pod:
		d.pod(o)
	case *core.Node:
		d.node(o)
	case *policy.PodDisruptionBudget:
		d.podDisruptionBudget(o)
	case *batch.CronJob:
		d.cronJob(o)
	case *core.PersistentVolume:
		d.persistentVolume(o)
	case *storage.StorageClass:
		d.storageClass(o)
	case *core.ResourceQuota: // kubectl lists no events for these two
		d.resourceQuota(o)
		return d.tw.Flush()
	case *core.LimitRange:
		d.limitRange(o)
		return d.tw.Flush()
	case *unstructured.Unstructured:
		d.unstructured(u)
	default:
		if !d.workload(obj) {
			d.generic(obj, u)
		}
	}
	d.events(events)
	return d.tw.Flush()
}

type describer struct {
	tw  *tabwriter.Writer
	now time.Time
}

// line writes "Key:\tvalue" at an indent level.
func (d *describer) line(indent int, key string, value any) {
	fmt.Fprintf(d.tw, "%s%s:\t%v\n", strings.Repeat("  ", indent), key, value)
}

func (d *describer) text(indent int, s string) {
	fmt.Fprintf(d.tw, "%s%s\n", strings.Repeat("  ", indent), s)
}

func (d *describer) metadata(m *meta.ObjectMeta, withNS bool) {
	d.line(0, "Name", m.Name)
	if withNS {
		d.line(0, "Namespace", m.Namespace)
	}
	d.mapLines("Labels", m.Labels)
	d.annotations("Annotations", m.Annotations)
}

// mapLines prints labels (or node selectors) as kubectl does: one
// key=value per line, or <none>. title carries its own indent.
func (d *describer) mapLines(title string, m map[string]string) {
	if len(m) == 0 {
		d.line(0, title, "<none>")
		return
	}
	for i, k := range sortedKeys(m) {
		if i == 0 {
			d.line(0, title, k+"="+m[k])
		} else {
			fmt.Fprintf(d.tw, "\t%s=%s\n", k, m[k])
		}
	}
}

// maxAnnotationLen is kubectl's: a longer annotation (key, ": " and value)
// is printed under its key, cut to this length.
const maxAnnotationLen = 140

// annotations prints annotations as kubectl does: "key: value" per line,
// a long or multi-line value under its key, line by line, each cut to
// maxAnnotationLen; kubectl apply's last-applied-configuration is left out.
func (d *describer) annotations(title string, m map[string]string) {
	var keys []string
	for _, k := range sortedKeys(m) {
		if k != LastAppliedAnnotation {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		d.line(0, title, "<none>")
		return
	}
	fmt.Fprintf(d.tw, "%s:\t", title)
	for i, k := range keys {
		if i > 0 {
			fmt.Fprint(d.tw, "\t")
		}
		v := strings.TrimSuffix(m[k], "\n")
		if len(k)+2+len(v) <= maxAnnotationLen && !strings.Contains(v, "\n") {
			fmt.Fprintf(d.tw, "%s: %s\n", k, v)
			continue
		}
		fmt.Fprintf(d.tw, "%s:\n", k)
		for _, l := range strings.Split(v, "\n") {
			if len(l) > maxAnnotationLen-2 {
				l = l[:maxAnnotationLen-2] + "..."
			}
			fmt.Fprintf(d.tw, "\t  %s\n", l)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func timeString(t meta.Time) string {
	if t.IsZero() {
		return "<unset>"
	}
	return t.UTC().Format(time.RFC1123Z)
}

func (d *describer) events(events []core.Event) {
	if len(events) == 0 {
		d.line(0, "Events", "<none>")
		return
	}
	sort.SliceStable(events, func(i, j int) bool { return eventTime(events[i]).Before(eventTime(events[j])) })
	d.text(0, "Events:")
	d.text(1, "Type\tReason\tAge\tFrom\tMessage")
	d.text(1, "----\t------\t----\t----\t-------")
	for _, e := range events {
		from := e.Source.Component
		if from == "" {
			from = e.ReportingController
		}
		age := tableconvert.HumanDuration(d.now.Sub(eventTime(e)))
		if e.Count > 1 {
			age = fmt.Sprintf("%s (x%d over %s)", age, e.Count, tableconvert.HumanDuration(d.now.Sub(e.FirstTimestamp.Time)))
		}
		d.text(1, fmt.Sprintf("%s\t%s\t%s\t%s\t%s", e.Type, e.Reason, age, from, strings.TrimSpace(e.Message)))
	}
}

func eventTime(e core.Event) time.Time {
	if !e.LastTimestamp.IsZero() {
		return e.LastTimestamp.Time
	}
	if !e.EventTime.IsZero() {
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

// generic prints metadata then the rest of the object as indented YAML.
func (d *describer) generic(obj meta.Object, u *clientset.Unstructured) {
	m := obj.GetObjectMeta()
	d.metadata(m, m.Namespace != "")
	rest := map[string]any{}
	for k, v := range u.Object {
		switch k {
		case "apiVersion", "kind", "metadata":
			continue
		}
		rest[k] = v
	}
	d.line(0, "API Version", u.GetAPIVersion())
	d.line(0, "Kind", u.GetKind())
	if len(rest) == 0 {
		return
	}
	b, err := yaml.Marshal(rest)
	if err != nil {
		return
	}
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		fmt.Fprintln(d.tw, titleKey(l))
	}
}

// titleKey turns a top-level "fooBar: x" into "Foo Bar:  x", as kubectl's
// generic describer names fields; nested lines stay as YAML.
func titleKey(line string) string {
	trimmed := strings.TrimLeft(line, " ")
	indent := line[:len(line)-len(trimmed)]
	key, val, ok := strings.Cut(trimmed, ":")
	if !ok || indent != "" || strings.ContainsAny(key, " \"'") {
		return line
	}
	var sb strings.Builder
	for i, r := range key {
		if i == 0 {
			sb.WriteString(strings.ToUpper(string(r)))
			continue
		}
		if r >= 'A' && r <= 'Z' && key[i-1] >= 'a' && key[i-1] <= 'z' {
			sb.WriteByte(' ')
		}
		sb.WriteRune(r)
	}
	return indent + sb.String() + ":\t" + strings.TrimSpace(val)
}

func sortStrings(s []string) { sort.Strings(s) }
