package batch

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestIndexSet(t *testing.T) {
	for _, tc := range []struct {
		idx  []int32
		want string
		n    int32
	}{
		{nil, "", 0},
		{[]int32{0}, "0", 1},
		{[]int32{7, 1, 4, 3, 5, 3}, "1,3-5,7", 5},
		{[]int32{2, 0, 1}, "0-2", 3},
	} {
		s := IndexSetOf(tc.idx...)
		if s.String() != tc.want || s.Len() != tc.n {
			t.Errorf("IndexSetOf(%v) = %q (%d), want %q (%d)", tc.idx, s, s.Len(), tc.want, tc.n)
		}
		for _, i := range tc.idx {
			if !s.Has(i) {
				t.Errorf("%q lacks %d", s, i)
			}
		}
	}
	s := IndexSetOf(1, 3, 4, 5, 7)
	for _, i := range []int32{0, 2, 6, 8} {
		if s.Has(i) {
			t.Errorf("%q has %d", s, i)
		}
	}
	if u := s.Union(IndexSetOf(0, 2, 6, 9)); u.String() != "0-7,9" {
		t.Errorf("union = %q", u)
	}
}

func TestParseIndexSet(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" with ok false: an error
		ok   bool
	}{
		{"", "", true},
		{"0", "0", true},
		{"1,3-5,7", "1,3-5,7", true},
		{"0,1,2-4", "0-4", true},
		{"9", "9", true},
		{"10", "", false},
		{"3-12", "", false},
		{"3-3", "", false},
		{"5,4", "", false},
		{"1-3,3", "", false},
		{"1-2-3", "", false},
		{"-1", "", false},
		{"a", "", false},
		{"1,", "", false},
		{"+1", "", false},
	} {
		s, err := ParseIndexSet(tc.in, 10)
		if (err == nil) != tc.ok {
			t.Errorf("ParseIndexSet(%q): err %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && s.String() != tc.want {
			t.Errorf("ParseIndexSet(%q) = %q, want %q", tc.in, s, tc.want)
		}
	}
	if !IsIndexed(&Job{Spec: JobSpec{CompletionMode: meta.Ptr(IndexedCompletion)}}) || IsIndexed(&Job{}) {
		t.Error("IsIndexed")
	}
}
