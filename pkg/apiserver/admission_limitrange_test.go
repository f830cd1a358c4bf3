package apiserver

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

func lrList(kv ...string) core.ResourceList {
	l := core.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		l[core.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return l
}

func lrPod(req, lim core.ResourceList) *core.Pod {
	return &core.Pod{Spec: core.PodSpec{Containers: []core.Container{{Name: "main",
		Resources: core.ResourceRequirements{Requests: req, Limits: lim}}}}}
}

func TestDefaultPodLimits(t *testing.T) {
	ranges := []*core.LimitRange{
		{Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{{Type: "Container",
			Default: lrList("cpu", "500m", "memory", "256Mi"), DefaultRequest: lrList("cpu", "100m", "memory", "128Mi")}}}},
		{Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{{Type: "Container", Default: lrList("cpu", "2")}}}},
	}
	for _, tc := range []struct {
		name     string
		pod      *core.Pod
		req, lim string
	}{
		{"empty", lrPod(nil, nil), "cpu=100m memory=128Mi", "cpu=500m memory=256Mi"},
		{"own limit is the request", lrPod(nil, lrList("cpu", "1")), "cpu=1 memory=128Mi", "cpu=1 memory=256Mi"},
		{"own request kept", lrPod(lrList("memory", "64Mi"), nil), "cpu=100m memory=64Mi", "cpu=500m memory=256Mi"},
	} {
		DefaultPodLimits(tc.pod, ranges)
		r := tc.pod.Spec.Containers[0].Resources
		if got := render(r.Requests); got != tc.req {
			t.Errorf("%s: requests %s, want %s", tc.name, got, tc.req)
		}
		if got := render(r.Limits); got != tc.lim {
			t.Errorf("%s: limits %s, want %s", tc.name, got, tc.lim)
		}
	}
}

func render(l core.ResourceList) string {
	var parts []string
	for _, k := range sortedNames(l) {
		v := l[k]
		parts = append(parts, string(k)+"="+v.String())
	}
	return strings.Join(parts, " ")
}

func TestValidatePodLimits(t *testing.T) {
	ranges := []*core.LimitRange{{Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{
		{Type: "Container", Max: lrList("cpu", "1"), Min: lrList("memory", "10Mi"), MaxLimitRequestRatio: lrList("memory", "2")},
		{Type: "Pod", Max: lrList("cpu", "1500m")},
	}}}}
	two := lrPod(lrList("cpu", "1", "memory", "100Mi"), lrList("cpu", "1", "memory", "100Mi"))
	two.Spec.Containers = append(two.Spec.Containers, two.Spec.Containers[0])
	for _, tc := range []struct {
		name string
		pod  *core.Pod
		want string
	}{
		{"fits", lrPod(lrList("cpu", "500m", "memory", "100Mi"), lrList("cpu", "1", "memory", "150Mi")), ""},
		{"over max", lrPod(lrList("cpu", "500m", "memory", "100Mi"), lrList("cpu", "2", "memory", "100Mi")),
			"maximum cpu usage per Container is 1, but limit is 2; maximum cpu usage per Pod is 1500m, but limit is 2"},
		{"no limit", lrPod(lrList("memory", "100Mi"), lrList("memory", "100Mi")),
			"maximum cpu usage per Container is 1.  No limit is specified; maximum cpu usage per Pod is 1500m.  No limit is specified"},
		{"under min", lrPod(lrList("memory", "1Mi"), lrList("cpu", "1", "memory", "1Mi")), "minimum memory usage per Container is 10Mi, but request is 1Mi"},
		{"ratio", lrPod(lrList("memory", "10Mi"), lrList("cpu", "1", "memory", "100Mi")),
			"memory max limit to request ratio per Container is 2, but provided ratio is 10.000000"},
		{"pod total", two, "maximum cpu usage per Pod is 1500m, but limit is 2"},
	} {
		var msgs []string
		for _, e := range ValidatePodLimits(tc.pod, ranges) {
			msgs = append(msgs, e.Error())
		}
		if got := strings.Join(msgs, "; "); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestValidateClaimLimits(t *testing.T) {
	ranges := []*core.LimitRange{{Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{
		{Type: "PersistentVolumeClaim", Max: lrList("storage", "2Gi"), Min: lrList("storage", "1Gi")}}}}}
	claim := func(size string) *core.PersistentVolumeClaim {
		return &core.PersistentVolumeClaim{Spec: core.PersistentVolumeClaimSpec{
			Resources: core.VolumeResourceRequirements{Requests: lrList("storage", size)}}}
	}
	if errs := ValidateClaimLimits(claim("1Gi"), ranges); len(errs) != 0 {
		t.Errorf("1Gi: %v", errs)
	}
	errs := ValidateClaimLimits(claim("5Gi"), ranges)
	if len(errs) != 1 || errs[0].Error() != "maximum storage usage per PersistentVolumeClaim is 2Gi, but limit is 5Gi" {
		t.Errorf("5Gi: %v", errs)
	}
	if got := aggregate(append(errs, errs...)).Error(); !strings.HasPrefix(got, "[maximum storage") || !strings.HasSuffix(got, "5Gi]") {
		t.Errorf("aggregate: %s", got)
	}
}
