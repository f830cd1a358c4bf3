package endpointslice

import (
	"strconv"
	"sync"

	"github.com/tinykube/tinykube/pkg/api/discovery"
)

// tracker remembers, per service, the slices this controller wrote and the
// resourceVersion each write returned (or that it deleted them), so that a
// sync does not plan from an informer cache that has not seen them yet:
// with generated names, a stale cache would make it create slices twice.
// Kubernetes' endpointslice controller keeps such a tracker (by
// generation).
type tracker struct {
	mu sync.Mutex
	// Guarded by mu: service key -> slice uid -> resourceVersion written
	// (gone for a deletion).
	expected map[string]map[string]int64
}

const gone = -1

func newTracker() *tracker { return &tracker{expected: map[string]map[string]int64{}} }

func (t *tracker) setLocked(key, uid string, rv int64) {
	if t.expected[key] == nil {
		t.expected[key] = map[string]int64{}
	}
	t.expected[key][uid] = rv
}

// wrote records a slice as the apiserver returned it after a write.
func (t *tracker) wrote(key string, s *discovery.EndpointSlice) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.setLocked(key, s.UID, parseRV(s.ResourceVersion))
}

// deleted records a slice this controller deleted.
func (t *tracker) deleted(key string, s *discovery.EndpointSlice) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.setLocked(key, s.UID, gone)
}

// forget drops what is known of a service.
func (t *tracker) forget(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.expected, key)
}

// sliceGone drops a slice the informer saw deleted: whatever was
// expected of it, the cache can no longer hold an older copy.
func (t *tracker) sliceGone(key, uid string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.expected[key], uid)
}

// stale reports whether cached (the cache's slices of the service) misses
// one of the controller's writes; writes the cache shows are forgotten.
func (t *tracker) stale(key string, cached []*discovery.EndpointSlice) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	exp := t.expected[key]
	if len(exp) == 0 {
		return false
	}
	rvs := make(map[string]int64, len(cached))
	for _, s := range cached {
		rvs[s.UID] = parseRV(s.ResourceVersion)
	}
	for uid, want := range exp {
		got, ok := rvs[uid]
		if (want == gone && !ok) || (want != gone && ok && got >= want) {
			delete(exp, uid)
		}
	}
	if len(exp) == 0 {
		delete(t.expected, key)
		return false
	}
	return true
}

func parseRV(rv string) int64 {
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil {
		return 0
	}
	return n
}
