package storage

import (
	"context"
	"strconv"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

type writtenKey struct{}

// Written receives from a store the JSON of the object a write stored, so
// that the HTTP layer can answer with it instead of encoding the object
// again. A request that wants it puts one on its context with WithWritten;
// every successful create or update through an etcd3.Store (or a Cacher
// over one) on that context overwrites it. It is used by one goroutine at a
// time (the request's).
type Written struct {
	obj      meta.Object
	typeMeta meta.TypeMeta
	rv       string
	json     []byte
}

// WithWritten returns ctx carrying a new, empty Written.
func WithWritten(ctx context.Context) (context.Context, *Written) {
	w := &Written{}
	return context.WithValue(ctx, writtenKey{}, w), w
}

// WrittenFrom returns the Written ctx carries, or nil.
func WrittenFrom(ctx context.Context) *Written {
	w, _ := ctx.Value(writtenKey{}).(*Written)
	return w
}

// Set records that obj (with resourceVersion rev) was written and that
// data is json.Marshal(obj) (the stored value with the resourceVersion
// inserted). data is shared: it is never modified.
func (w *Written) Set(obj meta.Object, rev int64, data []byte) {
	w.obj, w.typeMeta, w.rv, w.json = obj, *obj.GetTypeMeta(), strconv.FormatInt(rev, 10), data
}

// JSON returns json.Marshal(obj) if obj is the object last written and
// still has the kind, apiVersion and resourceVersion it was written with
// (the caller answers for not having changed anything else). The slice is
// shared: do not modify it.
func (w *Written) JSON(obj meta.Object) ([]byte, bool) {
	if w == nil || w.obj == nil || w.obj != obj || *obj.GetTypeMeta() != w.typeMeta ||
		obj.GetObjectMeta().ResourceVersion != w.rv {
		return nil, false
	}
	return w.json, true
}
