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

// writeStatus writes status through pods/status when it differs from what
// the apiserver has. The pod worker writes it on the goroutine syncing the
// pod, and waits for the answer: a pod's syncs never overlap, so the status
// written is always the latest, and the next sync compares with what was
// written. The syncers are long-lived, so their stacks stay grown for the
// encoding and the round trip; handing the write to another goroutine
// would only add a channel round trip and two goroutine switches.
func (k *Kubelet) writeStatus(ctx context.Context, w *podWorker, pod *core.Pod, status core.PodStatus) {
	if statusEqual(&status, &pod.Status) { // pod is w.known: the freshest status
		return
	}
	rv, ok := k.putStatusRetrying(ctx, pod, &status)
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
// or even scanning, the whole object: scanResourceVersion does for the
// apiserver's plain JSON, and tokens read with encoding/json for the rest
// (escaped names, malformed JSON: the errors are encoding/json's).
func resourceVersionOf(obj []byte) (string, error) {
	if rv, ok := scanResourceVersion(obj); ok {
		return rv, nil
	}
	return resourceVersionOfTokens(obj)
}

// scanResourceVersion finds metadata.resourceVersion by skipping over the
// JSON before it, without allocating (but for the result). ok is false when
// it cannot tell: no such key, a name or the value with an escape, a value
// that is not a string, or JSON cut short. It is lenient about the values
// it skips (only their strings and brackets matter), which the apiserver
// wrote.
func scanResourceVersion(b []byte) (rv string, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return "", false
	}
	i++
	inMetadata := false
	for {
		// A member: "name", colon, value.
		i = skipSpace(b, i)
		end := plainString(b, i)
		if end < 0 {
			return "", false
		}
		name := b[i+1 : end-1]
		if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
			return "", false
		}
		i = skipSpace(b, i+1)
		switch {
		case !inMetadata && string(name) == "metadata":
			if i >= len(b) || b[i] != '{' {
				return "", false
			}
			i++
			inMetadata = true
			continue
		case inMetadata && string(name) == "resourceVersion":
			if end = plainString(b, i); end < 0 {
				return "", false
			}
			return string(b[i+1 : end-1]), true
		}
		if i = skipValue(b, i); i < 0 {
			return "", false
		}
		if i = skipSpace(b, i); i >= len(b) || b[i] != ',' {
			return "", false // the object's end, or not JSON
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString returns the index after the string at i, or -1 when there is
// none or it is not plain printable ASCII (an escape, a control character,
// UTF-8 that encoding/json might replace).
func plainString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1
		case c == '\\' || c < 0x20 || c >= 0x80:
			return -1
		}
	}
	return -1
}

// skipString returns the index after the string at i (escapes allowed), or -1.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1
		case '\\':
			j++
		}
	}
	return -1
}

// skipValue returns the index after the value at i, or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for ; i < len(b); i++ { // a number or a literal
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return -1
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
