package kubelet

import "testing"

func TestExpandVars(t *testing.T) {
	vars := map[string]string{"A": "1", "B": "two", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	for in, want := range map[string]string{
		"":                  "",
		"plain":             "plain",
		"$(A)":              "1",
		"x$(A)y$(B)z":       "x1ytwoz",
		"$(EMPTY)":          "",
		"$(MISSING)":        "$(MISSING)",
		"$$(A)":             "$(A)",
		"$$$(A)":            "$1",
		"$$":                "$",
		"$":                 "$",
		"a$":                "a$",
		"$A":                "$A",
		"$(A":               "$(A",
		"$(":                "$(",
		"$()":               "$()",
		"echo $(A) $(B) $$": "echo 1 two $",
		"$(A)$(A)":          "11",
		"$($(A))":           "$($(A))",
	} {
		if got := expandVars(in, lookup); got != want {
			t.Errorf("expandVars(%q) = %q, want %q", in, got, want)
		}
	}
}
