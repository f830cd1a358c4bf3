package tableconvert

import (
	"fmt"
	"strings"
	"time"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/labels"
)

var templateColumns = []ColumnDefinition{
	wide("Containers", "string", "Names of each container in the template."),
	wide("Images", "string", "Images referenced by each container in the template."),
	wide("Selector", "string", "Label selector of the pods."),
}

func init() {
	register("Deployment", Printer{
		Columns: append([]ColumnDefinition{
			nameColumn,
			col("Ready", "string", "Number of the pod with ready state"),
			col("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
			col("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
			ageColumn,
		}, templateColumns...),
		Cells: typed(func(d *apps.Deployment, now time.Time) []any {
			c, i := containersAndImages(d.Spec.Template.Spec)
			return []any{d.Name, fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, replicas(d.Spec.Replicas)),
				int64(d.Status.UpdatedReplicas), int64(d.Status.AvailableReplicas), Age(d.CreationTimestamp, now),
				c, i, labels.FormatLabelSelector(d.Spec.Selector)}
		}),
	})
	register("ReplicaSet", Printer{
		Columns: append([]ColumnDefinition{
			nameColumn,
			col("Desired", "integer", "Number of desired pods."),
			col("Current", "integer", "Number of actual replicas."),
			col("Ready", "integer", "The number of ready replicas for this replica set."),
			ageColumn,
		}, templateColumns...),
		Cells: typed(func(rs *apps.ReplicaSet, now time.Time) []any {
			c, i := containersAndImages(rs.Spec.Template.Spec)
			return []any{rs.Name, int64(replicas(rs.Spec.Replicas)), int64(rs.Status.Replicas),
				int64(rs.Status.ReadyReplicas), Age(rs.CreationTimestamp, now), c, i,
				labels.FormatLabelSelector(rs.Spec.Selector)}
		}),
	})
	register("DaemonSet", Printer{
		Columns: append([]ColumnDefinition{
			nameColumn,
			col("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
			col("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
			col("Ready", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
			col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod."),
			col("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available."),
			col("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."),
			ageColumn,
		}, templateColumns...),
		Cells: typed(func(ds *apps.DaemonSet, now time.Time) []any {
			c, i := containersAndImages(ds.Spec.Template.Spec)
			st := ds.Status
			return []any{ds.Name, int64(st.DesiredNumberScheduled), int64(st.CurrentNumberScheduled),
				int64(st.NumberReady), int64(st.UpdatedNumberScheduled), int64(st.NumberAvailable),
				selectorMap(ds.Spec.Template.Spec.NodeSelector), Age(ds.CreationTimestamp, now), c, i,
				labels.FormatLabelSelector(ds.Spec.Selector)}
		}),
	})
	register("Job", Printer{
		Columns: append([]ColumnDefinition{
			nameColumn,
			col("Status", "string", "Status of the job."),
			col("Completions", "string", "The completion status of the job."),
			col("Duration", "string", "Time required to complete the job."),
			ageColumn,
		}, templateColumns...),
		Cells: typed(jobCells),
	})
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

func selectorMap(m map[string]string) string {
	if len(m) == 0 {
		return none
	}
	return labels.Set(m).String()
}

func jobCells(j *batch.Job, now time.Time) []any {
	completions := fmt.Sprintf("%d/1", j.Status.Succeeded)
	if j.Spec.Completions != nil {
		completions = fmt.Sprintf("%d/%d", j.Status.Succeeded, *j.Spec.Completions)
	} else if j.Spec.Parallelism != nil && *j.Spec.Parallelism > 1 {
		completions = fmt.Sprintf("%d/1 of %d", j.Status.Succeeded, *j.Spec.Parallelism)
	}
	duration := ""
	if st := j.Status.StartTime; st != nil {
		end := now
		if ct := j.Status.CompletionTime; ct != nil {
			end = ct.Time
		}
		duration = HumanDuration(end.Sub(st.Time))
	}
	c, i := containersAndImages(j.Spec.Template.Spec)
	return []any{j.Name, JobStatus(j), completions, duration, Age(j.CreationTimestamp, now), c, i,
		labels.FormatLabelSelector(j.Spec.Selector)}
}

// JobStatus is Complete, Failed, Suspended or Running, as kubectl shows it.
func JobStatus(j *batch.Job) string {
	for _, c := range j.Status.Conditions {
		if c.Status != core.ConditionTrue {
			continue
		}
		switch c.Type {
		case batch.JobComplete:
			return "Complete"
		case batch.JobFailed:
			return "Failed"
		case batch.JobSuspended:
			return "Suspended"
		}
	}
	if j.DeletionTimestamp != nil {
		return "Terminating"
	}
	return "Running"
}

// joinOr joins items, or gives "<none>" for none.
func joinOr(items []string) string {
	if len(items) == 0 {
		return none
	}
	return strings.Join(items, ",")
}
