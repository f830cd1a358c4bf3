package ctl

import (
	"bytes"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

// TestDescribePodDisruptionBudget: a budget is described as kubectl does,
// with whichever bound it sets and the controller's counts.
func TestDescribePodDisruptionBudget(t *testing.T) {
	pct := intstr.FromString("25%")
	b := &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "demo"},
		Spec: policy.PodDisruptionBudgetSpec{MaxUnavailable: &pct,
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
		Status: policy.PodDisruptionBudgetStatus{DisruptionsAllowed: 1, CurrentHealthy: 4, DesiredHealthy: 3, ExpectedPods: 4}}
	var out bytes.Buffer
	if err := Describe(&out, b, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	want := "Name:             web\n" +
		"Namespace:        demo\n" +
		"Max unavailable:  25%\n" +
		"Selector:         app=web\n" +
		"Status:\n" +
		"    Allowed disruptions:  1\n" +
		"    Current:              4\n" +
		"    Desired:              3\n" +
		"    Total:                4\n" +
		"Events:                   <none>\n"
	if out.String() != want {
		t.Errorf("describe:\n%s\nwant:\n%s", out.String(), want)
	}
	two := intstr.FromInt32(2)
	b.Spec = policy.PodDisruptionBudgetSpec{MinAvailable: &two}
	out.Reset()
	if err := Describe(&out, b, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !bytes.Contains(out.Bytes(), []byte("Min available:")) || !bytes.Contains(out.Bytes(), []byte("<unset>")) {
		t.Errorf("minAvailable, no selector:\n%s", s)
	}
}
