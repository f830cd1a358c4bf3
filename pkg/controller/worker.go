package controller

import (
	"context"
	"sync"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/client/workqueue"
)

// SyncFunc reconciles one key; it is level-triggered (it reads the current
// state from listers) and idempotent. An error retries the key with back-off.
type SyncFunc func(ctx context.Context, key string) error

// RunWorkers runs n workers draining queue into sync until ctx ends; it
// shuts the queue down then and returns when every worker has stopped.
func RunWorkers[T comparable](ctx context.Context, queue workqueue.RateLimitingInterface[T], n int, syncFn func(context.Context, T) error, logger *zap.Logger) {
	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ProcessNextWorkItem(ctx, queue, syncFn, logger) {
			}
		}()
	}
	<-ctx.Done()
	queue.ShutDown()
	wg.Wait()
}

// ProcessNextWorkItem is one turn of the worker loop: Get, sync, then Forget
// on success or AddRateLimited on error, then Done. It returns false once
// the queue is shut down.
func ProcessNextWorkItem[T comparable](ctx context.Context, queue workqueue.RateLimitingInterface[T], sync func(context.Context, T) error, logger *zap.Logger) bool {
	key, shutdown := queue.Get()
	if shutdown {
		return false
	}
	defer queue.Done(key)
	if err := sync(ctx, key); err != nil {
		if ctx.Err() == nil {
			logger.Info("sync failed; will retry", zap.Any("key", key),
				zap.Int("requeues", queue.NumRequeues(key)), zap.Error(err))
			queue.AddRateLimited(key)
		}
		return true
	}
	queue.Forget(key)
	return true
}
