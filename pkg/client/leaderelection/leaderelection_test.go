package leaderelection

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/spf13/pflag"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// gauge reads leader_election_master_status{name}.
func gauge(t *testing.T, name string) float64 {
	t.Helper()
	var m dto.Metric
	if err := masterStatus.WithLabelValues(name).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const (
	testLease   = 800 * time.Millisecond
	testRenew   = 500 * time.Millisecond
	testRetry   = 100 * time.Millisecond
	testLeaseNm = "test-lease"
)

// candidate is one running elector with its bookkeeping.
type candidate struct {
	id      string
	le      *LeaderElector
	cancel  context.CancelFunc
	done    chan bool // Run's result
	leading atomic.Bool
	started atomic.Int32
}

// leaders counts the candidates leading at once, and the most ever seen.
type leaders struct {
	now, max atomic.Int32
}

func (l *leaders) enter() {
	n := l.now.Add(1)
	for {
		m := l.max.Load()
		if n <= m || l.max.CompareAndSwap(m, n) {
			return
		}
	}
}

func startCandidate(t *testing.T, f *fakeLeases, id string, release bool, count *leaders) *candidate {
	t.Helper()
	c := &candidate{id: id, done: make(chan bool, 1)}
	le, err := New(Config{
		Leases: f, Namespace: "kube-system", Name: testLeaseNm, Identity: id,
		LeaseDuration: testLease, RenewDeadline: testRenew, RetryPeriod: testRetry, ReleaseOnCancel: release,
		Callbacks: Callbacks{OnStartedLeading: func(ctx context.Context) {
			c.started.Add(1)
			count.enter()
			c.leading.Store(true)
			<-ctx.Done()
			c.leading.Store(false)
			count.now.Add(-1)
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.le = le
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() { c.done <- le.Run(ctx) }()
	return c
}

func (c *candidate) stop(t *testing.T) bool {
	t.Helper()
	c.cancel()
	select {
	case lost := <-c.done:
		return lost
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: Run did not return", c.id)
		return false
	}
}

func TestTwoCandidatesOneLeaderThenTakeover(t *testing.T) {
	for _, release := range []bool{false, true} {
		t.Run(map[bool]string{false: "lease expires", true: "lease released"}[release], func(t *testing.T) {
			f := newFakeLeases()
			count := &leaders{}
			a := startCandidate(t, f, "a", release, count)
			b := startCandidate(t, f, "b", release, count)
			waitFor(t, "a leader", 2*time.Second, func() bool { return a.leading.Load() || b.leading.Load() })
			first, second := a, b
			if b.leading.Load() {
				first, second = b, a
			}
			// Through several renewals, the standby never leads.
			deadline := time.Now().Add(3 * testLease)
			for time.Now().Before(deadline) {
				if second.leading.Load() || !first.le.IsLeader() && !first.leading.Load() {
					t.Fatal("leadership moved while the leader was healthy")
				}
				time.Sleep(testRetry / 2)
			}
			if got := gauge(t, testLeaseNm); got != 1 {
				t.Fatalf("leader_election_master_status = %v", got)
			}
			stoppedAt := time.Now()
			if lost := first.stop(t); lost {
				t.Fatal("a cancelled Run reported a lost lease")
			}
			// A standby judges expiry from when it saw the last renewal, up to
			// one jittered retry period after it, and then retries at that pace.
			// The upper bound is loose (a busy machine delays goroutines); the
			// lower bound is the property: nobody takes an unexpired lease.
			slack := 3*time.Duration(JitterFactor*float64(testRetry)) + testLease
			least, most := testLease-2*testRetry, testLease+slack
			if release {
				least, most = 0, slack
			}
			waitFor(t, "takeover", 3*time.Second, func() bool { return second.leading.Load() })
			if took := time.Since(stoppedAt); took > most || took < least {
				t.Fatalf("takeover took %v, want between %v and %v", took, least, most)
			}
			if count.max.Load() != 1 {
				t.Fatalf("%d candidates led at once", count.max.Load())
			}
			if r := f.record(testLeaseNm); r.Holder != second.id || r.LeaseTransitions != 1 {
				t.Fatalf("lease record after takeover %+v", r)
			}
			if second.le.Leader() != second.id {
				t.Fatalf("Leader() = %q", second.le.Leader())
			}
			second.stop(t)
		})
	}
}

func TestLeaderStopsWhenRenewalsFail(t *testing.T) {
	f := newFakeLeases()
	count := &leaders{}
	a := startCandidate(t, f, "a", true, count)
	waitFor(t, "a leads", 2*time.Second, func() bool { return a.leading.Load() })
	f.setFail("a", true)
	failedAt := time.Now()
	select {
	case lost := <-a.done:
		if !lost {
			t.Fatal("Run did not report the lost lease")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("leader kept running without renewals")
	}
	if took := time.Since(failedAt); took > 3*testRenew+2*testRetry {
		t.Fatalf("gave up after %v, renew deadline is %v", took, testRenew)
	}
	if a.leading.Load() {
		t.Fatal("the leading work was not stopped")
	}
	if got := gauge(t, testLeaseNm); got != 0 {
		t.Fatalf("leader_election_master_status = %v after losing", got)
	}
}

func TestOnNewLeader(t *testing.T) {
	f := newFakeLeases()
	var mu sync.Mutex
	var seen []string
	count := &leaders{}
	a := startCandidate(t, f, "a", true, count)
	waitFor(t, "a leads", 2*time.Second, func() bool { return a.leading.Load() })
	le, err := New(Config{Leases: f, Namespace: "kube-system", Name: testLeaseNm, Identity: "b",
		LeaseDuration: testLease, RenewDeadline: testRenew, RetryPeriod: testRetry,
		Callbacks: Callbacks{
			OnStartedLeading: func(ctx context.Context) { <-ctx.Done() },
			OnNewLeader: func(id string) {
				mu.Lock()
				seen = append(seen, id)
				mu.Unlock()
			},
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); le.Run(ctx) }()
	waitFor(t, "b sees a", 2*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 1 && seen[0] == "a" })
	a.stop(t)
	waitFor(t, "b sees itself", 2*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 2 && seen[1] == "b" })
	cancel()
	<-done
}

func TestValidate(t *testing.T) {
	f := newFakeLeases()
	ok := Config{Leases: f, Namespace: "n", Name: "l", Identity: "i", LeaseDuration: 15 * time.Second,
		RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second, Callbacks: Callbacks{OnStartedLeading: func(context.Context) {}}}
	cases := []struct {
		name  string
		edit  func(*Config)
		valid bool
	}{
		{"defaults", func(*Config) {}, true},
		{"renew deadline not above jittered retry", func(c *Config) { c.RenewDeadline = 2 * time.Second }, false},
		{"lease not above renew deadline", func(c *Config) { c.LeaseDuration = 10 * time.Second }, false},
		{"no retry period", func(c *Config) { c.RetryPeriod = 0 }, false},
		{"no identity", func(c *Config) { c.Identity = "" }, false},
		{"no callback", func(c *Config) { c.Callbacks.OnStartedLeading = nil }, false},
	}
	for _, c := range cases {
		cfg := ok
		c.edit(&cfg)
		if err := cfg.Validate(); (err == nil) != c.valid {
			t.Errorf("%s: Validate = %v", c.name, err)
		}
	}
}

func TestOptionsFlagsAndRun(t *testing.T) {
	o := NewOptions("kube-scheduler")
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	o.AddFlags(fs)
	err := fs.Parse([]string{"--leader-elect-lease-duration=800ms", "--leader-elect-renew-deadline=500ms",
		"--leader-elect-retry-period=100ms", "--leader-elect-resource-namespace=sys", "--leader-elect-resource-name=sched"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.LeaderElect || o.LeaseDuration != 800*time.Millisecond || o.ResourceNamespace != "sys" || o.ResourceName != "sched" {
		t.Fatalf("options %+v", o)
	}
	f := newFakeLeases()
	// Leading work that fails ends the run with its error and frees the lease.
	boom := errors.New("boom")
	if err := o.Run(context.Background(), f, nil, func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Run = %v", err)
	}
	if r := f.record("sched"); r.Holder != "" {
		t.Fatalf("lease not released: %+v", r)
	}
	// Losing the lease ends the run with ErrLeaseLost.
	err = o.Run(context.Background(), f, nil, func(ctx context.Context) error {
		id := f.record("sched").Holder
		f.setFail(id, true)
		<-ctx.Done()
		return nil
	})
	if !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("Run after losing the lease = %v", err)
	}
	o.LeaderElect = false
	ran := false
	if err := o.Run(context.Background(), nil, nil, func(context.Context) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("without election: %v %v", err, ran)
	}
	id, err := NewIdentity()
	if err != nil || len(id) < 18 {
		t.Fatalf("identity %q %v", id, err)
	}
}
