package fields

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in, canonical string
		match         []Set
		noMatch       []Set
	}{
		{"", "", []Set{{}, {"a": "b"}}, nil},
		{"spec.nodeName=n1", "spec.nodeName=n1", []Set{{"spec.nodeName": "n1"}}, []Set{{"spec.nodeName": "n2"}, {}}},
		{"spec.nodeName==n1", "spec.nodeName=n1", []Set{{"spec.nodeName": "n1"}}, nil},
		{"status.phase!=Failed", "status.phase!=Failed", []Set{{"status.phase": "Running"}, {}}, []Set{{"status.phase": "Failed"}}},
		{"spec.nodeName=", "spec.nodeName=", []Set{{"spec.nodeName": ""}, {}}, []Set{{"spec.nodeName": "n"}}},
		{"b=2,a=1", "a=1,b=2", []Set{{"a": "1", "b": "2"}}, []Set{{"a": "1"}}},
		{`a=x\,y\=z\\`, `a=x\,y\=z\\`, []Set{{"a": `x,y=z\`}}, nil},
		{"a=1,,b=2", "a=1,b=2", nil, nil},
	} {
		s, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if s.String() != tc.canonical {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, s.String(), tc.canonical)
		}
		for _, m := range tc.match {
			if !s.Matches(m) {
				t.Errorf("%q should match %v", tc.in, m)
			}
		}
		for _, m := range tc.noMatch {
			if s.Matches(m) {
				t.Errorf("%q should not match %v", tc.in, m)
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"a", "a=b=c", `a=\x`, `a=b\`, "a!b", "a,b=c"} {
		if s, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %q, want error", in, s.String())
		}
	}
}

func TestRequiresExactMatch(t *testing.T) {
	s, err := Parse("spec.nodeName=n1,status.phase!=Failed")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := s.RequiresExactMatch("spec.nodeName"); !ok || v != "n1" {
		t.Errorf("spec.nodeName: %q %v", v, ok)
	}
	if _, ok := s.RequiresExactMatch("status.phase"); ok {
		t.Errorf("!= does not pin a value")
	}
	if len(s.Requirements()) != 2 || Everything().Empty() != true {
		t.Errorf("Requirements/Empty wrong")
	}
	if got := SelectorFromSet(Set{"b": "x,y", "a": "1"}).String(); got != `a=1,b=x\,y` {
		t.Errorf("SelectorFromSet = %q", got)
	}
	if got := OneTermEqualSelector("metadata.name", "x").String(); got != "metadata.name=x" {
		t.Errorf("OneTermEqualSelector = %q", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a=b", "a!=b,c==d", `a=x\,y`, "spec.nodeName=", `x=\\`, "a=1,,b=2"} {
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
