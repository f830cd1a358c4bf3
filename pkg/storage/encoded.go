package storage

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// CachedObject is an object together with its JSON encoding, computed at
// most once and shared by every watcher an event fans out to. The watch cache
// sets Event.Cached so the HTTP layer encodes an event's object once per
// event instead of once per watcher. The object must not be mutated.
type CachedObject struct {
	obj  meta.Object
	pre  bool // data was given: JSON returns it without encoding
	once sync.Once
	data []byte
	err  error
}

// NewCachedObject wraps obj; its JSON is computed on the first call to JSON.
func NewCachedObject(obj meta.Object) *CachedObject { return &CachedObject{obj: obj} }

// NewCachedObjectJSON wraps obj with its JSON already known: data must be
// json.Marshal(obj) (as meta.WithResourceVersion gives it from the stored
// value). Neither is modified afterwards.
func NewCachedObjectJSON(obj meta.Object, data []byte) *CachedObject {
	return &CachedObject{obj: obj, pre: true, data: data}
}

// Object returns the wrapped object (shared: do not mutate).
func (c *CachedObject) Object() meta.Object { return c.obj }

// JSON returns json.Marshal(Object()), computed once. The returned slice is
// shared: do not modify it.
func (c *CachedObject) JSON() ([]byte, error) {
	if c.pre {
		return c.data, nil
	}
	c.once.Do(func() {
		c.data, c.err = json.Marshal(c.obj)
		if c.err != nil {
			c.err = fmt.Errorf("encode %T: %w", c.obj, c.err)
		}
	})
	return c.data, c.err
}

// FilterEvent decides what a watcher with a predicate sees for one change,
// as Kubernetes does: typ is the raw change (meta.Added, meta.Modified or
// meta.Deleted), prevMatches and curMatches tell whether the object before
// and after the change passes the predicate (for ADDED there is no before,
// for DELETED no after: pass false). It returns the type to send, whether the
// object to send is the previous state (an object that stops matching is
// sent as DELETED with its previous state), and whether to send at all.
func FilterEvent(typ EventType, prevMatches, curMatches bool) (out EventType, usePrev, send bool) {
	switch typ {
	case meta.Added:
		return meta.Added, false, curMatches
	case meta.Deleted:
		return meta.Deleted, true, prevMatches
	case meta.Modified:
		switch {
		case prevMatches && curMatches:
			return meta.Modified, false, true
		case curMatches:
			return meta.Added, false, true
		case prevMatches:
			return meta.Deleted, true, true
		}
	}
	return "", false, false
}
