package meta

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
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
	out := in // shallow; deepen replaces every shared reference
	v := reflect.ValueOf(&out).Elem()
	deepenerFor(v.Type())(v)
	return out
}

// deepener replaces the references v (settable) shares with the value it
// was shallow-copied from by copies of their own.
type deepener func(v reflect.Value)

var (
	// deepeners holds the finished plans (reflect.Type -> deepener): read
	// without locking; a plan is stored only once every plan it calls is
	// complete.
	deepeners sync.Map
	// buildMu serializes building plans: a type's plan and the plans of
	// the types it contains are built together and published at the end, so
	// no goroutine can call a recursive type's forwarding plan before the
	// plan it forwards to exists.
	buildMu sync.Mutex
)

var (
	timeType      = reflect.TypeFor[time.Time]()
	stringsType   = reflect.TypeFor[[]string]()
	stringMapType = reflect.TypeFor[map[string]string]()
)

func deepenerFor(t reflect.Type) deepener {
	if d, ok := deepeners.Load(t); ok {
		return d.(deepener)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	b := planBuilder{pending: map[reflect.Type]deepener{}}
	d := b.get(t)
	for t, d := range b.pending {
		deepeners.Store(t, d)
	}
	return d
}

// planBuilder builds the plans of one type and of the types it contains
// (under buildMu).
type planBuilder struct {
	pending map[reflect.Type]deepener // built, or being built, by this builder
}

func (b *planBuilder) get(t reflect.Type) deepener {
	if d, ok := deepeners.Load(t); ok {
		return d.(deepener)
	}
	if d, ok := b.pending[t]; ok {
		return d
	}
	// Recursive types: a forwarding deepener stands in until the real one
	// is built (it is published only after that).
	var real deepener
	b.pending[t] = func(v reflect.Value) { real(v) }
	real = b.build(t)
	b.pending[t] = real
	return real
}

func noop(reflect.Value) {}

func (b *planBuilder) build(t reflect.Type) deepener {
	if m, ok := t.MethodByName("DeepCopy"); ok && m.Type.NumIn() == 1 && m.Type.NumOut() == 1 && m.Type.Out(0) == t {
		return func(v reflect.Value) { v.Set(v.Method(m.Index).Call(nil)[0]) }
	}
	if !hasReferences(t) {
		return noop
	}
	switch t {
	case stringsType:
		return func(v reflect.Value) {
			if !v.IsNil() {
				v.Set(reflect.ValueOf(slices.Clone(v.Interface().([]string))))
			}
		}
	case stringMapType:
		return func(v reflect.Value) {
			if !v.IsNil() {
				v.Set(reflect.ValueOf(maps.Clone(v.Interface().(map[string]string))))
			}
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := b.get(t.Elem())
		return func(v reflect.Value) {
			if v.IsNil() {
				return
			}
			p := reflect.New(t.Elem())
			p.Elem().Set(v.Elem())
			elem(p.Elem())
			v.Set(p)
		}
	case reflect.Slice:
		elem := b.get(t.Elem())
		refs := hasReferences(t.Elem())
		return func(v reflect.Value) {
			if v.IsNil() {
				return
			}
			n := v.Len()
			s := reflect.MakeSlice(t, n, n)
			reflect.Copy(s, v)
			if refs {
				for i := range n {
					elem(s.Index(i))
				}
			}
			v.Set(s)
		}
	case reflect.Array:
		elem := b.get(t.Elem())
		return func(v reflect.Value) {
			for i := range v.Len() {
				elem(v.Index(i))
			}
		}
	case reflect.Map:
		key, elem := b.get(t.Key()), b.get(t.Elem())
		return func(v reflect.Value) {
			if v.IsNil() {
				return
			}
			m := reflect.MakeMapWithSize(t, v.Len())
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			for it := v.MapRange(); it.Next(); {
				k.SetIterKey(it)
				e.SetIterValue(it)
				key(k)
				elem(e)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Interface:
		return func(v reflect.Value) {
			if v.IsNil() {
				return
			}
			c := v.Elem()
			tmp := reflect.New(c.Type()).Elem()
			tmp.Set(c)
			deepenerFor(c.Type())(tmp)
			v.Set(tmp)
		}
	case reflect.Struct:
		type field struct {
			i int
			d deepener
		}
		var fields []field
		for i := range t.NumField() {
			f := t.Field(i)
			if !hasReferences(f.Type) {
				continue
			}
			if !f.IsExported() {
				panic(fmt.Sprintf("meta.DeepCopy: %s has unexported field %s holding references and no DeepCopy method", t, f.Name))
			}
			fields = append(fields, field{i, b.get(f.Type)})
		}
		return func(v reflect.Value) {
			for _, f := range fields {
				f.d(v.Field(f.i))
			}
		}
	default: // chan, func, unsafe pointer: shared
		return noop
	}
}

var refs sync.Map // reflect.Type -> bool

// hasReferences reports whether a value of t can share memory with another
// (holds a pointer, slice, map, interface, chan or func); strings are
// immutable and count as values, as does time.Time (its *Location is never
// mutated).
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
