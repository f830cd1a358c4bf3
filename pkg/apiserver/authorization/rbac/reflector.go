package rbac

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// Source is the storage of one RBAC resource and its key prefix.
type Source struct {
	Storage storage.Interface
	Prefix  string
}

// Run keeps the cache in step with the storages (resource name -> source,
// for the four names of Resources): per resource, LIST then WATCH from the
// list's resourceVersion, and LIST again whenever the watch ends. It blocks
// until ctx ends; every goroutine it starts ends with it.
func (c *PolicyCache) Run(ctx context.Context, sources map[string]Source, log *zap.Logger) error {
	for _, r := range Resources {
		if sources[r].Storage == nil {
			return fmt.Errorf("rbac cache: no storage for %s", r)
		}
	}
	if log == nil {
		log = zap.NewNop()
	}
	done := make(chan struct{}, len(Resources))
	for _, r := range Resources {
		go func(r string) {
			defer func() { done <- struct{}{} }()
			c.reflect(ctx, r, sources[r], log.With(zap.String("resource", r)))
		}(r)
	}
	for range Resources {
		<-done
	}
	return nil
}

// reflect runs list-then-watch for one resource until ctx ends, backing off
// from 100ms to 5s between failed attempts.
func (c *PolicyCache) reflect(ctx context.Context, resource string, src Source, log *zap.Logger) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := c.listAndWatch(ctx, resource, src)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			log.Warn("rbac cache: list and watch failed", zap.Error(err), zap.Duration("retryIn", backoff))
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
	}
}

// listAndWatch returns nil when the watch ended normally (relist at once).
func (c *PolicyCache) listAndWatch(ctx context.Context, resource string, src Source) error {
	list, err := src.Storage.List(ctx, src.Prefix, storage.ListOptions{})
	if err != nil {
		return fmt.Errorf("list %s: %w", resource, err)
	}
	c.Replace(resource, list.Items)
	w, err := src.Storage.Watch(ctx, src.Prefix, storage.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		return fmt.Errorf("watch %s: %w", resource, err)
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil
			}
			switch ev.Type {
			case meta.Added, meta.Modified:
				c.Set(ev.Object)
			case meta.Deleted:
				c.Delete(ev.Object)
			case meta.Error:
				msg := "watch error"
				if ev.Status != nil {
					msg = ev.Status.Message
				}
				return fmt.Errorf("watch %s: %s", resource, msg)
			}
		}
	}
}
