package heap

import (
	"strconv"
	"testing"
)

type item struct {
	name string
	prio int
}

func newHeap() *Heap[item] {
	return New(func(i item) string { return i.name }, func(a, b item) bool { return a.prio < b.prio })
}

func TestOrderUpdateDelete(t *testing.T) {
	h := newHeap()
	for i, p := range []int{5, 3, 9, 1, 7} {
		h.AddOrUpdate(item{strconv.Itoa(i), p})
	}
	h.AddOrUpdate(item{"2", 0}) // 9 -> 0: now first
	if !h.Delete("3") {         // prio 1
		t.Fatal("delete of a present key failed")
	}
	if h.Delete("nope") {
		t.Fatal("delete of a missing key succeeded")
	}
	if got, _ := h.Get("0"); got.prio != 5 {
		t.Fatalf("Get: %v", got)
	}
	var order []int
	for h.Len() > 0 {
		it, _ := h.Pop()
		order = append(order, it.prio)
	}
	want := []int{0, 3, 5, 7}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	if _, ok := h.Pop(); ok {
		t.Fatal("Pop of an empty heap: ok")
	}
}
