package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// cpuTime returns the CPU time (user and system) the process has used: the
// embedded etcd member, the client and the cache together.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// createBenchPods creates n pods (benchPod named web-000...) through c and
// returns their keys and the resourceVersion of the last.
func createBenchPods(b *testing.B, c storage.Interface, st *etcd3.Store, n int) ([]string, int64) {
	keys := make([]string, n)
	var last int64
	for i := range keys {
		p := newPod()
		if err := json.Unmarshal([]byte(benchPod), p); err != nil {
			b.Fatal(err)
		}
		p.GetObjectMeta().Name = fmt.Sprintf("web-%03d", i)
		keys[i] = prefix(st) + "ns/" + p.GetObjectMeta().Name
		out, err := c.Create(context.Background(), keys[i], p)
		if err != nil {
			b.Fatal(err)
		}
		last = rvOf(out)
	}
	return keys, last
}

// BenchmarkCacherWatchedUpdatePod updates pods through a cacher from 64
// writers, as the kubelet's status writes do, until the cache has applied
// every update, and reports the process's CPU per update (etcd serving the
// write and the cache's watch, the cache applying the event).
func BenchmarkCacherWatchedUpdatePod(b *testing.B) { benchWatchedUpdates(b, false) }

// BenchmarkCacherWatchedUpdatePodWithWatcher is the same with one watcher
// of the resource that takes every event's JSON, as the apiserver's watch
// handler does for the scheduler's, the kubelet's and the bench's watches:
// the CPU per update then includes encoding the event once for the
// watchers.
func BenchmarkCacherWatchedUpdatePodWithWatcher(b *testing.B) { benchWatchedUpdates(b, true) }

func benchWatchedUpdates(b *testing.B, withWatcher bool) {
	const pods = 256
	st := etcd3.New(client, "", "benchwatched"+strconv.Itoa(int(benchRuns.Add(1))), "/registry", newPod, zap.NewNop())
	// A buffer for every event: the watcher must not be closed as too slow.
	c, stop := runCacher(b, st, cacher.Config{WatcherBuffer: 1 << 20})
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keys, _ := createBenchPods(b, c, st, pods)
	var seen atomic.Int64
	done := make(chan struct{})
	var w storage.Watcher
	if withWatcher {
		list, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0"})
		if err != nil {
			b.Fatal(err)
		}
		if w, err = c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: list.ResourceVersion}); err != nil {
			b.Fatal(err)
		}
		defer w.Stop()
		go func() {
			defer close(done)
			for ev := range w.ResultChan() {
				if ev.Cached == nil {
					continue
				}
				if _, err := ev.Cached.JSON(); err != nil {
					b.Error(err)
					return
				}
				seen.Add(1)
			}
		}()
	}
	var next atomic.Int64
	b.SetParallelism(32) // 64 writers on 2 CPUs
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := c.GuaranteedUpdate(ctx, keys[next.Add(1)%pods], nil, false, func(cur meta.Object) (meta.Object, error) {
				p := cur.(*core.Pod)
				p.Status.ContainerStatuses[0].RestartCount++
				return p, nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	// A LIST at etcd's current revision waits until the cache has applied
	// every update.
	r, err := client.Get(ctx, "/no-such-key")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: strconv.FormatInt(r.Header.Revision, 10)}); err != nil {
		b.Fatal(err)
	}
	if withWatcher {
		// The cache has dispatched every event; the watcher may still be
		// taking the last ones.
		waitFor(b, 10*time.Second, "the watcher takes every event", func() bool { return seen.Load() >= int64(b.N) })
		w.Stop()
		<-done
	}
	cpu = cpuTime(b) - cpu
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
}
