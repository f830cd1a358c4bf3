// Package wait holds the context-aware waiting the daemons share.
package wait

import (
	"context"
	"time"
)

// Sleep waits d or until ctx ends, and reports whether d passed with ctx
// still live: false means the caller should stop. A d <= 0 does not wait.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
