package validation

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

func quotaList(kv ...string) core.ResourceList {
	l := core.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func TestValidateResourceQuota(t *testing.T) {
	om := meta.ObjectMeta{Name: "q", Namespace: "default"}
	for _, tc := range []struct {
		name string
		spec core.ResourceQuotaSpec
		want string // a substring of the joined messages; "" = valid
	}{
		{"valid", core.ResourceQuotaSpec{Hard: quotaList("pods", "2", "requests.cpu", "1", "count/deployments.apps", "3")}, ""},
		{"negative", core.ResourceQuotaSpec{Hard: quotaList("pods", "-1")}, "spec.hard[pods]: Invalid value: \"-1\": must be greater than or equal to 0"},
		{"bad name", core.ResourceQuotaSpec{Hard: quotaList("no spaces!", "1")}, "spec.hard[no spaces!]"},
		{"scopes", core.ResourceQuotaSpec{Hard: quotaList("pods", "1"), Scopes: []core.ResourceQuotaScope{"NotTerminating", "BestEffort"}}, ""},
		{"unknown scope", core.ResourceQuotaSpec{Scopes: []core.ResourceQuotaScope{"Nope"}}, "spec.scopes[0]: Unsupported value: \"Nope\""},
		{"conflict", core.ResourceQuotaSpec{Scopes: []core.ResourceQuotaScope{"Terminating", "NotTerminating"}}, "conflicting scopes"},
		{"best effort cpu", core.ResourceQuotaSpec{Hard: quotaList("requests.cpu", "1"), Scopes: []core.ResourceQuotaScope{"BestEffort"}},
			"spec.hard[requests.cpu]: Invalid value: \"requests.cpu\": unsupported scope applied to resource"},
		{"selector", core.ResourceQuotaSpec{ScopeSelector: &core.ScopeSelector{MatchExpressions: []core.ScopedResourceSelectorRequirement{
			{ScopeName: "Terminating", Operator: "Exists"}}}}, ""},
		{"selector values", core.ResourceQuotaSpec{ScopeSelector: &core.ScopeSelector{MatchExpressions: []core.ScopedResourceSelectorRequirement{
			{ScopeName: "Terminating", Operator: "Exists", Values: []string{"x"}}}}}, "must be no value"},
	} {
		errs := ValidateResourceQuota(&core.ResourceQuota{ObjectMeta: om, Spec: tc.spec})
		got := strings.Join(messagesOf(errs), "; ")
		if (tc.want == "") != (len(errs) == 0) || !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestValidateLimitRange(t *testing.T) {
	om := meta.ObjectMeta{Name: "l", Namespace: "default"}
	for _, tc := range []struct {
		name string
		item core.LimitRangeItem
		want string
	}{
		{"valid", core.LimitRangeItem{Type: "Container", Max: quotaList("cpu", "1"), Min: quotaList("cpu", "100m"),
			Default: quotaList("cpu", "500m"), DefaultRequest: quotaList("cpu", "200m"), MaxLimitRequestRatio: quotaList("cpu", "4")}, ""},
		{"no type", core.LimitRangeItem{}, "spec.limits[0].type: Required value"},
		{"bad type", core.LimitRangeItem{Type: "Node"}, "spec.limits[0].type: Unsupported value: \"Node\""},
		{"min over max", core.LimitRangeItem{Type: "Container", Max: quotaList("cpu", "1"), Min: quotaList("cpu", "2")},
			"spec.limits[0].min[cpu]: Invalid value: \"2\": min value 2 is greater than max value 1"},
		{"default over max", core.LimitRangeItem{Type: "Container", Max: quotaList("cpu", "1"), Default: quotaList("cpu", "2")},
			"default value 2 is greater than max value 1"},
		{"request over default", core.LimitRangeItem{Type: "Container", Default: quotaList("cpu", "1"), DefaultRequest: quotaList("cpu", "2")},
			"default request value 2 is greater than default limit value 1"},
		{"pod default", core.LimitRangeItem{Type: "Pod", Default: quotaList("cpu", "1")}, "spec.limits[0].default: Forbidden"},
		{"ratio", core.LimitRangeItem{Type: "Container", MaxLimitRequestRatio: quotaList("cpu", "500m")}, "ratio 500m is less than 1"},
		{"ratio over max/min", core.LimitRangeItem{Type: "Container", Max: quotaList("cpu", "1"), Min: quotaList("cpu", "500m"),
			MaxLimitRequestRatio: quotaList("cpu", "3")}, "ratio 3 is greater than max/min = 2.000000"},
		{"claim without storage", core.LimitRangeItem{Type: "PersistentVolumeClaim", Max: quotaList("cpu", "1")}, "maximum storage value is required"},
	} {
		errs := ValidateLimitRange(&core.LimitRange{ObjectMeta: om, Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{tc.item}}})
		got := strings.Join(messagesOf(errs), "; ")
		if (tc.want == "") != (len(errs) == 0) || !strings.Contains(got, tc.want) {
			t.Errorf("%s: errors %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDefaultLimitRange(t *testing.T) {
	lr := &core.LimitRange{Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{
		{Type: "Container", Max: quotaList("cpu", "2", "memory", "1Gi"), Min: quotaList("memory", "10Mi", "cpu", "100m"), Default: quotaList("cpu", "1")},
		{Type: "Pod", Max: quotaList("cpu", "4")}}}}
	core.DefaultLimitRange(lr)
	c := lr.Spec.Limits[0]
	d, dr := c.Default, c.DefaultRequest
	if d.Cpu().String() != "1" || d.Memory().String() != "1Gi" || dr.Cpu().String() != "1" || dr.Memory().String() != "1Gi" {
		t.Errorf("container defaults: default %v, defaultRequest %v", d, dr)
	}
	if p := lr.Spec.Limits[1]; p.Default != nil || p.DefaultRequest != nil {
		t.Errorf("pod item defaulted: %+v", p)
	}
}
