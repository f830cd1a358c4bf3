package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// BenchmarkCacherWatchedUpdatePodWithWatcher is
// BenchmarkCacherWatchedUpdatePod with one watcher of the resource that
// takes every event's JSON, as the apiserver's watch handler does for the
// scheduler's, the kubelet's and the bench's watches: the CPU per update
// then includes encoding the event once for the watchers.
func BenchmarkCacherWatchedUpdatePodWithWatcher(b *testing.B) {
	const pods = 256
	st := etcd3.New(client, "", "benchwatcher"+strconv.Itoa(int(benchRuns.Add(1))), "/registry", newPod, zap.NewNop())
	// A buffer for every event: the watcher must not be closed as too slow.
	c, stop := runCacher(b, st, cacher.Config{WatcherBuffer: 1 << 20})
	defer stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	keys := make([]string, pods)
	for i := range keys {
		p := newPod()
		if err := json.Unmarshal([]byte(benchPod), p); err != nil {
			b.Fatal(err)
		}
		p.GetObjectMeta().Name = fmt.Sprintf("web-%03d", i)
		keys[i] = prefix(st) + "ns/" + p.GetObjectMeta().Name
		if _, err := c.Create(ctx, keys[i], p); err != nil {
			b.Fatal(err)
		}
	}
	list, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: "0"})
	if err != nil {
		b.Fatal(err)
	}
	w, err := c.Watch(ctx, prefix(st), storage.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	var seen atomic.Int64
	done := make(chan struct{})
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
	r, err := client.Get(ctx, "/no-such-key")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.List(ctx, prefix(st), storage.ListOptions{ResourceVersion: strconv.FormatInt(r.Header.Revision, 10)}); err != nil {
		b.Fatal(err)
	}
	w.Stop()
	<-done
	cpu = cpuTime(b) - cpu
	b.StopTimer()
	if seen.Load() < int64(b.N) {
		b.Fatalf("the watcher saw %d events of %d", seen.Load(), b.N)
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
}
