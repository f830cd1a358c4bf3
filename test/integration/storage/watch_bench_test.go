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

// BenchmarkCacherWatchedUpdatePod updates pods through a cacher from 64
// writers, as the kubelet's status writes do, until the cache has applied
// every update, and reports the process's CPU per update (etcd serving the
// write and the cache's watch, the cache applying the event).
func BenchmarkCacherWatchedUpdatePod(b *testing.B) {
	const pods = 256
	st := etcd3.New(client, "", "benchwatched"+strconv.Itoa(int(benchRuns.Add(1))), "/registry", newPod, zap.NewNop())
	c, stop := runCacher(b, st, cacher.Config{})
	defer stop()
	ctx := context.Background()
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
	cpu = cpuTime(b) - cpu
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
}
