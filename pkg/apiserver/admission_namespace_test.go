package apiserver

import (
	"testing"
	"time"
)

func TestRecentlyDeletedNamespaces(t *testing.T) {
	var n namespaceSet
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if n.has("a", t0) {
		t.Fatal("empty set has a")
	}
	n.add("a", t0)
	if !n.has("a", t0.Add(recentlyDeletedWindow)) || n.has("b", t0) {
		t.Fatal("a must be remembered for the window, b never")
	}
	if n.has("a", t0.Add(recentlyDeletedWindow+time.Second)) {
		t.Fatal("a must be forgotten after the window")
	}
	n.add("b", t0.Add(2*recentlyDeletedWindow)) // prunes the expired a
	if len(n.until) != 1 {
		t.Fatalf("expired entries kept: %v", n.until)
	}
}
