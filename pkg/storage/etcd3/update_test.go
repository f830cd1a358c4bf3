package etcd3

import (
	"context"
	"strings"
	"testing"
)

func TestDigest(t *testing.T) {
	a, b := DigestOf([]byte(`{"size":1}`)), DigestOf([]byte(`{"size":2}`))
	if !a.Known() || a == b || a != DigestOf([]byte(`{"size":1}`)) {
		t.Fatalf("digests %v %v", a, b)
	}
	if (Digest{}).Known() {
		t.Fatal("zero digest known")
	}
}

// A cached state hands out a private copy and, when its digest is unknown,
// derives it from the object's encoding; it needs no etcd (the store has no
// client here).
func TestCachedStateIsCopied(t *testing.T) {
	s := newTestStore()
	shared := &widget{Size: 3}
	shared.Name, shared.ResourceVersion = "a", "7"
	st, err := s.startState(context.Background(), "/widgets/a", &Cached{Object: shared})
	if err != nil || st.current || st.rev != 7 {
		t.Fatalf("state %+v, %v", st, err)
	}
	obj, err := s.private(st)
	if err != nil {
		t.Fatal(err)
	}
	w := obj.(*widget)
	if w == shared || w.Size != 3 || w.ResourceVersion != "7" {
		t.Fatalf("private copy %+v", w)
	}
	w.Size = 4
	if shared.Size != 3 || shared.ResourceVersion != "7" {
		t.Fatalf("shared object changed: %+v", shared)
	}
	stored, err := encode(&widget{ObjectMeta: shared.ObjectMeta, Size: 3})
	if err != nil {
		t.Fatal(err)
	}
	changed, err := encode(w)
	if err != nil {
		t.Fatal(err)
	}
	if !st.sameValue(stored) || st.sameValue(changed) {
		t.Fatalf("digest %v does not identify the stored value %s", st.digest, stored)
	}
}

// digestBench is a stored value of a pod's size (about 2 KiB).
var digestBench = []byte(strings.Repeat(`{"name":"web","image":"nginx:1.27","ready":true},`, 40))

// BenchmarkDigestOf is what the watch cache pays per event to let an update
// tell a no-op without keeping the stored bytes (the alternative,
// Kubernetes', is encoding the cached object on every update).
func BenchmarkDigestOf(b *testing.B) {
	b.SetBytes(int64(len(digestBench)))
	for b.Loop() {
		DigestOf(digestBench)
	}
}
