package validation

import (
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/intstr"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/policy"
)

func pdb(minAvailable, maxUnavailable *intstr.IntOrString) *policy.PodDisruptionBudget {
	return &policy.PodDisruptionBudget{ObjectMeta: meta.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: policy.PodDisruptionBudgetSpec{MinAvailable: minAvailable, MaxUnavailable: maxUnavailable,
			Selector: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
}

func ios(v intstr.IntOrString) *intstr.IntOrString { return &v }

func TestValidatePodDisruptionBudget(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *policy.PodDisruptionBudget
		want []string
	}{
		{"min int", pdb(ios(intstr.FromInt(2)), nil), nil},
		{"max percent", pdb(nil, ios(intstr.FromString("100%"))), nil},
		{"neither", pdb(nil, nil), nil},
		{"zero", pdb(ios(intstr.FromInt(0)), nil), nil},
		{"both", pdb(ios(intstr.FromInt(1)), ios(intstr.FromInt(1))), []string{"spec:FieldValueInvalid"}},
		{"negative min", pdb(ios(intstr.FromInt(-1)), nil), []string{"spec.minAvailable:FieldValueInvalid"}},
		{"negative max", pdb(nil, ios(intstr.FromInt(-3))), []string{"spec.maxUnavailable:FieldValueInvalid"}},
		{"over 100%", pdb(ios(intstr.FromString("101%")), nil), []string{"spec.minAvailable:FieldValueInvalid"}},
		{"not a percent", pdb(nil, ios(intstr.FromString("half"))), []string{"spec.maxUnavailable:FieldValueInvalid"}},
	} {
		expectErrors(t, tc.name, ValidatePodDisruptionBudget(tc.p), tc.want...)
	}

	nilSel := pdb(ios(intstr.FromInt(1)), nil)
	nilSel.Spec.Selector = nil
	expectErrors(t, "nil selector", ValidatePodDisruptionBudget(nilSel))
	badSel := pdb(ios(intstr.FromInt(1)), nil)
	badSel.Spec.Selector = &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{{Key: "app", Operator: meta.LabelSelectorOpIn}}}
	expectErrors(t, "selector In without values", ValidatePodDisruptionBudget(badSel), "spec.selector.matchExpressions[0].values:FieldValueRequired")

	for _, p := range []policy.UnhealthyPodEvictionPolicyType{policy.IfHealthyBudget, policy.AlwaysAllow} {
		ok := pdb(nil, ios(intstr.FromInt(1)))
		ok.Spec.UnhealthyPodEvictionPolicy = &p
		expectErrors(t, string(p), ValidatePodDisruptionBudget(ok))
	}
	bad := pdb(nil, ios(intstr.FromInt(1)))
	bad.Spec.UnhealthyPodEvictionPolicy = meta.Ptr(policy.UnhealthyPodEvictionPolicyType("Never"))
	errs := ValidatePodDisruptionBudget(bad)
	expectErrors(t, "unknown policy", errs, "spec.unhealthyPodEvictionPolicy:FieldValueNotSupported")
	if want := `Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"`; len(errs) == 1 && errs[0].ErrorBody() != want {
		t.Errorf("message = %q, want %q", errs[0].ErrorBody(), want)
	}

	noName := pdb(nil, nil)
	noName.Name = ""
	expectErrors(t, "no name", ValidatePodDisruptionBudget(noName), "metadata.name:FieldValueRequired")

	old := pdb(ios(intstr.FromInt(1)), nil)
	old.ResourceVersion = "5"
	upd := meta.DeepCopy(old)
	upd.Spec.MinAvailable = ios(intstr.FromString("50%"))
	expectErrors(t, "spec is mutable", ValidatePodDisruptionBudgetUpdate(upd, old))
	upd.Spec.MaxUnavailable = ios(intstr.FromInt(1))
	expectErrors(t, "update validates the spec", ValidatePodDisruptionBudgetUpdate(upd, old), "spec:FieldValueInvalid")
}

func TestValidatePodDisruptionBudgetStatusUpdate(t *testing.T) {
	old := pdb(ios(intstr.FromInt(1)), nil)
	old.ResourceVersion = "5"
	good := meta.DeepCopy(old)
	good.Status = policy.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 1, CurrentHealthy: 2, DesiredHealthy: 1, ExpectedPods: 2,
		Conditions: []meta.Condition{{Type: policy.DisruptionAllowedCondition, Status: "True", Reason: policy.SufficientPodsReason,
			LastTransitionTime: meta.NewTime(time.Now())}}}
	expectErrors(t, "valid status", ValidatePodDisruptionBudgetStatusUpdate(good, old))

	neg := meta.DeepCopy(good)
	neg.Status.DisruptionsAllowed, neg.Status.CurrentHealthy, neg.Status.DesiredHealthy, neg.Status.ExpectedPods = -1, -1, -1, -1
	expectErrors(t, "negative counts", ValidatePodDisruptionBudgetStatusUpdate(neg, old),
		"status.disruptionsAllowed:FieldValueInvalid", "status.currentHealthy:FieldValueInvalid",
		"status.desiredHealthy:FieldValueInvalid", "status.expectedPods:FieldValueInvalid")

	badCond := meta.DeepCopy(good)
	badCond.Status.Conditions = []meta.Condition{
		{Type: "", Status: "Maybe", Reason: "no spaces allowed"},
		{Type: "A", Status: "True", Reason: "R", LastTransitionTime: meta.NewTime(time.Now())},
		{Type: "A", Status: "True", Reason: "R", LastTransitionTime: meta.NewTime(time.Now())},
	}
	expectErrors(t, "bad conditions", ValidatePodDisruptionBudgetStatusUpdate(badCond, old),
		"status.conditions[0].type:FieldValueRequired", "status.conditions[0].status:FieldValueNotSupported",
		"status.conditions[0].lastTransitionTime:FieldValueRequired", "status.conditions[0].reason:FieldValueInvalid",
		"status.conditions[2].type:FieldValueDuplicate")
}
