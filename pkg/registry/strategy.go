package registry

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
)

// NewUID returns a random RFC 4122 version 4 UUID.
func NewUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// nameSuffixAlphabet is the alphabet of generated name suffixes: no vowels
// and no look-alike digits, as Kubernetes.
const nameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// GenerateName returns base plus a random 5-character suffix.
func GenerateName(base string) string {
	const maxBase = 63 - 5
	if len(base) > maxBase {
		base = base[:maxBase]
	}
	var b [5]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = nameSuffixAlphabet[int(b[i])%len(nameSuffixAlphabet)]
	}
	return base + string(b[:])
}

// PrepareForCreate sets what the server owns on a new object: name from
// generateName, uid, creationTimestamp, generation, cleared status,
// resourceVersion emptied, and the kind's own preparation.
func (r *Resource) PrepareForCreate(obj meta.Object, now time.Time) (meta.Object, error) {
	m := obj.GetObjectMeta()
	if m.Name == "" && m.GenerateName != "" {
		m.Name = GenerateName(m.GenerateName)
	}
	m.UID = NewUID()
	m.CreationTimestamp = meta.NewTime(now.UTC().Truncate(time.Second))
	m.ResourceVersion = ""
	m.DeletionTimestamp, m.DeletionGracePeriodSeconds = nil, nil
	m.SelfLink = ""
	if r.TracksGeneration {
		m.Generation = 1
	} else {
		m.Generation = 0
	}
	if r.ResetStatusOnCreate {
		var err error
		if obj, err = r.replaceStatus(obj, reflect.Value{}); err != nil {
			return nil, err
		}
	}
	tm := obj.GetTypeMeta()
	tm.Kind, tm.APIVersion = r.Kind, r.APIVersion()
	if r.PrepareKind != nil {
		r.PrepareKind(obj)
	}
	return obj, nil
}

// PrepareForUpdate merges a client's main-resource update into the current
// object: the status stays as stored (when the kind has a status
// subresource), server-owned metadata is kept, and generation is bumped when
// anything outside metadata and status changed.
func (r *Resource) PrepareForUpdate(obj, old meta.Object) (meta.Object, error) {
	if r.HasSubresource(SubStatus) {
		var err error
		if obj, err = r.replaceStatus(obj, statusOf(old)); err != nil {
			return nil, err
		}
	}
	keepServerMeta(obj.GetObjectMeta(), old.GetObjectMeta())
	tm := obj.GetTypeMeta()
	tm.Kind, tm.APIVersion = r.Kind, r.APIVersion()
	return obj, r.bumpGeneration(obj, old)
}

// PrepareForStatusUpdate returns old with obj's status (and obj's labels and
// annotations): a status update changes nothing else.
func (r *Resource) PrepareForStatusUpdate(obj, old meta.Object) (meta.Object, error) {
	out, err := r.replaceStatus(r.DeepCopy(old), statusOf(obj))
	if err != nil {
		return nil, err
	}
	om, nm := out.GetObjectMeta(), obj.GetObjectMeta()
	om.Labels, om.Annotations = nm.Labels, nm.Annotations
	om.ResourceVersion = nm.ResourceVersion
	return out, nil
}

func keepServerMeta(m, old *meta.ObjectMeta) {
	m.UID = old.UID
	m.CreationTimestamp = old.CreationTimestamp
	m.DeletionTimestamp = old.DeletionTimestamp
	m.DeletionGracePeriodSeconds = old.DeletionGracePeriodSeconds
	m.Generation = old.Generation
	m.Name, m.Namespace, m.GenerateName = old.Name, old.Namespace, old.GenerateName
	m.SelfLink = ""
}

// bumpGeneration increments obj's generation when its spec (everything but
// metadata and status) differs from old's.
func (r *Resource) bumpGeneration(obj, old meta.Object) error {
	if !r.TracksGeneration {
		return nil
	}
	// A custom object without a status subresource bumps its generation on
	// status changes too, as Kubernetes' custom resource strategy does.
	keepStatus := r.Custom != nil && !r.HasSubresource(SubStatus)
	a, err := specBytes(obj, keepStatus)
	if err != nil {
		return err
	}
	b, err := specBytes(old, keepStatus)
	if err != nil {
		return err
	}
	if !bytes.Equal(a, b) {
		obj.GetObjectMeta().Generation = old.GetObjectMeta().Generation + 1
	}
	return nil
}

