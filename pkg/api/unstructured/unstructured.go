// Package unstructured holds an API object whose kind has no Go type: a
// custom resource. Its apiVersion, kind and metadata are typed (so storage,
// watch, admission and the generic strategy treat it as any other object);
// every other top-level field is kept as plain JSON values.
//
// Plain JSON values are map[string]any, []any, string, bool, nil, int64 (a
// number written without fraction or exponent that fits) and float64
// (every other number), as Kubernetes' unstructured objects hold them, so
// integers keep their exact value and print without a fraction.
package unstructured

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Unstructured is one custom object.
type Unstructured struct {
	meta.TypeMeta
	meta.ObjectMeta
	// Content holds every top-level field but apiVersion, kind and metadata
	// ("spec", "status", ...); nil when there are none.
	Content map[string]any
}

// List is a list of custom objects.
type List struct {
	meta.TypeMeta `json:",inline"`
	meta.ListMeta `json:"metadata,omitempty"`
	Items         []Unstructured `json:"items"`
}

// MarshalJSON writes apiVersion, kind, metadata, then the other fields in
// key order. Metadata comes right after apiVersion and kind and is encoded
// as every typed object's is, so meta.WithResourceVersion applies.
func (u Unstructured) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	field := func(k string, v any) error {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		vb, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("field %s: %w", k, err)
		}
		buf.Write(vb)
		return nil
	}
	if u.APIVersion != "" {
		if err := field("apiVersion", u.APIVersion); err != nil {
			return nil, err
		}
	}
	if u.Kind != "" {
		if err := field("kind", u.Kind); err != nil {
			return nil, err
		}
	}
	if err := field("metadata", &u.ObjectMeta); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(u.Content))
	for k := range u.Content {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := field(k, u.Content[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads an object; apiVersion and kind must be strings and
// metadata an object (or null), as Kubernetes requires.
func (u *Unstructured) UnmarshalJSON(b []byte) error {
	v, err := DecodeValue(b)
	if err != nil {
		return err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("unstructured: expected a JSON object, got %T", v)
	}
	return u.FromMap(m)
}

// FromMap sets u from a plain JSON object (which it takes over).
func (u *Unstructured) FromMap(m map[string]any) error {
	*u = Unstructured{}
	for _, k := range [...]string{"apiVersion", "kind"} {
		x, ok := m[k]
		if !ok || x == nil {
			delete(m, k)
			continue
		}
		s, ok := x.(string)
		if !ok {
			return fmt.Errorf("unstructured: %s must be a string, got %T", k, x)
		}
		if k == "apiVersion" {
			u.APIVersion = s
		} else {
			u.Kind = s
		}
		delete(m, k)
	}
	if md, ok := m["metadata"]; ok {
		delete(m, "metadata")
		if md != nil {
			if _, ok := md.(map[string]any); !ok {
				return fmt.Errorf("unstructured: metadata must be an object, got %T", md)
			}
			b, err := json.Marshal(md)
			if err != nil {
				return fmt.Errorf("unstructured: metadata: %w", err)
			}
			if err := json.Unmarshal(b, &u.ObjectMeta); err != nil {
				return fmt.Errorf("unstructured: metadata: %w", err)
			}
		}
	}
	if len(m) > 0 {
		u.Content = m
	}
	return nil
}

// ToMap returns the whole object as plain JSON values (a fresh map;
// Content's values are shared, not copied).
func (u *Unstructured) ToMap() (map[string]any, error) {
	out := make(map[string]any, len(u.Content)+3)
	for k, v := range u.Content {
		out[k] = v
	}
	if u.APIVersion != "" {
		out["apiVersion"] = u.APIVersion
	}
	if u.Kind != "" {
		out["kind"] = u.Kind
	}
	b, err := json.Marshal(&u.ObjectMeta)
	if err != nil {
		return nil, fmt.Errorf("unstructured: metadata: %w", err)
	}
	md, err := DecodeValue(b)
	if err != nil {
		return nil, err
	}
	out["metadata"] = md
	return out, nil
}

// DecodeValue decodes one JSON value into plain JSON values, integers as
// int64. Duplicate object keys are an error, as in Kubernetes' strict
// decoding. (It reads tokens through encoding/json's Decoder, so it builds
// with and without GOEXPERIMENT=jsonv2.)
func DecodeValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("decode JSON: data after the top-level value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil, bool, string:
		return t, nil
	case json.Number:
		return number(string(t))
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("duplicate field %q", k)
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				m[k] = v
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return m, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return a, nil
		}
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// number is int64 for an integer literal that fits, else float64.
func number(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, fmt.Errorf("number %s out of range", s)
	}
	return f, nil
}

// DeepCopyValue copies a plain JSON value (maps and slices deeply; scalars
// are immutable).
func DeepCopyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = DeepCopyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = DeepCopyValue(e)
		}
		return out
	}
	return v
}
