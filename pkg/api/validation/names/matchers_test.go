package names

import (
	"regexp"
	"testing"
)

// The regular expressions Kubernetes validates with; the hand-written
// matchers must accept exactly the same strings.
var reference = map[string]struct {
	re *regexp.Regexp
	m  matcher
}{
	"dns1123Label":      {regexp.MustCompile("^" + dns1123LabelFmt + "$"), dns1123LabelRe},
	"dns1123Subdomain":  {regexp.MustCompile("^" + dns1123SubdomainFmt + "$"), dns1123SubdomainRe},
	"dns1035Label":      {regexp.MustCompile("^" + dns1035LabelFmt + "$"), dns1035LabelRe},
	"qualifiedName":     {regexp.MustCompile("^" + qualifiedNameFmt + "$"), qualifiedNameRe},
	"labelValue":        {regexp.MustCompile("^" + labelValueFmt + "$"), labelValueRe},
	"envVarName":        {regexp.MustCompile("^" + envVarNameFmt + "$"), envVarNameRe},
	"configMapKey":      {regexp.MustCompile("^" + configMapKeyFmt + "$"), configMapKeyRe},
	"portNameCharset":   {regexp.MustCompile("^[-a-z0-9]+$"), portNameCharsetRe},
	"portNameOneLetter": {regexp.MustCompile("[a-z]"), portNameOneLetter},
}

var matcherSeeds = []string{"", "a", "A", "0", "-", ".", "_", "a-b", "-a", "a-", "a.b", "a..b", ".a", "a.", "A.b",
	"my-name", "123-abc", "example.com", "MyName", "my.name", "my_name", "_x", "x_", "a/b", "é", "aé", "a b",
	"abc-123.def-456", "Zz9", "9-z", "http", "a\n", "\x00", "ab.-c", "a.-b", "x-.y"}

func TestMatchersAgreeWithRegexps(t *testing.T) {
	for name, ref := range reference {
		for _, s := range matcherSeeds {
			if got, want := ref.m.MatchString(s), ref.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the regexp says %v", name, s, got, want)
			}
		}
	}
}

func FuzzMatchersAgreeWithRegexps(f *testing.F) {
	for _, s := range matcherSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, ref := range reference {
			if got, want := ref.m.MatchString(s), ref.re.MatchString(s); got != want {
				t.Fatalf("%s(%q) = %v, the regexp says %v", name, s, got, want)
			}
		}
	})
}

func BenchmarkSubdomainMatch(b *testing.B) {
	const name = "bench-000123.example.com"
	ref := reference["dns1123Subdomain"]
	b.Run("matcher", func(b *testing.B) {
		for b.Loop() {
			ref.m.MatchString(name)
		}
	})
	b.Run("regexp", func(b *testing.B) {
		for b.Loop() {
			ref.re.MatchString(name)
		}
	})
}
