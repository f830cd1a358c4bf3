package storage

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
)

// etcdClientOptionSets are the gRPC dial options the etcd client benchmarks
// compare against clientv3's defaults (what the apiserver uses). Measured on
// 2 shared CPUs (Txn: 64 writers; Watch: one watch receiving their puts)
// none of them changed allocs/op (Txn 362±2, Watch 287±1) and their CPU per
// op stayed inside the run-to-run spread (±15%); with grpc 1.83
// WithDisableRetry still buffers each call for transparent retries.
var etcdClientOptionSets = []struct {
	name string
	opts func() []grpc.DialOption
}{
	{"default", func() []grpc.DialOption { return nil }},
	{"shared-write-buffer", func() []grpc.DialOption { return []grpc.DialOption{grpc.WithSharedWriteBuffer(true)} }},
	{"buffers-64k", func() []grpc.DialOption {
		return []grpc.DialOption{grpc.WithReadBufferSize(64 << 10), grpc.WithWriteBufferSize(64 << 10)}
	}},
	{"windows-4m", func() []grpc.DialOption {
		return []grpc.DialOption{grpc.WithInitialWindowSize(4 << 20), grpc.WithInitialConnWindowSize(16 << 20)}
	}},
	{"no-retry", func() []grpc.DialOption { return []grpc.DialOption{grpc.WithDisableRetry()} }},
}

// newBenchClient returns an etcd client of the test member with extra dial
// options; it is closed when the benchmark ends.
func newBenchClient(b *testing.B, opts []grpc.DialOption) *clientv3.Client {
	b.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: client.Endpoints(), DialTimeout: 5 * time.Second, Logger: zap.NewNop(), DialOptions: opts})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkEtcdClientTxn runs conditional puts of 1.5 KB values (the
// store's create and update transactions) from 64 goroutines through an
// etcd client with each option set, and reports the process's CPU per put
// (the embedded member's share is the same for every set).
//
// "in-process-kv" is the client the apiserver uses on its embedded member
// (embedded.Etcd.Client): here the process's CPU per put also includes the
// member's whole share, which the gRPC sets split with their server side
// in the same process, so the sets compare as they are.
func BenchmarkEtcdClientTxn(b *testing.B) {
	for _, set := range etcdClientOptionSets {
		b.Run(set.name, func(b *testing.B) { benchTxn(b, newBenchClient(b, set.opts())) })
	}
	b.Run("in-process-kv", func(b *testing.B) {
		c, err := member.Client(clientv3.Config{DialTimeout: 5 * time.Second, Logger: zap.NewNop()})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		benchTxn(b, c)
	})
}

func benchTxn(b *testing.B, c *clientv3.Client) {
	value := strings.Repeat("x", 1536)
	pfx := "/benchtxn" + strconv.Itoa(int(benchRuns.Add(1))) + "/"
	var next atomic.Int64
	b.SetParallelism(32) // 64 writers on 2 CPUs
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			k := pfx + strconv.Itoa(int(next.Add(1)%256))
			_, err := c.Txn(ctx).
				If(clientv3.Compare(clientv3.ModRevision(k), ">", -1)).
				Then(clientv3.OpPut(k, value)).
				Else(clientv3.OpGet(k)).
				Commit()
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
}

// BenchmarkEtcdClientWatch writes 1.5 KB values from 64 goroutines through
// the shared client while a watch opened through a client with each option
// set receives them, and reports the process's CPU per event received (the
// writes' share is the same for every set).
func BenchmarkEtcdClientWatch(b *testing.B) {
	value := strings.Repeat("x", 1536)
	for _, set := range etcdClientOptionSets {
		b.Run(set.name, func(b *testing.B) {
			c := newBenchClient(b, set.opts())
			pfx := "/benchwatch" + strconv.Itoa(int(benchRuns.Add(1))) + "/"
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			wch := c.Watch(ctx, pfx, clientv3.WithPrefix())
			// The watch is established once a write made after it is seen.
			if _, err := client.Put(ctx, pfx+"start", value); err != nil {
				b.Fatal(err)
			}
			if resp := <-wch; resp.Err() != nil {
				b.Fatal(resp.Err())
			}
			var got sync.WaitGroup
			got.Add(1)
			go func() {
				defer got.Done()
				n := 0
				for resp := range wch {
					if resp.Err() != nil {
						b.Error(resp.Err())
						return
					}
					if n += len(resp.Events); n >= b.N {
						return
					}
				}
			}()
			var next atomic.Int64
			b.SetParallelism(32)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime(b)
			var w sync.WaitGroup
			for range 64 {
				w.Add(1)
				go func() {
					defer w.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						if _, err := client.Put(ctx, pfx+strconv.Itoa(int(i%256)), value); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			w.Wait()
			got.Wait()
			b.StopTimer()
			b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}
