package kubelet

import (
	"testing"
	"time"
)

func TestBackoffSequence(t *testing.T) {
	b := NewBackoff(0, 0, 0)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const k = "uid/c"
	if in, _ := b.InBackoff(k, t0, t0); in {
		t.Fatal("first restart must be immediate")
	}
	now := t0
	for _, want := range []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 5 * time.Minute, 5 * time.Minute} {
		b.Next(k, now)
		finished := now.Add(time.Second) // it crashed a second after start
		if in, d := b.InBackoff(k, finished, finished.Add(want-time.Millisecond)); !in || d != want {
			t.Fatalf("at %v: in=%v delay=%v, want %v", now.Sub(t0), in, d, want)
		}
		if in, _ := b.InBackoff(k, finished, finished.Add(want)); in {
			t.Fatalf("still in back-off after %v", want)
		}
		now = finished.Add(want)
	}
	// A container that ran past Reset starts over.
	b.Next(k, now)
	finished := now.Add(11 * time.Minute)
	if in, _ := b.InBackoff(k, finished, finished); in {
		t.Fatal("a long run must reset the back-off")
	}
	b.Next(k, finished)
	if in, d := b.InBackoff(k, finished.Add(time.Second), finished.Add(2*time.Second)); !in || d != 10*time.Second {
		t.Fatalf("after reset: in=%v delay=%v", in, d)
	}
	b.ForgetPod("uid")
	if in, _ := b.InBackoff(k, finished.Add(time.Second), finished.Add(2*time.Second)); in {
		t.Fatal("forgotten pod still backs off")
	}
}
