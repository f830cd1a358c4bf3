//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// podWatcher follows the pods of ns through the load balancer for as long
// as its context lives, re-watching from the last resourceVersion it saw
// whenever its stream ends (an apiserver behind the balancer died), like an
// informer without the relist.
type podWatcher struct {
	c *cluster

	mu         sync.Mutex
	rv         string
	live       map[string]bool   // pods that exist, as the watch tells
	added      map[string]string // pods added since the start -> controlling owner
	reconnects int
	err        error // a watch the apiserver refused (e.g. 410 Gone): no gap-free history
}

func newPodWatcher(ctx context.Context, c *cluster) (*podWatcher, error) {
	list, err := c.client.CoreV1().Pods(ns).List(ctx, meta.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	w := &podWatcher{c: c, rv: list.ListMeta.ResourceVersion, live: map[string]bool{}, added: map[string]string{}}
	for i := range list.Items {
		w.live[list.Items[i].Name] = true
	}
	return w, nil
}

// run watches until ctx ends.
func (w *podWatcher) run(ctx context.Context) {
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			w.mu.Lock()
			w.reconnects++
			w.mu.Unlock()
			select { // do not spin while the balancer has no server
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
		w.mu.Lock()
		rv := w.rv
		w.mu.Unlock()
		wi, err := w.c.client.CoreV1().Pods(ns).Watch(ctx, meta.ListOptions{ResourceVersion: rv, TimeoutSeconds: meta.Ptr(int64(600))})
		if err != nil {
			continue
		}
		for ev := range wi.ResultChan() {
			if !w.record(ev.Type, ev.Object, ev.Status) {
				wi.Stop()
				return
			}
		}
		wi.Stop()
	}
}

// record applies one event; false stops the watcher (an ERROR event).
func (w *podWatcher) record(typ string, p *core.Pod, status *meta.Status) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if typ == "ERROR" {
		if status != nil {
			w.err = fmt.Errorf("watch from resourceVersion %s: %s", w.rv, status.Message)
		} else {
			w.err = fmt.Errorf("watch from resourceVersion %s: error event", w.rv)
		}
		return false
	}
	if p == nil {
		return true
	}
	w.rv = p.ResourceVersion
	switch typ {
	case "ADDED":
		w.live[p.Name] = true
		owner := ""
		if ref := p.ControllerRef(); ref != nil {
			owner = ref.Name
		}
		w.added[p.Name] = owner
	case "MODIFIED":
		w.live[p.Name] = true
	case "DELETED":
		delete(w.live, p.Name)
	}
	return true
}

func (w *podWatcher) snapshot() (live map[string]bool, added map[string]string, reconnects int, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	live, added = map[string]bool{}, map[string]string{}
	for k := range w.live {
		live[k] = true
	}
	for k, v := range w.added {
		added[k] = v
	}
	return live, added, w.reconnects, w.err
}

// watchers is how many watches go through the balancer: round robin spreads
// them over the apiservers, so the one killed carries some of them.
const watchers = 6

