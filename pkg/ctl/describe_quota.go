package ctl

import (
	"slices"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// quotaScopeHelp is kubectl's line under each scope of a quota.
var quotaScopeHelp = map[core.ResourceQuotaScope]string{
	core.ResourceQuotaScopeTerminating:    "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
	core.ResourceQuotaScopeNotTerminating: "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
	core.ResourceQuotaScopeBestEffort:     "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
	core.ResourceQuotaScopeNotBestEffort:  "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
}

// resourceQuota prints a quota as kubectl's ResourceQuotaDescriber: its
// scopes, then one line per resource of status.hard with used and hard.
func (d *describer) resourceQuota(q *core.ResourceQuota) {
	d.line(0, "Name", q.Name)
	d.line(0, "Namespace", q.Namespace)
	if len(q.Spec.Scopes) > 0 {
		scopes := make([]string, len(q.Spec.Scopes))
		for i, s := range q.Spec.Scopes {
			scopes[i] = string(s)
		}
		slices.Sort(scopes)
		d.line(0, "Scopes", strings.Join(scopes, ", "))
		for _, s := range scopes {
			if help := quotaScopeHelp[core.ResourceQuotaScope(s)]; help != "" {
				d.text(0, " * "+help)
			}
		}
	}
	d.text(0, "Resource\tUsed\tHard")
	d.text(0, "--------\t----\t----")
	for _, n := range sortedResourceNames(q.Status.Hard) {
		used, hard := q.Status.Used[n], q.Status.Hard[n]
		d.text(0, string(n)+"\t"+used.String()+"\t"+hard.String())
	}
}

// limitRange prints a limit range as kubectl's LimitRangeDescriber: one
// line per item and resource, "-" where the item sets no value.
func (d *describer) limitRange(lr *core.LimitRange) {
	d.line(0, "Name", lr.Name)
	d.line(0, "Namespace", lr.Namespace)
	d.text(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio")
	d.text(0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------")
	for _, it := range lr.Spec.Limits {
		all := core.ResourceList{}
		for _, l := range []core.ResourceList{it.Max, it.Min, it.Default, it.DefaultRequest, it.MaxLimitRequestRatio} {
			for k, v := range l {
				all[k] = v
			}
		}
		cell := func(l core.ResourceList, k core.ResourceName) string {
			if v, ok := l[k]; ok {
				return v.String()
			}
			return "-"
		}
		for _, k := range sortedResourceNames(all) {
			d.text(0, strings.Join([]string{string(it.Type), string(k), cell(it.Min, k), cell(it.Max, k),
				cell(it.DefaultRequest, k), cell(it.Default, k), cell(it.MaxLimitRequestRatio, k)}, "\t"))
		}
	}
}
