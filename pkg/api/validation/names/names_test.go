package names

import (
	"strings"
	"testing"
)

func TestChecks(t *testing.T) {
	long := strings.Repeat("a", 64)
	for _, tc := range []struct {
		name  string
		check func(string) []string
		good  []string
		bad   []string
	}{
		{"DNS1123Label", IsDNS1123Label, []string{"a", "my-name", "123-abc", strings.Repeat("a", 63)}, []string{"", "A", "-a", "a-", "a.b", "a_b", long}},
		{"DNS1123Subdomain", IsDNS1123Subdomain, []string{"a", "example.com", "a-b.c", "0.1"}, []string{"", "A.com", ".a", "a.", "a..b", strings.Repeat("a", 254)}},
		{"DNS1035Label", IsDNS1035Label, []string{"a", "my-svc", "abc-123"}, []string{"1abc", "", "a-", "A"}},
		{"QualifiedName", IsQualifiedName, []string{"app", "App_1.x", "example.com/app", "k8s.io/a-b", "kubernetes.io/hostname", strings.Repeat("a", 63)}, []string{"", "/a", "a/", "a/b/c", "Example.com/a", "-a", "a-", long, "a b"}},
		{"LabelValue", IsValidLabelValue, []string{"", "v", "My_Value-1.2", strings.Repeat("a", 63)}, []string{"-v", "v-", "a b", "a/b", long}},
		{"EnvVarName", IsEnvVarName, []string{"A", "_a", "my.env-name", "A1"}, []string{"", "1A", "a b", "a=b"}},
		{"ConfigMapKey", IsConfigMapKey, []string{"a", "key.name", "KEY_NAME", ".a"}, []string{"", ".", "..", "..a", "a/b", "a b"}},
		{"PortName", IsValidPortName, []string{"http", "h2c", "a-b"}, []string{"", "HTTP", "123", "a--b", "-a", "a-", "abcdefghijklmnop"}},
		{"IP", IsValidIP, []string{"10.0.0.1", "::1"}, []string{"", "10.0.0", "x"}},
	} {
		for _, g := range tc.good {
			if errs := tc.check(g); len(errs) != 0 {
				t.Errorf("%s(%q) = %v, want valid", tc.name, g, errs)
			}
		}
		for _, b := range tc.bad {
			if errs := tc.check(b); len(errs) == 0 {
				t.Errorf("%s(%q) valid, want error", tc.name, b)
			}
		}
	}
}

func TestMessages(t *testing.T) {
	got := IsDNS1123Label("A")[0]
	want := "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
	if got != want {
		t.Errorf("message:\n got %s\nwant %s", got, want)
	}
	if got := IsQualifiedName("/a")[0]; got != "prefix part must be non-empty" {
		t.Errorf("got %q", got)
	}
	if got := IsValidPortNum(0); len(got) != 1 || IsValidPortNum(65535) != nil {
		t.Errorf("port checks wrong")
	}
}
