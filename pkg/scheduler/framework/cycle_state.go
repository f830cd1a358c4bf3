package framework

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// StateKey names a piece of per-cycle state; plugins use their own name.
type StateKey string

// StateData is what a plugin stores in the CycleState.
type StateData interface {
	// Clone returns a copy that can be changed without affecting the
	// original (immutable data may return itself).
	Clone() StateData
}

// ErrNotFound is returned by Read for a key nobody wrote.
var ErrNotFound = fmt.Errorf("not found")

type stateEntry struct {
	key  StateKey
	data StateData
}

// CycleState is the state of one scheduling cycle, shared by the plugins
// of that cycle and dropped after it. Writes normally happen in PreFilter
// and PreScore; Read is safe from the parallel Filter and Score calls.
//
// Filter and Score read the state once per node and plugin, so reads take
// no lock: the entries (a handful, one or two per plugin) are an immutable
// slice that Write replaces (copy on write, writers serialized by mu).
type CycleState struct {
	mu      sync.Mutex
	entries atomic.Pointer[[]stateEntry]
	// SkipFilterPlugins and SkipScorePlugins name plugins whose PreFilter /
	// PreScore returned Skip; set by the framework before the parallel phase.
	SkipFilterPlugins map[string]bool
	SkipScorePlugins  map[string]bool
	// FilterPlugins and ScorePlugins, when not nil, are the profile's Filter
	// and Score plugins less the skipped ones, in order: set by the
	// framework with the Skip maps so the per-node calls need no lookups.
	FilterPlugins []FilterPlugin
	ScorePlugins  []ScorePlugin
}

// NewCycleState returns an empty state.
func NewCycleState() *CycleState {
	return &CycleState{}
}

func (c *CycleState) load() []stateEntry {
	if p := c.entries.Load(); p != nil {
		return *p
	}
	return nil
}

// Read returns the data under key, or ErrNotFound.
func (c *CycleState) Read(key StateKey) (StateData, error) {
	if v, ok := c.get(key); ok {
		return v, nil
	}
	return nil, fmt.Errorf("cycle state %q: %w", key, ErrNotFound)
}

func (c *CycleState) get(key StateKey) (StateData, bool) {
	for _, e := range c.load() {
		if e.key == key {
			return e.data, true
		}
	}
	return nil, false
}

// Write stores data under key.
func (c *CycleState) Write(key StateKey, data StateData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.load()
	entries := make([]stateEntry, len(old), len(old)+1)
	copy(entries, old)
	for i := range entries {
		if entries[i].key == key {
			entries[i].data = data
			c.entries.Store(&entries)
			return
		}
	}
	entries = append(entries, stateEntry{key: key, data: data})
	c.entries.Store(&entries)
}

// Clone returns a deep copy (each StateData cloned).
func (c *CycleState) Clone() *CycleState {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := NewCycleState()
	old := c.load()
	entries := make([]stateEntry, len(old))
	for i, e := range old {
		entries[i] = stateEntry{key: e.key, data: e.data.Clone()}
	}
	out.entries.Store(&entries)
	out.SkipFilterPlugins = c.SkipFilterPlugins
	out.SkipScorePlugins = c.SkipScorePlugins
	out.FilterPlugins = c.FilterPlugins
	out.ScorePlugins = c.ScorePlugins
	return out
}

// ReadState reads key and asserts its type T.
func ReadState[T StateData](c *CycleState, key StateKey) (T, error) {
	var zero T
	v, err := c.Read(key)
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("cycle state %q holds %T, want %T", key, v, zero)
	}
	return t, nil
}
