package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// GroupVersion is an API group and version, as "apps/v1" or "v1" for the core group.
type GroupVersion struct {
	Group   string
	Version string
}

// String renders "group/version", or "version" for the core group.
func (gv GroupVersion) String() string {
	if gv.Group == "" {
		return gv.Version
	}
	return gv.Group + "/" + gv.Version
}

// ParseGroupVersion parses an apiVersion string.
func ParseGroupVersion(s string) (GroupVersion, error) {
	switch strings.Count(s, "/") {
	case 0:
		if s == "" {
			return GroupVersion{}, fmt.Errorf("empty apiVersion")
		}
		return GroupVersion{Version: s}, nil
	case 1:
		i := strings.IndexByte(s, '/')
		if i == 0 || i == len(s)-1 {
			return GroupVersion{}, fmt.Errorf("invalid apiVersion %q", s)
		}
		return GroupVersion{Group: s[:i], Version: s[i+1:]}, nil
	default:
		return GroupVersion{}, fmt.Errorf("invalid apiVersion %q", s)
	}
}

// Ptr returns a pointer to v, for optional fields.
func Ptr[T any](v T) *T { return &v }

// PtrEqual says whether two pointers are both nil or point to equal values.
func PtrEqual[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// NewControllerRef builds an owner reference with controller and blockOwnerDeletion set.
func NewControllerRef(owner Object, apiVersion, kind string) OwnerReference {
	m := owner.GetObjectMeta()
	return OwnerReference{
		APIVersion:         apiVersion,
		Kind:               kind,
		Name:               m.Name,
		UID:                m.UID,
		Controller:         Ptr(true),
		BlockOwnerDeletion: Ptr(true),
	}
}

// SameJSON says whether two JSON texts hold the same value, spelling
// (spaces, key order) aside; text that is not JSON is the same only byte
// for byte.
func SameJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
