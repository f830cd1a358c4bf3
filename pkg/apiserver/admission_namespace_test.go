package apiserver

import (
	"testing"
	"time"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/registry"
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

// TestAdmitDeleteRemembersOnlyAllowedDeletes: a refused delete of a system
// namespace must not send that namespace's admission checks to etcd.
func TestAdmitDeleteRemembersOnlyAllowedDeletes(t *testing.T) {
	nsRes, ok := registry.Default().Lookup("", "v1", "namespaces")
	if !ok {
		t.Fatal("no namespaces resource")
	}
	s := &Server{now: time.Now}
	if err := s.admitDelete(&request{res: nsRes, ri: &RequestInfo{Resource: "namespaces", Name: "default"}}); !apierrors.IsForbidden(err) {
		t.Fatalf("delete default: %v, want Forbidden", err)
	}
	if s.recentlyDeleted.has("default", time.Now()) {
		t.Fatal("a refused delete marked default as recently deleted")
	}
	if err := s.admitDelete(&request{res: nsRes, ri: &RequestInfo{Resource: "namespaces", Name: "team"}}); err != nil {
		t.Fatalf("delete team: %v", err)
	}
	if !s.recentlyDeleted.has("team", time.Now()) {
		t.Fatal("an allowed delete must be remembered")
	}
}
