package cache

import (
	"context"
	"time"
)

// InformerSynced reports whether an informer (or a handler registration) has synced.
type InformerSynced func() bool

// WaitForCacheSync polls until every synced function is true (true) or ctx
// ends (false). Controllers call it before starting workers.
func WaitForCacheSync(ctx context.Context, synced ...InformerSynced) bool {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		all := true
		for _, s := range synced {
			if !s() {
				all = false
				break
			}
		}
		if all {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}
