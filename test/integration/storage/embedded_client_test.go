package storage

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// TestEmbeddedClientKVInProcess checks the client the apiserver uses on its
// embedded member: its reads and writes reach the member without going
// through the member's gRPC server (whose KV call count does not move),
// its watch goes through gRPC and sees those writes at their revisions, and
// closing it leaves no goroutine behind (the package's leak check).
func TestEmbeddedClientKVInProcess(t *testing.T) {
	ctx := context.Background()
	c, err := member.Client(clientv3.Config{DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pfx := "/inprocess" + strconv.Itoa(int(benchRuns.Add(1))) + "/" // fresh keys on every run (-count)
	wch := c.Watch(wctx, pfx, clientv3.WithPrefix(), clientv3.WithCreatedNotify())
	if resp := <-wch; resp.Err() != nil || !resp.Created {
		t.Fatalf("watch not created: %+v", resp)
	}

	before := kvGRPCCalls(t)
	var revs []int64
	for i := range 3 {
		k := pfx + strconv.Itoa(i)
		resp, err := c.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).
			Then(clientv3.OpPut(k, "v"+strconv.Itoa(i))).Else(clientv3.OpGet(k)).Commit()
		if err != nil || !resp.Succeeded {
			t.Fatalf("create %s: %v (succeeded %v)", k, err, resp != nil && resp.Succeeded)
		}
		revs = append(revs, resp.Header.Revision)
	}
	got, err := c.Get(ctx, pfx, clientv3.WithPrefix())
	if err != nil || len(got.Kvs) != 3 || string(got.Kvs[2].Value) != "v2" || got.Kvs[2].ModRevision != revs[2] {
		t.Fatalf("read back: %v %+v", err, got)
	}
	if n := kvGRPCCalls(t); n != before {
		t.Errorf("the in-process client's KV calls went through gRPC: %v -> %v", before, n)
	}

	var seen []int64
	for len(seen) < 3 {
		resp := <-wch
		if resp.Err() != nil {
			t.Fatal(resp.Err())
		}
		for _, ev := range resp.Events {
			seen = append(seen, ev.Kv.ModRevision)
		}
	}
	for i := range revs {
		if seen[i] != revs[i] {
			t.Fatalf("watch saw revisions %v, writes were at %v", seen, revs)
		}
	}

	// The count does move for a gRPC client, so the check above can fail.
	if _, err := client.Get(ctx, pfx+"0"); err != nil {
		t.Fatal(err)
	}
	if n := kvGRPCCalls(t); n != before+1 {
		t.Errorf("a gRPC Get moved the member's KV call count %v -> %v, want +1", before, n)
	}
}

// kvGRPCCalls is the number of KV calls (Range, Put, Txn, ...) the member's
// gRPC server has started, from its /metrics.
func kvGRPCCalls(t *testing.T) float64 {
	t.Helper()
	resp, err := http.Get(member.Endpoints()[0] + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var n float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "grpc_server_started_total{") || !strings.Contains(line, `grpc_service="etcdserverpb.KV"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		n += v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}
