package tableconvert

import (
	"time"

	"github.com/tinykube/tinykube/pkg/api/batch"
	"github.com/tinykube/tinykube/pkg/api/labels"
)

func init() {
	register("CronJob", Printer{
		Columns: append([]ColumnDefinition{
			nameColumn,
			col("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
			col("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
			col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."),
			col("Active", "integer", "A list of pointers to currently running jobs."),
			col("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
			ageColumn,
		}, templateColumns...),
		Cells: typed(cronJobCells),
	})
}

// cronJobCells are kubectl's: <none> for an unset timeZone or a cronjob
// never scheduled, <unset> for an unset suspend, and the wide columns of
// the job template.
func cronJobCells(c *batch.CronJob, now time.Time) []any {
	tz := none
	if c.Spec.TimeZone != nil {
		tz = *c.Spec.TimeZone
	}
	last := none
	if t := c.Status.LastScheduleTime; t != nil {
		last = Age(*t, now)
	}
	suspend := "<unset>"
	if s := c.Spec.Suspend; s != nil {
		suspend = "False"
		if *s {
			suspend = "True"
		}
	}
	ctrs, imgs := containersAndImages(c.Spec.JobTemplate.Spec.Template.Spec)
	return []any{c.Name, c.Spec.Schedule, tz, suspend, int64(len(c.Status.Active)), last,
		Age(c.CreationTimestamp, now), ctrs, imgs, labels.FormatLabelSelector(c.Spec.JobTemplate.Spec.Selector)}
}
