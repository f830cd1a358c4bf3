package labels

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestParseAndMatch(t *testing.T) {
	for _, tc := range []struct {
		sel       string
		canonical string
		match     []Set
		noMatch   []Set
	}{
		{"", "", []Set{{}, {"a": "b"}}, nil},
		{"a=b", "a=b", []Set{{"a": "b"}, {"a": "b", "c": "d"}}, []Set{{}, {"a": "c"}}},
		{"a==b", "a==b", []Set{{"a": "b"}}, []Set{{"a": "c"}}},
		{"a!=b", "a!=b", []Set{{}, {"a": "c"}}, []Set{{"a": "b"}}},
		{"a in (x,y)", "a in (x,y)", []Set{{"a": "x"}, {"a": "y"}}, []Set{{}, {"a": "z"}}},
		{"a in (y, x, y)", "a in (x,y)", []Set{{"a": "x"}}, nil},
		{"a notin (x)", "a notin (x)", []Set{{}, {"a": "y"}}, []Set{{"a": "x"}}},
		{"a", "a", []Set{{"a": ""}, {"a": "x"}}, []Set{{}}},
		{"!a", "!a", []Set{{}, {"b": "a"}}, []Set{{"a": ""}}},
		{"b=c,a", "a,b=c", []Set{{"a": "1", "b": "c"}}, []Set{{"a": "1"}, {"b": "c"}}},
		{" x = y , !z ", "x=y,!z", []Set{{"x": "y"}}, []Set{{"x": "y", "z": "1"}}},
		{"a=", "a=", []Set{{"a": ""}}, []Set{{}, {"a": "x"}}},
		{"a in ()", "a in ()", []Set{{"a": ""}}, []Set{{"a": "x"}}},
		{"a in (x,)", "a in (,x)", []Set{{"a": ""}, {"a": "x"}}, nil},
		{"example.com/app=web", "example.com/app=web", []Set{{"example.com/app": "web"}}, nil},
		{"a in (in,notin)", "a in (in,notin)", []Set{{"a": "in"}}, nil},
		{"n>3", "n>3", []Set{{"n": "4"}}, []Set{{"n": "3"}, {"n": "x"}, {}}},
		{"n<3", "n<3", []Set{{"n": "2"}}, []Set{{"n": "3"}}},
	} {
		s, err := Parse(tc.sel)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.sel, err)
			continue
		}
		if got := s.String(); got != tc.canonical {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.sel, got, tc.canonical)
		}
		for _, m := range tc.match {
			if !s.Matches(m) {
				t.Errorf("%q should match %v", tc.sel, m)
			}
		}
		for _, m := range tc.noMatch {
			if s.Matches(m) {
				t.Errorf("%q should not match %v", tc.sel, m)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"a=b,", ",a", "=b", "a in x", "a in (x", "a in (x y)", "!a=b", "a b",
		"a=b=c", "-a=b", "a=-b", "a/b/c=d", strings.Repeat("k", 64) + "=v", "a=" + strings.Repeat("v", 64),
		"a!", "(", "a in (x,,", "n>x", "!", "a notin",
	} {
		if s, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %q, want error", in, s.String())
		}
	}
}

func TestSelectorFromSetAndExactMatch(t *testing.T) {
	s := SelectorFromSet(Set{"b": "2", "a": "1"})
	if s.String() != "a=1,b=2" {
		t.Errorf("String = %q", s.String())
	}
	if v, ok := s.RequiresExactMatch("b"); !ok || v != "2" {
		t.Errorf("RequiresExactMatch(b) = %q %v", v, ok)
	}
	if _, ok := s.RequiresExactMatch("c"); ok {
		t.Errorf("c is not pinned")
	}
	if !SelectorFromSet(nil).Empty() || !Everything().Matches(Set{"x": "y"}) || Nothing().Matches(Set{}) {
		t.Errorf("everything/nothing wrong")
	}
	if _, err := ValidatedSelectorFromSet(Set{"-bad": "x"}); err == nil {
		t.Errorf("invalid key accepted")
	}
}

func TestLabelSelectorAsSelector(t *testing.T) {
	for _, tc := range []struct {
		in      *meta.LabelSelector
		want    string
		wantErr bool
		nothing bool
	}{
		{in: nil, nothing: true},
		{in: &meta.LabelSelector{}, want: ""},
		{in: &meta.LabelSelector{MatchLabels: map[string]string{"app": "web", "tier": "fe"}}, want: "app=web,tier=fe"},
		{in: &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{
			{Key: "env", Operator: "In", Values: []string{"prod", "dev"}},
			{Key: "gpu", Operator: "Exists"},
			{Key: "old", Operator: "DoesNotExist"},
			{Key: "zone", Operator: "NotIn", Values: []string{"a"}},
		}}, want: "env in (dev,prod),gpu,!old,zone notin (a)"},
		{in: &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{{Key: "a", Operator: "Gt", Values: []string{"1"}}}}, wantErr: true},
		{in: &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{{Key: "a", Operator: "In"}}}, wantErr: true},
		{in: &meta.LabelSelector{MatchExpressions: []meta.LabelSelectorRequirement{{Key: "a", Operator: "Exists", Values: []string{"x"}}}}, wantErr: true},
		{in: &meta.LabelSelector{MatchLabels: map[string]string{"a": "bad value"}}, wantErr: true},
	} {
		s, err := LabelSelectorAsSelector(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%+v: err = %v", tc.in, err)
			continue
		}
		if err != nil {
			continue
		}
		if tc.nothing {
			if s.Matches(Set{}) {
				t.Errorf("nil selector should match nothing")
			}
			continue
		}
		if s.String() != tc.want {
			t.Errorf("%+v: got %q want %q", tc.in, s.String(), tc.want)
		}
	}
	if got := FormatLabelSelector(&meta.LabelSelector{}); got != "<none>" {
		t.Errorf("FormatLabelSelector(empty) = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a=b", "a in (x,y),!b", "a notin (x)", "x,y!=z", "a in ()", "n>1", "k8s.io/a==b", "a=,b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Parse(in)
		if err != nil {
			return
		}
		str := s.String()
		s2, err := Parse(str)
		if err != nil {
			t.Fatalf("%q -> %q does not re-parse: %v", in, str, err)
		}
		if s2.String() != str {
			t.Fatalf("%q -> %q -> %q", in, str, s2.String())
		}
	})
}
