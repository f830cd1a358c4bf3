package kubelet

import (
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// BenchmarkParallelPodStatusWrites is bench pods through the pod workers
// from 64 goroutines at once, as the bench's load brings them: each added
// (started, its status written by the syncer) and its echo synced. It
// reports the process's CPU per pod.
func BenchmarkParallelPodStatusWrites(b *testing.B) {
	k, api, ctx := benchKubelet(b)
	var waiters sync.Map // uid -> chan struct{}
	k.setWorkers(newPodWorkers(ctx, k))
	k.workers.synced = func(uid string) {
		if ch, ok := waiters.Load(uid); ok {
			ch.(chan struct{}) <- struct{}{}
		}
	}
	var next atomic.Int64
	var mu sync.Mutex
	var pods []*core.Pod
	b.SetParallelism(32) // 64 on 2 CPUs
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			pod := benchBoundPod(int(next.Add(1)))
			ch := make(chan struct{}, 1)
			waiters.Store(string(pod.UID), ch)
			k.podChanged(pod)
			<-ch
			w := k.workers.get(string(pod.UID))
			k.podChanged(echo(pod, w.lastStatus))
			<-ch
			mu.Lock()
			pods = append(pods, pod)
			mu.Unlock()
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(processCPU(b)-cpu)/float64(b.N), "cpu-ns/op")
	if n := api.puts.Load(); n != int64(len(pods)) {
		b.Fatalf("%d status writes for %d pods", n, len(pods))
	}
	for _, pod := range pods {
		ch, _ := waiters.Load(string(pod.UID))
		k.workers.remove(pod)
		<-ch.(chan struct{})
	}
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
