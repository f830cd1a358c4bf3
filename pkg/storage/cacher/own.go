package cacher

import (
	"sync"

	"github.com/tinykube/tinykube/pkg/storage"
)

// ownWritesMax bounds the own-write table: the writes of this apiserver
// whose watch events have not come yet.
const ownWritesMax = 1024

// ownWrite is an object this apiserver wrote through the cacher, kept until
// the etcd watch delivers the write so the cache need not decode it.
type ownWrite struct {
	key  string                // store key
	data []byte                // the stored value
	obj  *storage.CachedObject // a private copy of the written object, with its JSON
}

// ownWrites maps the revision of each own write to what was written. A key
// at a revision has exactly one value, so the event of that revision (its
// key and value checked) is the object written. Entries whose event never
// comes (the watch was re-listed) are dropped by reset; the table is
// bounded, and an entry the watch has passed is never added.
type ownWrites struct {
	mu   sync.Mutex
	seen int64 // the watch has delivered every revision up to seen
	m    map[int64]ownWrite
}

// wants reports whether a write at rev may still be added: the watch has
// not delivered it yet and the table has room (checked again by add).
func (o *ownWrites) wants(rev int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return rev > o.seen && (len(o.m) < ownWritesMax || o.pruneLocked())
}

// add records the write at rev unless the watch has delivered it meanwhile
// or the table is full.
func (o *ownWrites) add(rev int64, w ownWrite) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if rev <= o.seen || (len(o.m) >= ownWritesMax && !o.pruneLocked()) {
		return
	}
	if o.m == nil {
		o.m = make(map[int64]ownWrite)
	}
	o.m[rev] = w
}

// pruneLocked drops the entries the watch has passed and reports whether
// there is room.
func (o *ownWrites) pruneLocked() bool {
	for rev := range o.m {
		if rev <= o.seen {
			delete(o.m, rev)
		}
	}
	return len(o.m) < ownWritesMax
}

// take removes and returns the entries for the revisions of a batch of
// watch events (revs ascending), one per event (nil for none), and records
// that the watch has delivered up to the last. It returns nil when the
// batch has no own write.
func (o *ownWrites) take(n int, rev func(i int) int64) []*ownWrite {
	if n == 0 {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*ownWrite
	if len(o.m) > 0 {
		for i := range n {
			r := rev(i)
			if w, ok := o.m[r]; ok {
				delete(o.m, r)
				if out == nil {
					out = make([]*ownWrite, n)
				}
				out[i] = &w
			}
		}
	}
	o.seen = max(o.seen, rev(n-1))
	return out
}

// reset empties the table for a cache loaded at listRev.
func (o *ownWrites) reset(listRev int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.m)
	o.seen = max(o.seen, listRev)
}

// size returns the number of entries (for tests).
func (o *ownWrites) size() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.m)
}
