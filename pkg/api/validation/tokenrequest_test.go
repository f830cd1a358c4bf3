package validation

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/authentication"
)

func TestValidateTokenRequest(t *testing.T) {
	exp := func(v int64) *int64 { return &v }
	tests := []struct {
		name string
		exp  *int64
		want string // the one error's text, "" for none
	}{
		{"an hour", exp(3600), ""},
		{"ten minutes", exp(600), ""},
		{"2^32 seconds", exp(1 << 32), ""},
		{"under ten minutes", exp(599), "spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes"},
		{"over 2^32", exp(1<<32 + 1), "spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds"},
		{"unset", nil, "spec.expirationSeconds: Required value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := &authentication.TokenRequest{Spec: authentication.TokenRequestSpec{ExpirationSeconds: tc.exp}}
			errs := ValidateTokenRequest(tr)
			switch {
			case tc.want == "" && len(errs) != 0:
				t.Fatalf("unexpected errors: %v", errs)
			case tc.want != "" && (len(errs) != 1 || errs[0].Error() != tc.want):
				t.Fatalf("errors %v, want %q", errs, tc.want)
			}
		})
	}
	tr := &authentication.TokenRequest{}
	authentication.DefaultTokenRequest(tr)
	if tr.Spec.ExpirationSeconds == nil || *tr.Spec.ExpirationSeconds != 3600 {
		t.Fatalf("default expirationSeconds %v", tr.Spec.ExpirationSeconds)
	}
}
