package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// maxStatusWritesInFlight bounds the kubelet's concurrent pod status writes.
const maxStatusWritesInFlight = 64

// writeStatus writes status through pods/status when it differs from what
// the apiserver has. The pod worker writes it on the goroutine syncing the
// pod, and waits for the answer: a pod's syncs never overlap, so the status
// written is always the latest, and the next sync compares with what was
// written. The syncers are long-lived, so their stacks stay grown for the
// encoding and the round trip; handing the write to another goroutine
// would only add a channel round trip and two goroutine switches.
//
// At most maxStatusWritesInFlight writes are in flight: pods sync on as
// many goroutines as need it, and under a burst of pods their writes alone
// would overflow the apiserver's mutating in-flight limit (200), whose 429s
// cost every refused pod a 1 s Retry-After. (Kubernetes' kubelet writes
// statuses from one goroutine, bounded by its client QPS.)
func (k *Kubelet) writeStatus(ctx context.Context, w *podWorker, pod *core.Pod, status core.PodStatus) {
	if statusEqual(&status, &pod.Status) { // pod is w.known: the freshest status
		return
	}
	select {
	case k.statusWrites <- struct{}{}:
	case <-ctx.Done():
		return
	}
	rv, ok := k.putStatusRetrying(ctx, pod, &status)
	<-k.statusWrites
	if ok {
		w.lastStatus, w.lastRV = &status, rv
	}
}

// putStatusRetrying writes status, reading the pod again after a conflict
// (at most three attempts in all).
func (k *Kubelet) putStatusRetrying(ctx context.Context, pod *core.Pod, status *core.PodStatus) (uint64, bool) {
	for attempt := 0; attempt < 3; attempt++ {
		rv, err := k.putPodStatus(ctx, pod, status)
		switch {
		case err == nil:
			return rv, true
		case apierrors.IsConflict(err):
			fresh, gerr := k.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, meta.GetOptions{})
			if gerr != nil || fresh.UID != pod.UID {
				return 0, false
			}
			pod = fresh
		case apierrors.IsNotFound(err) || ctx.Err() != nil:
			return 0, false
		default:
			k.log.Warn("updating pod status failed", zap.String("pod", pod.Namespace+"/"+pod.Name), zap.Error(err))
			return 0, false
		}
	}
	return 0, false
}

// podStatusBody is the body of a PUT pods/status: the pod's metadata (its
// resourceVersion is the precondition; labels and annotations are kept from
// it) and the new status. The spec is left out: a status update takes the
// stored spec, here as in Kubernetes, so encoding it (and the apiserver
// decoding it) would be wasted.
type podStatusBody struct {
	meta.TypeMeta `json:",inline"`
	ObjectMeta    *meta.ObjectMeta `json:"metadata"`
	Status        *core.PodStatus  `json:"status"`
}

// putPodStatus writes status as pod's status (PUT pods/status, with pod's
// resourceVersion as precondition) and returns the resourceVersion written.
func (k *Kubelet) putPodStatus(ctx context.Context, pod *core.Pod, status *core.PodStatus) (uint64, error) {
	body := &podStatusBody{TypeMeta: meta.TypeMeta{APIVersion: "v1", Kind: "Pod"}, ObjectMeta: &pod.ObjectMeta, Status: status}
	out, err := k.client.RESTClient().Put().GroupVersion("", "v1").Namespace(pod.Namespace).Resource("pods").
		Name(pod.Name).SubResource("status").Body(body).Do(ctx).Raw()
	if err != nil {
		return 0, fmt.Errorf("update status of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	rv, err := resourceVersionOf(out)
	if err != nil {
		return 0, fmt.Errorf("update status of pod %s/%s: answer: %w", pod.Namespace, pod.Name, err)
	}
	n, _ := strconv.ParseUint(rv, 10, 64) // 0: trust the informer's copy
	return n, nil
}

// resourceVersionOf reads metadata.resourceVersion from an object's JSON,
// the only part of a written object the kubelet keeps. It scans up to it
// (metadata comes first, resourceVersion early in it) instead of decoding,
// or even scanning, the whole object: meta.ResourceVersionOf does for the
// apiserver's compact JSON, and tokens read with encoding/json for the rest
// (escaped names, malformed JSON: the errors are encoding/json's).
func resourceVersionOf(obj []byte) (string, error) {
	if rv, ok := meta.ResourceVersionOf(obj); ok {
		return rv, nil
	}
	return resourceVersionOfTokens(obj)
}

// resourceVersionOfTokens is resourceVersionOf reading tokens with
// encoding/json.
func resourceVersionOfTokens(obj []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	inObject := func() error {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if t != json.Delim('{') {
			return fmt.Errorf("want an object, got %v", t)
		}
		return nil
	}
	// find advances to the value of key in the current object.
	find := func(key string) error {
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return err
			}
			if t == key {
				return nil
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
		return fmt.Errorf("no %q", key)
	}
	if err := inObject(); err != nil {
		return "", err
	}
	if err := find("metadata"); err != nil {
		return "", err
	}
	if err := inObject(); err != nil {
		return "", err
	}
	if err := find("resourceVersion"); err != nil {
		return "", err
	}
	var rv string
	if err := dec.Decode(&rv); err != nil {
		return "", fmt.Errorf("resourceVersion: %w", err)
	}
	return rv, nil
}
