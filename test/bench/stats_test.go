package bench

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100-i) * ms // reversed: Summarize sorts
	}
	tests := []struct {
		name string
		in   []time.Duration
		want Latency
	}{
		{"empty", nil, Latency{}},
		{"one", []time.Duration{3 * ms}, Latency{Count: 1, P50Ms: 3, P90Ms: 3, P99Ms: 3, MaxMs: 3}},
		{"two", []time.Duration{2 * ms, 1 * ms}, Latency{Count: 2, P50Ms: 1, P90Ms: 2, P99Ms: 2, MaxMs: 2}},
		{"hundred", hundred, Latency{Count: 100, P50Ms: 50, P90Ms: 90, P99Ms: 99, MaxMs: 100}},
		{"sub-millisecond", []time.Duration{1500 * time.Microsecond}, Latency{Count: 1, P50Ms: 1.5, P90Ms: 1.5, P99Ms: 1.5, MaxMs: 1.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Summarize(tc.in); got != tc.want {
				t.Fatalf("Summarize = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestRateAndRatio(t *testing.T) {
	if got := Rate(300, 2*time.Second); got != 150 {
		t.Fatalf("Rate = %v, want 150", got)
	}
	if got := Rate(5, 0); got != 0 {
		t.Fatalf("Rate over zero time = %v, want 0", got)
	}
	tests := []struct {
		running, puts, want float64
	}{
		{1500, 9000, 0.5},
		{100, 9000, 0.033},
		{100, 0, 0},
	}
	for _, tc := range tests {
		if got := Ratio(tc.running, tc.puts); got != tc.want {
			t.Errorf("Ratio(%v, %v) = %v, want %v", tc.running, tc.puts, got, tc.want)
		}
	}
}

func TestBestPutsPerSec(t *testing.T) {
	rs := []EtcdRaw{
		{When: "before", Concurrency: 1, PutsPerSec: 1500},
		{When: "before", Concurrency: 64, PutsPerSec: 1561},
		{When: "after", Concurrency: 64, PutsPerSec: 9000},
	}
	if got := BestPutsPerSec(rs, 64); got != 9000 {
		t.Fatalf("BestPutsPerSec(64) = %v, want 9000", got)
	}
	if got := BestPutsPerSec(rs, 8); got != 0 {
		t.Fatalf("BestPutsPerSec(8) = %v, want 0", got)
	}
}
