package record

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// NewSink returns the EventSink that writes events through cs: a POST
// per new event, a JSON merge patch of count, lastTimestamp and message
// per repeat (no resourceVersion, so a repeat never conflicts). Answers
// are not decoded: nobody reads them.
func NewSink(cs *clientset.Clientset) EventSink { return clientsetSink{cs: cs} }

type clientsetSink struct{ cs *clientset.Clientset }

func (s clientsetSink) Create(ctx context.Context, ev *core.Event) error {
	cp := *ev // only TypeMeta changes: a shallow copy will do
	cp.APIVersion, cp.Kind = "v1", "Event"
	err := s.cs.RESTClient().Post().GroupVersion("", "v1").Namespace(ev.Namespace).Resource("events").
		Body(&cp).Do(ctx).Error()
	if err != nil {
		return fmt.Errorf("create event %s/%s: %w", ev.Namespace, ev.Name, err)
	}
	return nil
}

// repeatPatch is the merge patch of a repeated event.
type repeatPatch struct {
	Count         int32     `json:"count"`
	LastTimestamp meta.Time `json:"lastTimestamp"`
	Message       string    `json:"message"`
}

func (s clientsetSink) Update(ctx context.Context, ev *core.Event) error {
	patch, err := json.Marshal(repeatPatch{Count: ev.Count, LastTimestamp: ev.LastTimestamp, Message: ev.Message})
	if err != nil {
		return fmt.Errorf("encode patch of event %s/%s: %w", ev.Namespace, ev.Name, err)
	}
	err = s.cs.RESTClient().Patch(rest.MergePatchType).GroupVersion("", "v1").Namespace(ev.Namespace).
		Resource("events").Name(ev.Name).Body(patch).Do(ctx).Error()
	if err != nil {
		return fmt.Errorf("patch event %s/%s: %w", ev.Namespace, ev.Name, err)
	}
	return nil
}