func toMap(obj any) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	m := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode %T as map: %w", obj, err)
	}
	return m, nil
}

// specBytes is the canonical JSON of obj without metadata, type and (unless
// keepStatus) status.
func specBytes(obj meta.Object, keepStatus bool) ([]byte, error) {
	m, err := toMap(obj)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"metadata", "kind", "apiVersion"} {
		delete(m, k)
	}
	if !keepStatus {
		delete(m, "status")
	}
	return json.Marshal(m) // map keys are sorted: canonical
}

// statusOf returns a deep copy of obj's status (the struct field encoded as
// "status"), or an invalid Value when its kind has no status.
func statusOf(obj meta.Object) reflect.Value {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		if st := CustomStatus(u); st != nil {
			return reflect.ValueOf(meta.DeepCopy(st))
		}
		return reflect.Value{}
	}
	f, ok := statusField(obj)
	if !ok {
		return reflect.Value{}
	}
	return reflect.ValueOf(meta.DeepCopy(f.Interface()))
}

// replaceStatus returns obj with its status replaced by st (invalid: the
// empty status).
func (r *Resource) replaceStatus(obj meta.Object, st reflect.Value) (meta.Object, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		var v any
		if st.IsValid() {
			v = st.Interface()
		}
		setCustomStatus(u, v)
		return obj, nil
	}
	f, ok := statusField(obj)
	if !ok {
		if st.IsValid() {
			return nil, fmt.Errorf("%s %T has no status field", r.Kind, obj)
		}
		return obj, nil
	}
	if !st.IsValid() {
		f.SetZero()
		return obj, nil
	}
	f.Set(st)
	return obj, nil
}

var statusIndexes sync.Map // reflect.Type (struct) -> int (-1: none)

// statusField returns the settable status field of obj, a pointer to a
// struct with a field whose JSON name is "status".
func statusField(obj meta.Object) (reflect.Value, bool) {
	v := reflect.ValueOf(obj)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	v = v.Elem()
	i, ok := statusIndexes.Load(v.Type())
	if !ok {
		i = -1
		for j := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(j).Tag.Get("json"), ",")
			if name == "status" {
				i = j
				break
			}
		}
		statusIndexes.Store(v.Type(), i)
	}
	if i.(int) < 0 {
		return reflect.Value{}, false
	}
	return v.Field(i.(int)), true
}

// ValidateCreate validates a new object: the kind's validation, or the
// generic metadata checks for a kind without one.
func (r *Resource) ValidateCreate(obj meta.Object) field.ErrorList {
	if r.Validate != nil {
		return r.Validate(obj)
	}
	return ValidateObjectMeta(obj.GetObjectMeta(), r.Namespaced)
}

// ValidateUpdateOf validates an update of old to obj (status: a status
// update).
func (r *Resource) ValidateUpdateOf(obj, old meta.Object, status bool) field.ErrorList {
	switch {
	case status && r.ValidateStatusUpdate != nil:
		return r.ValidateStatusUpdate(obj, old)
	case r.ValidateUpdate != nil:
		return r.ValidateUpdate(obj, old)
	}
	return r.ValidateCreate(obj)
}

// ShouldDelete reports whether an object an update left marked for deletion
// may now be removed from storage: no finalizers left and a grace period of
// zero (objects waiting on finalizers are marked with grace 0; a pod in its
// graceful termination is not removed by a status update).
func (r *Resource) ShouldDelete(obj meta.Object) bool {
	m := obj.GetObjectMeta()
	if m.DeletionTimestamp == nil || len(m.Finalizers) > 0 {
		return false
	}
	if g := m.DeletionGracePeriodSeconds; g == nil || *g != 0 {
		return false
	}
	if r.ShouldDeleteDuringUpdate != nil {
		return r.ShouldDeleteDuringUpdate(obj)
	}
	return true
}
