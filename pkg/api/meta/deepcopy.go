package meta

import (
	"fmt"
	"reflect"
	"sync"
	"time"
)

// DeepCopy returns a deep copy of an API value: pointers, slices and maps
// are copied, never shared, so the copy may be mutated freely. Objects handed
// out by caches are shared and must not be mutated: copy them first.
//
// It walks the value by reflection with a plan computed once per type (the
// role deepcopy-gen's generated DeepCopy methods play in Kubernetes); it is
// an order of magnitude cheaper than a JSON round trip. nil and empty slices
// and maps stay as they are. T may be an interface (meta.Object): the
// dynamic value is copied. A type with a method `DeepCopy() T` (value
// receiver, e.g. resource.Quantity) is copied by that method; a struct with
// unexported fields is copied by value and then its exported fields deeply,
// so unexported reference fields must be immutable (time.Time) or the type
// must have that method -- DeepCopy panics on one that has neither.
func DeepCopy[T any](in T) T {
	var out T
	v := reflect.ValueOf(&in).Elem()
	copierFor(v.Type())(reflect.ValueOf(&out).Elem(), v)
	return out
}

// copier sets dst (settable, of src's type, zero) to a deep copy of src.
type copier func(dst, src reflect.Value)

var copiers sync.Map // reflect.Type -> copier

var timeType = reflect.TypeFor[time.Time]()

func copierFor(t reflect.Type) copier {
	if c, ok := copiers.Load(t); ok {
		return c.(copier)
	}
	// Recursive types: a forwarding copier stands in until the real one
	// is built.
	var real copier
	fwd := copier(func(dst, src reflect.Value) { real(dst, src) })
	if c, loaded := copiers.LoadOrStore(t, fwd); loaded {
		return c.(copier)
	}
	real = buildCopier(t)
	copiers.Store(t, real)
	return real
}

func setValue(dst, src reflect.Value) { dst.Set(src) }

func buildCopier(t reflect.Type) copier {
	if m, ok := t.MethodByName("DeepCopy"); ok && m.Type.NumIn() == 1 && m.Type.NumOut() == 1 && m.Type.Out(0) == t {
		return func(dst, src reflect.Value) { dst.Set(src.Method(m.Index).Call(nil)[0]) }
	}
	if !hasReferences(t) {
		return setValue
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := copierFor(t.Elem())
		return func(dst, src reflect.Value) {
			if src.IsNil() {
				return
			}
			p := reflect.New(t.Elem())
			elem(p.Elem(), src.Elem())
			dst.Set(p)
		}
	case reflect.Slice:
		if !hasReferences(t.Elem()) {
			return func(dst, src reflect.Value) {
				if src.IsNil() {
					return
				}
				s := reflect.MakeSlice(t, src.Len(), src.Len())
				reflect.Copy(s, src)
				dst.Set(s)
			}
		}
		elem := copierFor(t.Elem())
		return func(dst, src reflect.Value) {
			if src.IsNil() {
				return
			}
			n := src.Len()
			s := reflect.MakeSlice(t, n, n)
			for i := range n {
				elem(s.Index(i), src.Index(i))
			}
			dst.Set(s)
		}
	case reflect.Array:
		elem := copierFor(t.Elem())
		return func(dst, src reflect.Value) {
			for i := range src.Len() {
				elem(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Map:
		key, elem := copierFor(t.Key()), copierFor(t.Elem())
		return func(dst, src reflect.Value) {
			if src.IsNil() {
				return
			}
			m := reflect.MakeMapWithSize(t, src.Len())
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			for it := src.MapRange(); it.Next(); {
				k.SetZero()
				e.SetZero()
				key(k, it.Key())
				elem(e, it.Value())
				m.SetMapIndex(k, e)
			}
			dst.Set(m)
		}
	case reflect.Interface:
		return func(dst, src reflect.Value) {
			if src.IsNil() {
				return
			}
			c := src.Elem()
			v := reflect.New(c.Type()).Elem()
			copierFor(c.Type())(v, c)
			dst.Set(v)
		}
	case reflect.Struct:
		type field struct {
			i int
			c copier
		}
		var fields []field
		for i := range t.NumField() {
			f := t.Field(i)
			if !hasReferences(f.Type) {
				continue
			}
			if !f.IsExported() {
				if t == timeType {
					continue // *Location is never mutated
				}
				panic(fmt.Sprintf("meta.DeepCopy: %s has unexported field %s holding references and no DeepCopy method", t, f.Name))
			}
			fields = append(fields, field{i, copierFor(f.Type)})
		}
		return func(dst, src reflect.Value) {
			dst.Set(src) // scalars and unexported value fields
			for _, f := range fields {
				d := dst.Field(f.i)
				d.SetZero()
				f.c(d, src.Field(f.i))
			}
		}
	default: // chan, func, unsafe pointer: shared
		return setValue
	}
}

var refs sync.Map // reflect.Type -> bool

// hasReferences reports whether a value of t can share memory with another
// (holds a pointer, slice, map, interface, chan or func); strings are
// immutable and count as values.
func hasReferences(t reflect.Type) bool {
	if r, ok := refs.Load(t); ok {
		return r.(bool)
	}
	refs.Store(t, true) // recursive types hold pointers
	r := computeReferences(t)
	refs.Store(t, r)
	return r
}

func computeReferences(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return t.Len() > 0 && hasReferences(t.Elem())
	case reflect.Struct:
		if t == timeType {
			return false
		}
		for i := range t.NumField() {
			if hasReferences(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
