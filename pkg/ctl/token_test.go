package ctl

import (
	"testing"
	"time"
)

func TestTokenFlags(t *testing.T) {
	tests := []struct {
		name string
		f    tokenFlags
		err  string
		exp  int64
		kind string
	}{
		{name: "defaults", f: tokenFlags{}},
		{name: "duration", f: tokenFlags{duration: time.Hour}, exp: 3600},
		{name: "bound pod", f: tokenFlags{boundKind: "Pod", boundName: "p", bound: "u"}, kind: "Pod"},
		{name: "negative duration", f: tokenFlags{duration: -time.Second}, err: "--duration must be greater than or equal to 0"},
		{name: "sub-second duration", f: tokenFlags{duration: 1500 * time.Millisecond}, err: "--duration cannot be expressed in units less than seconds"},
		{name: "empty audience", f: tokenFlags{audiences: []string{"a", ""}}, err: "--audience must not be an empty string"},
		{name: "unknown kind", f: tokenFlags{boundKind: "ConfigMap", boundName: "x"}, err: "supported --bound-object-kind values are Node, Pod, Secret"},
		{name: "kind without name", f: tokenFlags{boundKind: "Pod"}, err: "--bound-object-name is required if --bound-object-kind is provided"},
		{name: "name without kind", f: tokenFlags{boundName: "p"}, err: "--bound-object-name can only be set if --bound-object-kind is provided"},
		{name: "uid without kind", f: tokenFlags{bound: "u"}, err: "--bound-object-uid can only be set if --bound-object-kind is provided"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := tc.f.tokenRequest()
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.Spec.ExpirationSeconds; (tc.exp == 0) != (got == nil) || (got != nil && *got != tc.exp) {
				t.Fatalf("expirationSeconds %v, want %d", got, tc.exp)
			}
			if ref := tr.Spec.BoundObjectRef; (tc.kind == "") != (ref == nil) || (ref != nil && (ref.Kind != tc.kind || ref.APIVersion != "v1")) {
				t.Fatalf("boundObjectRef %+v", ref)
			}
		})
	}
}
