package record

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func testEvent(message string) *core.Event {
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u"}}
	ev := MakeEvent(pod, core.EventTypeWarning, "Failed", message, "kubelet", time.Unix(1000, 0))
	ev.Source.Host, ev.ReportingInstance = "n1", "n1"
	return ev
}

// TestKeys: which fields set events apart for the spam filter (source and
// object and type), aggregation (+ reason, reporting) and identity (+
// field path and message).
func TestKeys(t *testing.T) {
	for _, tc := range []struct {
		name                       string
		change                     func(*core.Event)
		sameSpam, sameAgg, sameKey bool
	}{
		{"identical", func(*core.Event) {}, true, true, true},
		{"timestamps and name", func(ev *core.Event) {
			ev.Name, ev.LastTimestamp = "other", meta.NewTime(time.Unix(2000, 0))
		}, true, true, true},
		{"message", func(ev *core.Event) { ev.Message = "other" }, true, true, false},
		{"field path", func(ev *core.Event) { ev.InvolvedObject.FieldPath = "spec.containers{c}" }, true, true, false},
		{"reason", func(ev *core.Event) { ev.Reason = "Other" }, true, false, false},
		{"reporting instance", func(ev *core.Event) { ev.ReportingInstance = "n2" }, true, false, false},
		{"type", func(ev *core.Event) { ev.Type = core.EventTypeNormal }, false, false, false},
		{"host", func(ev *core.Event) { ev.Source.Host = "n2" }, false, false, false},
		{"component", func(ev *core.Event) { ev.Source.Component = "other" }, false, false, false},
		{"object uid", func(ev *core.Event) { ev.InvolvedObject.UID = "u2" }, false, false, false},
		{"object kind", func(ev *core.Event) { ev.InvolvedObject.Kind = "Node" }, false, false, false},
		// Fields do not run into each other.
		{"shifted fields", func(ev *core.Event) {
			ev.Source.Component, ev.Source.Host = ev.Source.Component+ev.Source.Host, ""
		}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := testEvent("boom"), testEvent("boom")
			tc.change(b)
			ka, kb := keysOf(a), keysOf(b)
			if (ka.spam == kb.spam) != tc.sameSpam || (ka.aggregate == kb.aggregate) != tc.sameAgg || (ka.event == kb.event) != tc.sameKey {
				t.Fatalf("same spam/aggregate/event key: %v %v %v, want %v %v %v",
					ka.spam == kb.spam, ka.aggregate == kb.aggregate, ka.event == kb.event, tc.sameSpam, tc.sameAgg, tc.sameKey)
			}
			if !strings.HasPrefix(ka.event, ka.aggregate) || !strings.HasPrefix(ka.aggregate, ka.spam) || ka.aggregate == ka.event {
				t.Fatalf("keys %q", ka)
			}
		})
	}
}

func TestTokenBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	for _, tc := range []struct {
		name string
		// takes at each offset from t0, in order
		at   []time.Duration
		want string // "+" taken, "-" refused, per take
	}{
		{"burst then refused", repeat(0, SpamBurst+2), strings.Repeat("+", SpamBurst) + "--"},
		{"one token per refill", append(repeat(0, SpamBurst), SpamRefill-time.Second, SpamRefill, SpamRefill),
			strings.Repeat("+", SpamBurst) + "-+-"},
		{"refills up to the burst", append(repeat(0, SpamBurst), repeat(24*time.Hour, SpamBurst+1)...),
			strings.Repeat("+", 2*SpamBurst) + "-"},
		{"partial refill", append(repeat(0, SpamBurst), repeat(3*SpamRefill, 4)...),
			strings.Repeat("+", SpamBurst) + "+++-"},
		{"a clock going back takes nothing back", append(repeat(time.Hour, SpamBurst), 0, time.Hour),
			strings.Repeat("+", SpamBurst) + "--"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newTokenBucket(t0)
			var got strings.Builder
			for _, d := range tc.at {
				if b.take(t0.Add(d)) {
					got.WriteByte('+')
				} else {
					got.WriteByte('-')
				}
			}
			if got.String() != tc.want {
				t.Fatalf("takes %s, want %s", got.String(), tc.want)
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

// step is one event through the correlator and what it must decide.
type step struct {
	after   time.Duration // since the previous step
	message string
	// want: "skip", "create <name>" or "update <name>", where name is the
	// name of the event of an earlier step ("#3") or "agg" for an
	// aggregate's; count and message (when not empty) are the event's.
	want       string
	count      int32
	wantPrefix bool // the message is AggregatePrefix + message
}

func TestCorrelate(t *testing.T) {
	distinct := func(n int, from int) []step {
		var out []step
		for i := range n {
			out = append(out, step{message: fmt.Sprintf("m%d", from+i), want: "create #", count: 1})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"identical events count onto the first", []step{
			{message: "boom", want: "create #0", count: 1},
			{after: time.Hour, message: "boom", want: "update #0", count: 2},
			{message: "boom", want: "update #0", count: 3},
			{message: "other", want: "create #3", count: 1},
			{message: "boom", want: "update #0", count: 4},
		}},
		{"the tenth similar message aggregates", append(distinct(AggregateMaxEvents-1, 0),
			step{message: "m9", want: "create agg", count: 1, wantPrefix: true},
			step{message: "m10", want: "update agg", count: 2, wantPrefix: true},
			// A message still among the remembered ones is its own event.
			step{message: "m5", want: "update #5", count: 2},
			// The oldest was forgotten to make room: it aggregates.
			step{message: "m0", want: "update agg", count: 3, wantPrefix: true},
		)},
		{"similar events more than the interval apart start over", append(distinct(AggregateMaxEvents-1, 0),
			step{after: AggregateInterval + time.Second, message: "m9", want: "create #9", count: 1},
		)},
		{"similar events within the interval of the last aggregate", append(distinct(AggregateMaxEvents-1, 0),
			step{after: AggregateInterval, message: "m9", want: "create agg", count: 1, wantPrefix: true},
			step{after: AggregateInterval, message: "m10", want: "update agg", count: 2, wantPrefix: true},
		)},
		{"the spam filter drops beyond the burst and still counts", append(
			append(repeat2(step{message: "boom", want: "update #0"}, SpamBurst), step{message: "boom", want: "skip"}),
			step{after: SpamRefill, message: "boom", want: "update #0", count: SpamBurst + 2},
		)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCorrelator(MaxCacheEntries)
			now := time.Unix(1000, 0)
			names := map[string]string{}
			for i, s := range tc.steps {
				now = now.Add(s.after)
				ev := testEvent(s.message)
				ev.Name = fmt.Sprintf("p.%d", i)
				got := c.correlate(ev, now)
				want := s.want
				if i == 0 && strings.HasPrefix(want, "update") {
					want = "create #0" // the first of repeats
				}
				if want == "create #" {
					want = fmt.Sprintf("create #%d", i)
				}
				verb, ref, _ := strings.Cut(want, " ")
				switch {
				case verb == "skip":
					if !got.skip {
						t.Fatalf("step %d: %+v, want skipped", i, got)
					}
					continue
				case got.skip || got.update != (verb == "update"):
					t.Fatalf("step %d: skip %v update %v, want %s", i, got.skip, got.update, want)
				}
				if verb == "create" {
					names[ref] = got.event.Name
					if ref != "agg" && got.event != ev {
						t.Fatalf("step %d: created %+v, want the event itself", i, got.event)
					}
				} else if got.event.Name != names[ref] {
					t.Fatalf("step %d: updates %q, want %s (%q)", i, got.event.Name, ref, names[ref])
				}
				wantMsg := s.message
				if s.wantPrefix {
					wantMsg = AggregatePrefix + s.message
				}
				if (s.count != 0 && got.event.Count != s.count) || got.event.Message != wantMsg {
					t.Fatalf("step %d: count %d message %q, want %d %q", i, got.event.Count, got.event.Message, s.count, wantMsg)
				}
				if got.event.FirstTimestamp.IsZero() || got.event.Source.Host != "n1" || got.event.Namespace != "ns" {
					t.Fatalf("step %d: event %+v", i, got.event)
				}
			}
		})
	}
}

func repeat2(s step, n int) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestLRU(t *testing.T) {
	l := newLRU[int](3)
	for i, k := range []string{"a", "b", "c"} {
		l.add(k, i)
	}
	if _, ok := l.get("a"); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	l.add("d", 3) // evicts b, the least recently used
	if _, ok := l.get("b"); ok {
		t.Fatal("b kept")
	}
	l.add("a", 10) // an update, no eviction
	for k, want := range map[string]int{"a": 10, "c": 2, "d": 3} {
		if v, ok := l.get(k); !ok || v != want {
			t.Fatalf("%s = %d %v, want %d", k, v, ok, want)
		}
	}
	if l.len() != 3 {
		t.Fatalf("len %d", l.len())
	}
}

// TestCorrelatorCachesAreBounded: many objects' events leave at most the
// cache size in each cache.
func TestCorrelatorCachesAreBounded(t *testing.T) {
	c := newCorrelator(100)
	now := time.Unix(1000, 0)
	for i := range 1000 {
		ev := testEvent("boom")
		ev.InvolvedObject.UID = fmt.Sprint(i)
		c.correlate(ev, now)
	}
	if c.aggregates.len() != 100 || c.observations.len() != 100 || c.spam.len() != 100 {
		t.Fatalf("cache sizes %d %d %d, want 100 each", c.aggregates.len(), c.observations.len(), c.spam.len())
	}
}
