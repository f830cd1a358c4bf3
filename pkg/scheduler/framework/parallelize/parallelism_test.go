package parallelize

import (
	"context"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestUntilCallsEveryIndexOnce(t *testing.T) {
	for _, tc := range []struct{ pieces, workers int }{{0, 4}, {1, 16}, {7, 1}, {100, 16}, {1000, 3}} {
		seen := make([]atomic.Int32, tc.pieces)
		NewParallelizer(tc.workers).Until(context.Background(), tc.pieces, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Fatalf("pieces=%d workers=%d: index %d called %d times", tc.pieces, tc.workers, i, got)
			}
		}
	}
}

func TestUntilStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	NewParallelizer(1).Until(ctx, 1000, func(i int) {
		if calls.Add(1) == 10 {
			cancel()
		}
	})
	if got := calls.Load(); got != 10 {
		t.Fatalf("calls after cancel = %d, want 10", got)
	}
}

func TestChunkSize(t *testing.T) {
	for _, tc := range []struct{ n, p, want int }{{1, 16, 1}, {100, 16, 7}, {1000, 16, 31}, {10, 1, 3}, {16, 16, 2}} {
		if got := chunkSizeFor(tc.n, tc.p); got != tc.want {
			t.Errorf("chunkSizeFor(%d, %d) = %d, want %d", tc.n, tc.p, got, tc.want)
		}
	}
}
