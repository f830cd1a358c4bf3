package ctl

import (
	"bytes"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	apiresource "github.com/tinykube/tinykube/pkg/api/resource"
)

func quotaRL(kv ...string) core.ResourceList {
	l := core.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[core.ResourceName(kv[i])] = apiresource.MustParse(kv[i+1])
	}
	return l
}

// TestDescribeQuotaAndLimits: a quota and a limit range are described as
// kubectl 1.32 does (outputs taken from it), with no events section.
func TestDescribeQuotaAndLimits(t *testing.T) {
	q := &core.ResourceQuota{ObjectMeta: meta.ObjectMeta{Name: "be", Namespace: "default"},
		Spec: core.ResourceQuotaSpec{Hard: quotaRL("pods", "3"),
			Scopes: []core.ResourceQuotaScope{core.ResourceQuotaScopeNotTerminating, core.ResourceQuotaScopeBestEffort}},
		Status: core.ResourceQuotaStatus{Hard: quotaRL("pods", "3", "requests.cpu", "1"), Used: quotaRL("pods", "1", "requests.cpu", "200m")}}
	lr := &core.LimitRange{ObjectMeta: meta.ObjectMeta{Name: "limits", Namespace: "default"},
		Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{
			{Type: core.LimitTypeContainer, Max: quotaRL("cpu", "1"), Default: quotaRL("cpu", "500m"), DefaultRequest: quotaRL("cpu", "500m"),
				Min: quotaRL("memory", "16Mi")},
			{Type: core.LimitTypePod, MaxLimitRequestRatio: quotaRL("cpu", "4")}}}}
	for _, tc := range []struct {
		obj  meta.Object
		want string
	}{
		{q, "Name:       be\n" +
			"Namespace:  default\n" +
			"Scopes:     BestEffort, NotTerminating\n" +
			" * Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.\n" +
			" * Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.\n" +
			"Resource      Used  Hard\n" +
			"--------      ----  ----\n" +
			"pods          1     3\n" +
			"requests.cpu  200m  1\n"},
		{lr, "Name:       limits\n" +
			"Namespace:  default\n" +
			"Type        Resource  Min   Max  Default Request  Default Limit  Max Limit/Request Ratio\n" +
			"----        --------  ---   ---  ---------------  -------------  -----------------------\n" +
			"Container   cpu       -     1    500m             500m           -\n" +
			"Container   memory    16Mi  -    -                -              -\n" +
			"Pod         cpu       -     -    -                -              4\n"},
	} {
		var out bytes.Buffer
		if err := Describe(&out, tc.obj, nil, []core.Event{{Reason: "Ignored"}}, time.Unix(0, 0)); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("describe %s:\n%s\nwant:\n%s", tc.obj.GetObjectMeta().Name, out.String(), tc.want)
		}
	}
}
