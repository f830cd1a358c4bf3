// Package heap is a priority queue of keyed items that can also update or
// delete an item by key, as the scheduling queue needs.
package heap

import "container/heap"

// Heap orders items by less; each item has a unique key. Not safe for
// concurrent use: the scheduling queue guards it with its own lock.
type Heap[T any] struct {
	data data[T]
}

// New returns an empty heap.
func New[T any](key func(T) string, less func(a, b T) bool) *Heap[T] {
	return &Heap[T]{data: data[T]{index: map[string]int{}, key: key, less: less}}
}

// AddOrUpdate inserts item, or replaces the item with its key and fixes
// its position.
func (h *Heap[T]) AddOrUpdate(item T) {
	k := h.data.key(item)
	if i, ok := h.data.index[k]; ok {
		h.data.items[i] = item
		heap.Fix(&h.data, i)
		return
	}
	heap.Push(&h.data, item)
}

// Delete removes the item with key and reports whether it was there.
func (h *Heap[T]) Delete(key string) bool {
	i, ok := h.data.index[key]
	if !ok {
		return false
	}
	heap.Remove(&h.data, i)
	return true
}

// Get returns the item with key.
func (h *Heap[T]) Get(key string) (T, bool) {
	i, ok := h.data.index[key]
	if !ok {
		var zero T
		return zero, false
	}
	return h.data.items[i], true
}

// Peek returns the first item without removing it.
func (h *Heap[T]) Peek() (T, bool) {
	if len(h.data.items) == 0 {
		var zero T
		return zero, false
	}
	return h.data.items[0], true
}

// Pop removes and returns the first item.
func (h *Heap[T]) Pop() (T, bool) {
	if len(h.data.items) == 0 {
		var zero T
		return zero, false
	}
	return heap.Pop(&h.data).(T), true
}

// Len returns the number of items.
func (h *Heap[T]) Len() int { return len(h.data.items) }

// List returns the items in no particular order.
func (h *Heap[T]) List() []T { return append([]T(nil), h.data.items...) }

// data implements container/heap.Interface and keeps index current.
type data[T any] struct {
	items []T
	index map[string]int
	key   func(T) string
	less  func(a, b T) bool
}

func (d *data[T]) Len() int           { return len(d.items) }
func (d *data[T]) Less(i, j int) bool { return d.less(d.items[i], d.items[j]) }
func (d *data[T]) Swap(i, j int) {
	d.items[i], d.items[j] = d.items[j], d.items[i]
	d.index[d.key(d.items[i])] = i
	d.index[d.key(d.items[j])] = j
}

func (d *data[T]) Push(x any) {
	item := x.(T)
	d.index[d.key(item)] = len(d.items)
	d.items = append(d.items, item)
}

func (d *data[T]) Pop() any {
	n := len(d.items) - 1
	item := d.items[n]
	var zero T
	d.items[n] = zero
	d.items = d.items[:n]
	delete(d.index, d.key(item))
	return item
}
