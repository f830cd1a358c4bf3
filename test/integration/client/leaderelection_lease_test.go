package client

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/leaderelection"
	"github.com/tinykube/tinykube/test/integration/framework"
)

const (
	itLeaseDuration = 1500 * time.Millisecond
	itRenewDeadline = 1000 * time.Millisecond
	itRetryPeriod   = 200 * time.Millisecond
)

// itCandidate is one elector running against the apiserver.
type itCandidate struct {
	id      string
	le      *leaderelection.LeaderElector
	leading atomic.Bool
	cancel  context.CancelFunc
	done    chan struct{}
}

func startItCandidate(t *testing.T, cs *clientset.Clientset, id string, leaders *atomic.Int32, maxLeaders *atomic.Int32) *itCandidate {
	t.Helper()
	c := &itCandidate{id: id, done: make(chan struct{})}
	le, err := leaderelection.New(leaderelection.Config{
		Leases: cs.CoordinationV1().Leases("kube-system"), Namespace: "kube-system", Name: "it-lock", Identity: id,
		LeaseDuration: itLeaseDuration, RenewDeadline: itRenewDeadline, RetryPeriod: itRetryPeriod,
		Callbacks: leaderelection.Callbacks{OnStartedLeading: func(ctx context.Context) {
			if n := leaders.Add(1); n > maxLeaders.Load() {
				maxLeaders.Store(n)
			}
			c.leading.Store(true)
			<-ctx.Done()
			c.leading.Store(false)
			leaders.Add(-1)
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.le = le
	ctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() { defer close(c.done); le.Run(ctx) }()
	t.Cleanup(c.stop)
	return c
}

func (c *itCandidate) stop() {
	c.cancel()
	<-c.done
}

// TestLeaderElectionTwoCandidatesOneLease: exactly one of two candidates
// leads; when it stops (without releasing) the other takes over once the
// lease has expired, within the lease duration plus a few retry periods.
func TestLeaderElectionTwoCandidatesOneLease(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := itClientset(t, srv, nil)
	itNamespace(t, cs, "kube-system")
	var leaders, maxLeaders atomic.Int32
	a := startItCandidate(t, cs, "candidate-a", &leaders, &maxLeaders)
	b := startItCandidate(t, cs, "candidate-b", &leaders, &maxLeaders)
	itWaitFor(t, "a leader", 10*time.Second, func() bool { return a.leading.Load() || b.leading.Load() })
	first, second := a, b
	if b.leading.Load() {
		first, second = b, a
	}
	// Several renewals pass without the standby leading.
	until := time.Now().Add(2 * itLeaseDuration)
	for time.Now().Before(until) {
		if second.leading.Load() {
			t.Fatal("standby leads while the leader is healthy")
		}
		time.Sleep(itRetryPeriod / 2) // sampling a condition over a fixed window
	}
	lease, err := cs.CoordinationV1().Leases("kube-system").Get(context.Background(), "it-lock", meta.GetOptions{})
	if err != nil || *lease.Spec.HolderIdentity != first.id {
		t.Fatalf("lease holder: %+v %v", lease.Spec, err)
	}
	transitions := *lease.Spec.LeaseTransitions

	stopped := time.Now()
	first.stop()
	itWaitFor(t, "takeover", 10*time.Second, func() bool { return second.leading.Load() })
	took := time.Since(stopped)
	if took > 2*itLeaseDuration+4*itRetryPeriod { // loose: the property is takeover after expiry, not speed
		t.Fatalf("takeover took %v, lease duration is %v", took, itLeaseDuration)
	}
	if maxLeaders.Load() != 1 {
		t.Fatalf("%d candidates led at once", maxLeaders.Load())
	}
	lease, err = cs.CoordinationV1().Leases("kube-system").Get(context.Background(), "it-lock", meta.GetOptions{})
	if err != nil || *lease.Spec.HolderIdentity != second.id || *lease.Spec.LeaseTransitions != transitions+1 {
		t.Fatalf("lease after takeover: %+v %v", lease.Spec, err)
	}
}

// TestLeaderElectionOptionsRunReleases: Options.Run with ReleaseOnCancel
// frees the lease on a graceful stop, so a successor leads at once.
func TestLeaderElectionOptionsRunReleases(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := itClientset(t, srv, nil)
	itNamespace(t, cs, "kube-system")
	o := leaderelection.NewOptions("it-release")
	o.LeaseDuration, o.RenewDeadline, o.RetryPeriod = time.Minute, 10*time.Second, itRetryPeriod
	leases := cs.CoordinationV1().Leases("kube-system")

	var working atomic.Bool
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- o.Run(ctx, leases, nil, func(ctx context.Context) error {
			working.Store(true)
			<-ctx.Done()
			return nil
		})
	}()
	itWaitFor(t, "first run leads", 10*time.Second, working.Load)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	l, err := leases.Get(context.Background(), "it-release", meta.GetOptions{})
	if err != nil || l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != "" {
		t.Fatalf("lease not released: %+v %v", l.Spec, err)
	}
	start := time.Now()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go func() {
		done <- o.Run(ctx2, leases, nil, func(ctx context.Context) error { return nil })
	}()
	if err := <-done; err != nil {
		t.Fatalf("second run: %v", err)
	}
	// Had the lease not been released, the successor would wait for it to
	// expire (a minute); it must take it at once instead.
	if took := time.Since(start); took >= o.LeaseDuration {
		t.Fatalf("successor waited %v for a released lease (duration %v)", took, o.LeaseDuration)
	}
}
