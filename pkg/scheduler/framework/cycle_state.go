package framework

import (
	"fmt"
	"sync"
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

// CycleState is the state of one scheduling cycle, shared by the plugins
// of that cycle and dropped after it. Writes normally happen in PreFilter
// and PreScore; Read is safe from the parallel Filter and Score calls.
type CycleState struct {
	mu      sync.RWMutex
	storage map[StateKey]StateData
	// SkipFilterPlugins and SkipScorePlugins name plugins whose PreFilter /
	// PreScore returned Skip; set by the framework before the parallel phase.
	SkipFilterPlugins map[string]bool
	SkipScorePlugins  map[string]bool
}

// NewCycleState returns an empty state.
func NewCycleState() *CycleState {
	return &CycleState{storage: map[StateKey]StateData{}}
}

// Read returns the data under key, or ErrNotFound.
func (c *CycleState) Read(key StateKey) (StateData, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if v, ok := c.storage[key]; ok {
		return v, nil
	}
	return nil, fmt.Errorf("cycle state %q: %w", key, ErrNotFound)
}

// Write stores data under key.
func (c *CycleState) Write(key StateKey, data StateData) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.storage[key] = data
}

// Clone returns a deep copy (each StateData cloned).
func (c *CycleState) Clone() *CycleState {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := NewCycleState()
	for k, v := range c.storage {
		out.storage[k] = v.Clone()
	}
	out.SkipFilterPlugins = c.SkipFilterPlugins
	out.SkipScorePlugins = c.SkipScorePlugins
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
