package cacher

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// event is one change the watch cache saw, shared by every watcher it is
// sent to (its object is encoded at most once).
type event struct {
	typ string // meta.Added, meta.Modified or meta.Deleted
	key string // store key, "/pods/ns/name"
	rev int64
	// cur is the object after the change; for a deletion, its last state
	// with the deletion's resourceVersion (decoded from etcd's prevKV, or,
	// for a live deletion etcd sent without it, set by apply from the
	// state: nil until then).
	cur *storage.CachedObject
	// digest is that of the stored value cur was decoded from (zero for a
	// deletion).
	digest etcd3.Digest
	// own: cur was not decoded from the stored value but is this
	// apiserver's own write (see entry.own).
	own bool
	// prev is the object before the change (nil for ADDED), with its own
	// resourceVersion: predicates are evaluated on it.
	// The reflector decodes it from etcd's prevKV for replayed history;
	// apply takes it from the state for live events.
	prev meta.Object

	// prevAtRev is prev with resourceVersion rev, built on first use: what a
	// watcher whose predicate the object stops matching gets as DELETED.
	prevOnce  sync.Once
	prevAtRev *storage.CachedObject
}

// deletedPrev returns the previous state stamped with the event's revision.
func (e *event) deletedPrev(newObject func() meta.Object) *storage.CachedObject {
	e.prevOnce.Do(func() {
		obj := newObject()
		if b, err := json.Marshal(e.prev); err == nil && json.Unmarshal(b, obj) == nil {
			obj.GetObjectMeta().ResourceVersion = e.cur.Object().GetObjectMeta().ResourceVersion
			e.prevAtRev = storage.NewCachedObject(obj)
			return
		}
		e.prevAtRev = e.cur // cannot happen for objects that decoded from JSON
	})
	return e.prevAtRev
}

// forWatcher returns what a watcher with predicate pred sees of e.
func (e *event) forWatcher(pred func(meta.Object) bool, newObject func() meta.Object) (storage.Event, bool) {
	if pred == nil {
		return storage.Event{Type: e.typ, Object: e.cur.Object(), Cached: e.cur}, true
	}
	var prevOK, curOK bool
	switch e.typ {
	case meta.Added:
		curOK = pred(e.cur.Object())
	case meta.Deleted:
		prevOK = pred(e.cur.Object())
	default:
		prevOK = e.prev != nil && pred(e.prev)
		curOK = pred(e.cur.Object())
	}
	typ, usePrev, send := storage.FilterEvent(e.typ, prevOK, curOK)
	if !send {
		return storage.Event{}, false
	}
	obj := e.cur
	if usePrev && e.typ == meta.Modified {
		obj = e.deletedPrev(newObject)
	}
	return storage.Event{Type: typ, Object: obj.Object(), Cached: obj}, true
}

// watchCache is the in-memory state of one resource and a bounded window of
// its recent events. It does no locking and no I/O: the Cacher guards it
// with its mutex and feeds it from the etcd watch.
type watchCache struct {
	objects map[string]entry // store key -> current object

	window   []*event // ring buffer
	first    int      // index of the oldest event
	size     int      // number of events held
	startRev int64    // every event with revision > startRev is in the window

	rev     int64 // the cache has seen every change up to rev
	listRev int64 // revision of the list objects was loaded from
}

// entry is one object of the state.
type entry struct {
	obj *storage.CachedObject
	// digest is that of the stored value obj was decoded from; zero for an
	// object loaded by the list (the update path then derives it).
	digest etcd3.Digest
	// own: obj is this apiserver's own write, not decoded from the stored
	// value, so a write starting from the entry decodes its private copy
	// from obj's JSON (the stored value plus its resourceVersion, which
	// decodes exactly as the stored value) rather than deep-copying obj.
	// The JSON is kept anyway for watchers: no second copy of the value.
	own bool
}

func newWatchCache(capacity int) *watchCache {
	return &watchCache{objects: map[string]entry{}, window: make([]*event, capacity)}
}

// reset loads the state listed at listRev and empties the window, which
// will be refilled with the history after historyStart (<= listRev).
func (wc *watchCache) reset(objects map[string]entry, listRev, historyStart int64) {
	wc.objects = objects
	clear(wc.window)
	wc.first, wc.size = 0, 0
	wc.startRev, wc.rev, wc.listRev = historyStart, historyStart, listRev
}

