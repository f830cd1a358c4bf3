package kubelet

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// TestEventCorrelationOnTheServer runs the shared recorder (as the kubelet
// wires it) against the apiserver: repeats patch the stored event's count,
// a repeat of a deleted event creates it again, and many similar events
// become one aggregate.
func TestEventCorrelationOnTheServer(t *testing.T) {
	srv := framework.StartAPIServer(t)
	cs := newClient(t, srv)
	r := record.New(record.NewSink(cs), "kubelet", zaptest.NewLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()

	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "default", UID: "uid-p"}}
	node := r.ForHost("node-a")
	for range 3 {
		node.Eventf(pod, core.EventTypeWarning, "BackOff", "Back-off restarting failed container c")
	}
	var first core.Event
	waitFor(t, 30*time.Second, "one BackOff event counting 3", func() bool {
		evs := eventsOf(t, cs, "BackOff")
		if len(evs) == 1 && evs[0].Count == 3 {
			first = evs[0]
			return true
		}
		return false
	})
	if first.Source.Host != "node-a" || first.Source.Component != "kubelet" || first.ReportingInstance != "node-a" ||
		first.InvolvedObject.UID != "uid-p" || first.LastTimestamp.Before(first.FirstTimestamp.Time) {
		t.Fatalf("event %+v", first)
	}

	if err := cs.CoreV1().Events("default").Delete(ctx, first.Name, meta.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	node.Eventf(pod, core.EventTypeWarning, "BackOff", "Back-off restarting failed container c")
	waitFor(t, 30*time.Second, "the deleted event created again counting 4", func() bool {
		evs := eventsOf(t, cs, "BackOff")
		return len(evs) == 1 && evs[0].Name == first.Name && evs[0].Count == 4
	})

	for i := range record.AggregateMaxEvents + 2 {
		node.Eventf(pod, core.EventTypeWarning, "Unhealthy", "Liveness probe failed: attempt %d", i)
	}
	waitFor(t, 30*time.Second, "9 Unhealthy events and an aggregate counting 3", func() bool {
		evs := eventsOf(t, cs, "Unhealthy")
		var aggregates []core.Event
		for _, ev := range evs {
			if strings.HasPrefix(ev.Message, record.AggregatePrefix) {
				aggregates = append(aggregates, ev)
			}
		}
		last := fmt.Sprintf("Liveness probe failed: attempt %d", record.AggregateMaxEvents+1)
		return len(evs) == record.AggregateMaxEvents && len(aggregates) == 1 && aggregates[0].Count == 3 &&
			aggregates[0].Message == record.AggregatePrefix+last
	})
}

// eventsOf lists the events in default with the reason.
func eventsOf(t *testing.T, cs *clientset.Clientset, reason string) []core.Event {
	t.Helper()
	l, err := cs.CoreV1().Events("default").List(context.Background(), meta.ListOptions{})
	if err != nil {
		t.Fatalf("list events: %v", err)
	}
	var out []core.Event
	for _, ev := range l.Items {
		if ev.Reason == reason {
			out = append(out, ev)
		}
	}
	return out
}
