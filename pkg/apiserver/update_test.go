package apiserver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// retryingStore runs every tryUpdate twice, as a store whose first attempt
// read a stale object, and keeps what each attempt returned.
type retryingStore struct {
	*benchStore
	outs []meta.Object
}

func (s *retryingStore) GuaranteedUpdate(ctx context.Context, key string, pre *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(current meta.Object) (meta.Object, error)) (meta.Object, error) {
	return s.benchStore.GuaranteedUpdate(ctx, key, pre, ignoreNotFound, func(cur meta.Object) (meta.Object, error) {
		stale := s.res.DeepCopy(cur)
		stale.(*core.Pod).Spec.NodeName = "stale"
		first, err := tryUpdate(stale)
		if err != nil {
			return nil, err
		}
		s.outs = append(s.outs, first)
		out, err := tryUpdate(cur)
		s.outs = append(s.outs, out)
		return out, err
	})
}

// A status update's attempts each start from their own current object and
// get their own copy of the request's status.
func TestUpdateStatusRetriesFromCurrent(t *testing.T) {
	var pods *retryingStore
	h := newBenchServer(t, func(st *benchStore) storage.Interface {
		if st.res.Resource != "pods" {
			return st
		}
		pods = &retryingStore{benchStore: st}
		return pods
	})
	pod := benchPod("node-1")
	pod.Name, pod.ResourceVersion, pod.Labels = "bench-2", "", nil
	pod.Spec = core.PodSpec{NodeName: "elsewhere"} // ignored by a status update
	pod.Status.Phase, pod.Status.PodIP = core.PodRunning, "10.1.0.7"
	body, _ := json.Marshal(pod)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/api/v1/namespaces/default/pods/bench-2/status", bytes.NewReader(body)))
	if rec.Code != http.StatusOK {
		t.Fatalf("code %d: %s", rec.Code, rec.Body)
	}
	var got core.Pod
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status.Phase != core.PodRunning || got.Status.PodIP != "10.1.0.7" || got.Spec.NodeName != "node-1" || got.UID != pod.UID {
		t.Fatalf("answer %+v", got)
	}
	if len(pods.outs) != 2 {
		t.Fatalf("%d attempts", len(pods.outs))
	}
	first, second := pods.outs[0].(*core.Pod), pods.outs[1].(*core.Pod)
	if first.Spec.NodeName != "stale" || second.Spec.NodeName != "node-1" {
		t.Fatalf("attempts did not start from their current object: %q %q", first.Spec.NodeName, second.Spec.NodeName)
	}
	first.Status.Conditions[0].Reason = "changed"
	if second.Status.Conditions[0].Reason == "changed" {
		t.Fatal("attempts share the status")
	}
}
