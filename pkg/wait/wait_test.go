package wait

import (
	"context"
	"testing"
	"time"
)

func TestSleep(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		d    time.Duration
		want bool
	}{
		{"waits d", live, time.Millisecond, true},
		{"no wait", live, 0, true},
		{"negative", live, -time.Second, true},
		{"ended context", done, time.Hour, false},
		{"ended context, no wait", done, 0, false},
	}
	for _, tc := range cases {
		start := time.Now()
		if got := Sleep(tc.ctx, tc.d); got != tc.want {
			t.Errorf("%s: Sleep = %v, want %v", tc.name, got, tc.want)
		}
		if el := time.Since(start); tc.want && el < tc.d {
			t.Errorf("%s: returned after %v, before %v", tc.name, el, tc.d)
		}
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan bool)
	go func() { res <- Sleep(ctx, time.Hour) }()
	cancel()
	select {
	case got := <-res:
		if got {
			t.Fatal("Sleep reported the hour passed")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Sleep did not end with its context")
	}
}
