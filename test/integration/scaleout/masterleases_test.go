package scaleout

import (
	"context"
	"fmt"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/apiserver/identity"
)

// TestEtcdMasterLeases: keys live while renewed, come back if deleted
// behind the owner's back, expire after the TTL without renewal, and go at
// once on RemoveLease.
func TestEtcdMasterLeases(t *testing.T) {
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{startEtcd(t)}, DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const ttl = 2 * time.Second
	ml := identity.NewEtcdMasterLeases(cli, ttl)
	a, b := identity.Endpoint{IP: "10.0.0.1", Port: 6443}, identity.Endpoint{IP: "fd00::2", Port: 6443}
	list := func() string {
		eps, err := ml.ListLeases(ctx)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		return fmt.Sprint(eps)
	}
	for _, ep := range []identity.Endpoint{a, b} {
		if err := ml.UpdateLease(ctx, ep); err != nil {
			t.Fatalf("update %s: %v", ep, err)
		}
	}
	if got := list(); got != "[10.0.0.1:6443 [fd00::2]:6443]" {
		t.Fatalf("leases %s", got)
	}
	rev := func() int64 {
		r, err := cli.Get(ctx, "any")
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		return r.Header.Revision
	}
	before := rev()
	if err := ml.UpdateLease(ctx, a); err != nil {
		t.Fatal(err)
	}
	if after := rev(); after != before {
		t.Fatalf("a renewal wrote (revision %d -> %d)", before, after)
	}

	if _, err := cli.Delete(ctx, identity.MasterLeaseKey(a)); err != nil {
		t.Fatal(err)
	}
	if err := ml.UpdateLease(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "[10.0.0.1:6443 [fd00::2]:6443]" {
		t.Fatalf("a deleted key was not restored: %s", got)
	}

	if err := ml.RemoveLease(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := list(); got != "[10.0.0.1:6443]" {
		t.Fatalf("after removing b: %s", got)
	}
	waitFor(t, ttl+10*time.Second, "a's key to expire without renewal", func() (bool, string) {
		got := list()
		return got == "[]", got
	})
	if err := ml.UpdateLease(ctx, a); err != nil { // the etcd lease expired: a new one is granted
		t.Fatalf("update after expiry: %v", err)
	}
	if got := list(); got != "[10.0.0.1:6443]" {
		t.Fatalf("after renewing an expired lease: %s", got)
	}
}