func stepAPIServerKilledMidRollout(t *testing.T, ctx context.Context, c *cluster) {
	if c.apiservers < 2 {
		t.Skipf("APISERVERS=%d: no instance to spare", c.apiservers)
	}
	d, err := c.client.AppsV1().Deployments(ns).Get(ctx, appLabel, meta.GetOptions{})
	if err != nil {
		t.Fatalf("get deployment: %v", err)
	}
	replicas := int(*d.Spec.Replicas)
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	ws := make([]*podWatcher, watchers)
	for i := range ws {
		if ws[i], err = newPodWatcher(ctx, c); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); ws[i].run(wctx) }()
	}
	// A new pod template starts a rollout: a new ReplicaSet replaces the
	// pods a few at a time (maxSurge and maxUnavailable 25%). Ready pods
	// count as available only after minReadySeconds, so the rollout lasts
	// several rounds of seconds instead of one: long enough to kill an
	// apiserver in its middle.
	patch := fmt.Sprintf(`{"spec":{"minReadySeconds":4,"template":{"metadata":{"annotations":{"e2e/rollout":%q}}}}}`,
		time.Now().UTC().Format(time.RFC3339Nano))
	if _, err := c.client.AppsV1().Deployments(ns).Patch(ctx, appLabel, rest.MergePatchType, []byte(patch), meta.PatchOptions{}); err != nil {
		t.Fatalf("start a rollout: %v", err)
	}
	logf(t, "rollout of %s/%s started (%d replicas)", ns, appLabel, replicas)
	eventually(t, ctx, "first pods of the rollout", time.Minute, func(context.Context) (bool, string, error) {
		_, added, _, _ := ws[0].snapshot()
		return len(added) >= 1, fmt.Sprintf("%d new pods", len(added)), nil
	})
	if done, seen, err := rolledOut(ctx, c, replicas); err != nil || done {
		t.Fatalf("the rollout is over before an apiserver could be killed in its middle (%s, %v)", seen, err)
	}
	id, err := c.containerID(ctx, "apiservers")
	if err != nil {
		t.Fatalf("find an apiserver: %v", err)
	}
	if _, err := run(ctx, "docker", "kill", id); err != nil {
		t.Fatalf("kill apiserver %s: %v", id, err)
	}
	logf(t, "killed apiserver container %s mid-rollout", id[:12])
	t.Cleanup(func() {
		if _, err := run(context.Background(), "docker", "start", id); err != nil {
			t.Errorf("start apiserver %s again: %v", id[:12], err)
		}
		logf(t, "started apiserver container %s again", id[:12])
	})
	eventually(t, ctx, "rollout complete", 3*time.Minute, func(ctx context.Context) (bool, string, error) {
		return rolledOut(ctx, c, replicas)
	})
	waitConverged(t, ctx, c, time.Minute, replicas, 2)
	checkWatchers(t, ctx, c, ws, replicas)
}

// rolledOut says whether the Deployment's status shows every replica
// updated and available and no old one left.
func rolledOut(ctx context.Context, c *cluster, replicas int) (bool, string, error) {
	d, err := c.client.AppsV1().Deployments(ns).Get(ctx, appLabel, meta.GetOptions{})
	if err != nil {
		return false, "", err
	}
	s, n := d.Status, int32(replicas)
	ok := s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == n && s.Replicas == n && s.AvailableReplicas == n
	return ok, fmt.Sprintf("generation %d observed %d, replicas %d updated %d available %d",
		d.Generation, s.ObservedGeneration, s.Replicas, s.UpdatedReplicas, s.AvailableReplicas), nil
}

// checkWatchers checks, once the rollout is done, that every watch followed
// the pods to the end (same pods as a fresh list), that at least one of them
// had to reconnect, and that no ReplicaSet created a pod twice.
func checkWatchers(t *testing.T, ctx context.Context, c *cluster, ws []*podWatcher, replicas int) {
	t.Helper()
	total := 0
	for i, w := range ws {
		eventually(t, ctx, fmt.Sprintf("watch %d matches a list", i), time.Minute, func(ctx context.Context) (bool, string, error) {
			list, err := c.client.CoreV1().Pods(ns).List(ctx, meta.ListOptions{})
			if err != nil {
				return false, "", err
			}
			listed := map[string]bool{}
			for _, p := range list.Items {
				listed[p.Name] = true
			}
			live, _, reconnects, werr := w.snapshot()
			if werr != nil {
				return false, "", werr
			}
			ok, why := sameNames(live, listed)
			return ok, fmt.Sprintf("%s after %d reconnects", why, reconnects), nil
		})
		_, _, reconnects, _ := w.snapshot()
		total += reconnects
	}
	if total == 0 {
		t.Errorf("none of the %d watches lost its stream when an apiserver died: the balancer kept no watch on it", len(ws))
	}
	pods, err := webPods(ctx, c)
	if err != nil {
		t.Fatalf("list web pods: %v", err)
	}
	want := map[string]int{}
	for _, p := range livePods(pods) {
		if ref := p.ControllerRef(); ref != nil {
			want[ref.Name] = replicas // the new ReplicaSet; the old ones create none
		}
	}
	added := map[string]string{} // every watch saw them all; the union guards against one that did not
	for _, w := range ws {
		_, a, _, _ := w.snapshot()
		for k, v := range a {
			added[k] = v
		}
	}
	if bad := createdTwice(added, want); len(bad) > 0 {
		t.Errorf("pods created twice: %v", bad)
	}
	logf(t, "%d watches reconnected %d times in all; %d pods created, none twice", len(ws), total, len(added))
}
