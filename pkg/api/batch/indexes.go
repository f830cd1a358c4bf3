package batch

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Completion-index names of Indexed jobs: the label and annotation on each
// pod, and the environment variable of each of its containers.
const (
	JobCompletionIndexLabel  = JobCompletionIndexAnnotation
	JobCompletionIndexEnvVar = "JOB_COMPLETION_INDEX"
)

// IsIndexed reports whether the job's completionMode is Indexed.
func IsIndexed(j *Job) bool {
	return j.Spec.CompletionMode != nil && *j.Spec.CompletionMode == IndexedCompletion
}

// IndexInterval is the closed range First..Last of completion indexes.
type IndexInterval struct{ First, Last int32 }

// IndexSet is a set of completion indexes as ascending, disjoint,
// non-adjacent intervals: the form of status.completedIndexes.
type IndexSet []IndexInterval

// IndexSetOf is the set of the given indexes (any order, duplicates allowed).
func IndexSetOf(idx ...int32) IndexSet {
	if len(idx) == 0 {
		return nil
	}
	sorted := slices.Clone(idx)
	slices.Sort(sorted)
	var s IndexSet
	for _, i := range sorted {
		if n := len(s); n > 0 && i <= s[n-1].Last+1 {
			s[n-1].Last = max(s[n-1].Last, i)
			continue
		}
		s = append(s, IndexInterval{i, i})
	}
	return s
}

// Union is the set of the indexes in s or o.
func (s IndexSet) Union(o IndexSet) IndexSet {
	all := slices.Concat(s, o)
	slices.SortFunc(all, func(a, b IndexInterval) int { return int(a.First) - int(b.First) })
	var out IndexSet
	for _, iv := range all {
		if n := len(out); n > 0 && iv.First <= out[n-1].Last+1 {
			out[n-1].Last = max(out[n-1].Last, iv.Last)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// Has reports whether i is in s.
func (s IndexSet) Has(i int32) bool {
	k, _ := slices.BinarySearchFunc(s, i, func(iv IndexInterval, t int32) int {
		switch {
		case iv.Last < t:
			return -1
		case iv.First > t:
			return 1
		}
		return 0
	})
	return k < len(s) && s[k].First <= i && i <= s[k].Last
}

// Len is the number of indexes in s.
func (s IndexSet) Len() int32 {
	var n int32
	for _, iv := range s {
		n += iv.Last - iv.First + 1
	}
	return n
}

// String formats s as Kubernetes does: "1,3-5,7" ("" when empty).
func (s IndexSet) String() string {
	var b strings.Builder
	for i, iv := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(iv.First)))
		if iv.Last > iv.First {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(int(iv.Last)))
		}
	}
	return b.String()
}

// ParseIndexSet reads an interval list such as "1,3-5,7" whose indexes are
// below completions. As Kubernetes' status validation it requires each
// interval to have at most two parts and the numbers to increase strictly
// from left to right; adjacent intervals ("1,2") are accepted and merged.
func ParseIndexSet(str string, completions int32) (IndexSet, error) {
	if str == "" {
		return nil, nil
	}
	var s IndexSet
	last := int32(-1)
	num := func(part string) (int32, error) {
		x, err := strconv.ParseInt(part, 10, 32)
		if err != nil || x < 0 || part[0] == '+' {
			return 0, fmt.Errorf("not an index: %q", part)
		}
		if x >= int64(completions) {
			return 0, fmt.Errorf("index %d not below completions %d", x, completions)
		}
		if int32(x) <= last {
			return 0, fmt.Errorf("indexes not increasing: %d after %d", x, last)
		}
		last = int32(x)
		return int32(x), nil
	}
	for _, frag := range strings.Split(str, ",") {
		parts := strings.Split(frag, "-")
		if len(parts) > 2 {
			return nil, errors.New("an interval has at most two parts separated by '-': " + strconv.Quote(frag))
		}
		first, err := num(parts[0])
		if err != nil {
			return nil, err
		}
		lastOf := first
		if len(parts) == 2 {
			if lastOf, err = num(parts[1]); err != nil {
				return nil, err
			}
		}
		if n := len(s); n > 0 && first == s[n-1].Last+1 {
			s[n-1].Last = lastOf
		} else {
			s = append(s, IndexInterval{first, lastOf})
		}
	}
	return s, nil
}
