package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/pkg/client/watch"
)

// podLite is the part of a pod the harness reads from watch events;
// decoding only these fields keeps the harness's own CPU small.
type podLite struct {
	Metadata struct {
		Name            string            `json:"name"`
		ResourceVersion string            `json:"resourceVersion"`
		Annotations     map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		NodeName string `json:"nodeName"`
	} `json:"spec"`
	Status struct {
		Phase string `json:"phase"`
	} `json:"status"`
}

func decodePodLite(b []byte) (*podLite, error) {
	p := &podLite{}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, fmt.Errorf("decode pod: %w", err)
	}
	return p, nil
}

// podsRequest is a request on the pods of namespace ns.
func podsRequest(c *rest.Client, ns string) *rest.Request {
	return c.Get().GroupVersion("", "v1").Namespace(ns).Resource("pods")
}

// currentRV lists one pod of ns to learn the namespace's resourceVersion,
// where a watch starts with no initial events.
func currentRV(ctx context.Context, c *rest.Client, ns string) (string, error) {
	var list struct {
		Metadata meta.ListMeta `json:"metadata"`
	}
	if err := podsRequest(c, ns).Param("limit", "1").Do(ctx).Into(&list); err != nil {
		return "", fmt.Errorf("list pods in %s: %w", ns, err)
	}
	return list.Metadata.ResourceVersion, nil
}

// watchPods opens a watch on the pods of ns from resourceVersion rv.
func watchPods(ctx context.Context, c *rest.Client, ns, rv string) (watch.Interface[*podLite], error) {
	req := podsRequest(c, ns).Param("resourceVersion", rv).Param("allowWatchBookmarks", "true")
	w, err := rest.Watch(ctx, req, decodePodLite)
	if err != nil {
		return nil, fmt.Errorf("watch pods in %s from %s: %w", ns, rv, err)
	}
	return w, nil
}

// followPods calls handle for each pod event in ns from rv until handle
// returns true, ctx ends, or the watch fails more than maxRestarts times
// (a broken stream is resumed from the last resourceVersion seen).
func followPods(ctx context.Context, c *rest.Client, ns, rv string, handle func(now time.Time, typ string, p *podLite) bool) error {
	const maxRestarts = 5
	for restarts := 0; ; restarts++ {
		w, err := watchPods(ctx, c, ns, rv)
		if err != nil {
			return err
		}
		done, lastRV, err := drain(ctx, w, handle)
		w.Stop()
		if lastRV != "" {
			rv = lastRV
		}
		switch {
		case done:
			return nil
		case err != nil:
			return err
		case ctx.Err() != nil:
			return fmt.Errorf("watch pods in %s: %w", ns, ctx.Err())
		case restarts >= maxRestarts:
			return fmt.Errorf("watch pods in %s ended %d times", ns, restarts+1)
		}
	}
}

// drain reads w until handle says done, the stream ends or ctx ends.
func drain(ctx context.Context, w watch.Interface[*podLite], handle func(time.Time, string, *podLite) bool) (bool, string, error) {
	lastRV := ""
	for {
		select {
		case <-ctx.Done():
			return false, lastRV, nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return false, lastRV, nil
			}
			now := time.Now()
			if ev.Type == meta.Error {
				return false, lastRV, fmt.Errorf("watch error: %s", ev.Status.Message)
			}
			lastRV = ev.Object.Metadata.ResourceVersion
			if ev.Type != meta.Bookmark && handle(now, ev.Type, ev.Object) {
				return true, lastRV, nil
			}
		}
	}
}
