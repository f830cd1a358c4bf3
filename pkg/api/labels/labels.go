// Package labels implements label sets and label selectors as Kubernetes
// does: the string syntax of ?labelSelector= ("a=b,c!=d,e in (x,y),!f"),
// matching, and conversion from the structured meta.LabelSelector.
package labels

import (
	"sort"
	"strings"
)

// Labels is what a selector matches against.
type Labels interface {
	Has(key string) bool
	Get(key string) string
}

// Set is a map of labels; it implements Labels.
type Set map[string]string

// Has reports whether key is set.
func (s Set) Has(key string) bool {
	_, ok := s[key]
	return ok
}

// Get returns the value of key ("" if absent).
func (s Set) Get(key string) string { return s[key] }

// String renders "k1=v1,k2=v2" sorted by key.
func (s Set) String() string {
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + s[k]
	}
	return strings.Join(parts, ",")
}

// AsSelector is SelectorFromSet(s).
func (s Set) AsSelector() Selector { return SelectorFromSet(s) }

// Merge returns a new set with the labels of a overridden by those of b.
func Merge(a, b Set) Set {
	out := make(Set, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// Equals reports whether a and b hold the same labels.
func Equals(a, b Set) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}
