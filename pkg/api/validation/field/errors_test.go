package field

import "testing"

func TestPathString(t *testing.T) {
	for _, tc := range []struct {
		p    *Path
		want string
	}{
		{NewPath("metadata", "name"), "metadata.name"},
		{NewPath("spec").Child("containers").Index(0).Child("image"), "spec.containers[0].image"},
		{NewPath("spec").Child("containers").Index(1).Child("resources", "requests").Key("cpu"), "spec.containers[1].resources.requests[cpu]"},
		{NewPath("metadata", "labels").Key("app"), "metadata.labels[app]"},
		{nil, "<nil>"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("got %q want %q", got, tc.want)
		}
	}
}

func TestErrorMessagesAndCauses(t *testing.T) {
	p := NewPath("spec", "replicas")
	l := ErrorList{
		Invalid(p, -1, "must be greater than or equal to 0"),
		Required(NewPath("metadata", "name"), ""),
		NotSupported(NewPath("spec", "restartPolicy"), "Sometimes", []string{"Always", "Never"}),
		TooLong(NewPath("metadata", "annotations"), "", 10),
	}
	want := []string{
		"spec.replicas: Invalid value: -1: must be greater than or equal to 0",
		"metadata.name: Required value",
		`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never"`,
		"metadata.annotations: Too long: must have at most 10 bytes",
	}
	for i, e := range l {
		if e.Error() != want[i] {
			t.Errorf("got %q\nwant %q", e.Error(), want[i])
		}
	}
	c := l.Causes()
	if len(c) != 4 || c[0].Field != "spec.replicas" || string(c[0].Type) != "FieldValueInvalid" || c[1].Message != "Required value" {
		t.Errorf("causes: %+v", c)
	}
}

func TestPathStringEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		p    *Path
		want string
	}{
		{NewPath(""), ""},
		{NewPath("").Child("x"), "x"},
		{NewPath("a").Child(""), "a."},
		{NewPath("a").Key(""), "a."},
		{NewPath("a", "", "b"), "a..b"},
		{NewPath("spec").Index(0).Index(12).Child("a", "b", "c"), "spec[0][12].a.b.c"},
		{NewPath("").Index(3).Child("x"), "[3].x"},
		{NewPath("a").Child("b", "c").Child("d", "e").Key("k"), "a.b.c.d.e[k]"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("got %q want %q", got, tc.want)
		}
	}
}

//go:noinline
func checkName(name string, p *Path) ErrorList {
	if name == "" {
		return ErrorList{Required(p, "")}
	}
	return nil
}

// A path that only reaches field errors stays on the stack: validation
// that finds nothing allocates nothing for its paths.
func TestPathOfValidFieldDoesNotAllocate(t *testing.T) {
	root := NewPath("spec")
	if n := testing.AllocsPerRun(100, func() {
		p := root.Child("containers").Index(1)
		if errs := checkName("main", p.Child("securityContext", "runAsUser")); errs != nil {
			t.Fatal(errs)
		}
		if errs := checkName("main", p.Key("cpu")); errs != nil {
			t.Fatal(errs)
		}
	}); n != 0 {
		t.Errorf("%v allocations per path, want 0", n)
	}
	if errs := checkName("", root.Child("containers").Index(1).Child("name")); len(errs) != 1 || errs[0].Field != "spec.containers[1].name" {
		t.Errorf("errors %v", errs)
	}
}
