package scheduler

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// BenchmarkBindPods1000Nodes is the end-to-end figure: with 1000 nodes,
// b.N pending pods are created while the scheduler is stopped; the
// scheduler is then started and the time until every pod is bound through
// the apiserver is measured (cache sync, decisions, bindings). Run with
// e.g. -bench BindPods -benchtime 2000x; it reports pods/s.
func BenchmarkBindPods1000Nodes(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	parallel(b, 1000, 16, func(i int) error {
		return e.createNodeErr(nodeSpec{name: fmt.Sprintf("node-%04d", i), cpu: "64", memory: "256Gi"})
	})
	parallel(b, b.N, 16, func(i int) error {
		_, err := e.cs.CoreV1().Pods(ns).Create(ctx, pod(fmt.Sprintf("p-%06d", i), "100m"), meta.CreateOptions{})
		return err
	})
	b.ResetTimer()
	start := time.Now()
	e.startScheduler(core.DefaultSchedulerName, false)
	e.eventually("all pods bound", 10*time.Minute, func() bool {
		list, err := e.cs.CoreV1().Pods(ns).List(ctx, meta.ListOptions{})
		if err != nil {
			return false
		}
		bound := 0
		for _, p := range list.Items {
			if p.Spec.NodeName != "" {
				bound++
			}
		}
		return bound == b.N
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pods/s")
}

// parallel runs fn(0..n-1) on workers goroutines and fails b on an error.
func parallel(b *testing.B, n, workers int, fn func(i int) error) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
}