// ready reports whether the state is current up to rev (the history
// replayed at start has caught up with the list).
func (wc *watchCache) ready() bool { return wc.rev >= wc.listRev }

// skipHistory drops the window when etcd's history before from is gone.
func (wc *watchCache) skipHistory(from int64) {
	clear(wc.window)
	wc.first, wc.size = 0, 0
	wc.startRev = from - 1
	if wc.rev < from-1 {
		wc.rev = from - 1
	}
}

// advance records that every change up to rev has been seen.
func (wc *watchCache) advance(rev int64) bool {
	if rev <= wc.rev {
		return false
	}
	wc.rev = rev
	return true
}

// apply adds e to the window and, if it is newer than the list, to the
// state. It returns false for a replayed historical event (not live), and
// for a deletion without objects (etcd sent no previous value) of a key the
// state does not hold, which is skipped: no watcher can have seen the key.
func (wc *watchCache) apply(e *event) bool {
	live := e.rev > wc.listRev
	if e.cur == nil && !(live && wc.lastState(e)) {
		wc.advance(e.rev)
		return false
	}
	if e.prev == nil && e.typ == meta.Modified && live {
		if cur, ok := wc.objects[e.key]; ok {
			e.prev = cur.obj.Object()
		}
	}
	wc.push(e)
	wc.advance(e.rev)
	if !live {
		return false
	}
	if e.typ == meta.Deleted {
		delete(wc.objects, e.key)
	} else {
		wc.objects[e.key] = entry{obj: e.cur, digest: e.digest, own: e.own}
	}
	return true
}

// lastState completes a live deletion that came without etcd's previous
// value: the deleted object is the state's, stamped with the deletion's
// revision (what decoding the previous value would have given). It returns
// false if the state does not hold the key.
func (wc *watchCache) lastState(e *event) bool {
	o, ok := wc.objects[e.key]
	if !ok {
		return false
	}
	obj := meta.DeepCopy(o.obj.Object()) // cached objects are shared: never stamp them
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(e.rev, 10)
	e.cur, e.prev = storage.NewCachedObject(obj), o.obj.Object()
	return true
}

func (wc *watchCache) push(e *event) {
	if len(wc.window) == 0 {
		wc.startRev = e.rev
		return
	}
	if wc.size == len(wc.window) {
		wc.startRev = wc.window[wc.first].rev
		wc.window[wc.first] = nil
		wc.first = (wc.first + 1) % len(wc.window)
		wc.size--
	}
	wc.window[(wc.first+wc.size)%len(wc.window)] = e
	wc.size++
}

func (wc *watchCache) at(i int) *event { return wc.window[(wc.first+i)%len(wc.window)] }

// eventsSince returns the events with revision > rev in order; ok is false
// if rev is older than the window.
func (wc *watchCache) eventsSince(rev int64) (events []*event, ok bool) {
	if rev < wc.startRev {
		return nil, false
	}
	i := sort.Search(wc.size, func(i int) bool { return wc.at(i).rev > rev })
	events = make([]*event, 0, wc.size-i)
	for ; i < wc.size; i++ {
		events = append(events, wc.at(i))
	}
	return events, true
}

// list returns the objects under key (a "/"-terminated prefix, or one
// key) that match pred, sorted by key.
func (wc *watchCache) list(key string, pred func(meta.Object) bool) []*storage.CachedObject {
	if !strings.HasSuffix(key, "/") {
		if o, ok := wc.objects[key]; ok && (pred == nil || pred(o.obj.Object())) {
			return []*storage.CachedObject{o.obj}
		}
		return nil
	}
	keys := make([]string, 0, len(wc.objects))
	for k, o := range wc.objects {
		if strings.HasPrefix(k, key) && (pred == nil || pred(o.obj.Object())) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]*storage.CachedObject, len(keys))
	for i, k := range keys {
		out[i] = wc.objects[k].obj
	}
	return out
}

// cached returns the object at key as the starting state of a write, or
// nil.
func (wc *watchCache) cached(key string) *etcd3.Cached {
	o, ok := wc.objects[key]
	if !ok {
		return nil
	}
	c := &etcd3.Cached{Object: o.obj.Object(), Digest: o.digest}
	if o.own {
		if data, err := o.obj.JSON(); err == nil { // precomputed for own writes
			c.Data = data
		}
	}
	return c
}

// count returns the number of objects under prefix.
func (wc *watchCache) count(prefix string) int64 {
	var n int64
	for k := range wc.objects {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}
