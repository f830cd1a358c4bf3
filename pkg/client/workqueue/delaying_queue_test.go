package workqueue

import (
	"testing"
	"time"
)

func TestAddAfterDelaysItem(t *testing.T) {
	q := NewDelaying[string]("")
	defer q.ShutDown()
	start := time.Now()
	q.AddAfter("later", 50*time.Millisecond)
	q.AddAfter("now", 0)
	if k, _ := q.Get(); k != "now" {
		t.Fatalf("first item = %q, want now", k)
	}
	if q.Len() != 0 {
		t.Fatal("delayed item queued early")
	}
	k, _ := q.Get()
	if k != "later" {
		t.Fatalf("item = %q, want later", k)
	}
	if el := time.Since(start); el < 50*time.Millisecond {
		t.Fatalf("delayed item arrived after %v, want >= 50ms", el)
	}
}

func TestAddAfterEarlierDeadlineWins(t *testing.T) {
	q := NewDelaying[string]("")
	defer q.ShutDown()
	q.AddAfter("a", time.Hour)
	q.AddAfter("a", 10*time.Millisecond)
	waitUntil(t, "a to be queued by its earlier deadline", func() bool { return q.Len() == 1 })
	q.AddAfter("b", 10*time.Millisecond)
	q.AddAfter("b", time.Hour) // later deadline must not postpone b
	waitUntil(t, "b to be queued", func() bool { return q.Len() == 2 })
}

func TestDelayedItemsComeOutInDeadlineOrder(t *testing.T) {
	q := NewDelaying[int]("")
	defer q.ShutDown()
	for _, ms := range []int{40, 10, 30, 20} {
		q.AddAfter(ms, time.Duration(ms)*time.Millisecond)
	}
	for _, want := range []int{10, 20, 30, 40} {
		if k, _ := q.Get(); k != want {
			t.Fatalf("got %d, want %d", k, want)
		}
	}
}

func TestDelayingShutDownStopsLoop(t *testing.T) {
	q := NewDelaying[string]("delaying_shutdown_test")
	q.AddAfter("x", time.Hour)
	q.ShutDown()
	q.AddAfter("y", 0)
	if q.Len() != 0 {
		t.Fatal("AddAfter after ShutDown was accepted")
	}
	// goleak in TestMain fails the package if the waiting loop outlived ShutDown.
}
