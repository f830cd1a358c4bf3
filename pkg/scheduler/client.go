package scheduler

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/record"
	"github.com/tinykube/tinykube/pkg/client/rest"
)

// Client is the scheduler's writes to the apiserver.
type Client interface {
	// Bind posts a Binding to pods/binding.
	Bind(ctx context.Context, b *core.Binding) error
	// SetPodConditions sets conditions in pod's status.conditions through
	// pods/status, merged by type: conditions of other types are left as the
	// apiserver has them.
	SetPodConditions(ctx context.Context, pod *core.Pod, conditions []core.PodCondition) error
	// CreateEvent creates an Event (the sink of the scheduler's recorder).
	CreateEvent(ctx context.Context, e *core.Event) error
	// UpdateEvent sets the count, lastTimestamp and message of the stored
	// event named e.Name to e's (a repeated event).
	UpdateEvent(ctx context.Context, e *core.Event) error
}

// NewClient returns a Client over a clientset.
func NewClient(cs *clientset.Clientset) Client { return &apiClient{cs: cs} }

type apiClient struct{ cs *clientset.Clientset }

func (c *apiClient) Bind(ctx context.Context, b *core.Binding) error {
	if err := c.cs.CoreV1().Pods(b.Namespace).Bind(ctx, b, meta.CreateOptions{}); err != nil {
		return fmt.Errorf("bind pod %s/%s to %s: %w", b.Namespace, b.Name, b.Target.Name, err)
	}
	return nil
}

func (c *apiClient) SetPodConditions(ctx context.Context, pod *core.Pod, conditions []core.PodCondition) error {
	patch, err := json.Marshal(map[string]any{"status": map[string]any{"conditions": conditions}})
	if err != nil {
		return fmt.Errorf("encode status patch: %w", err)
	}
	// A strategic merge patch merges status.conditions by type (a JSON merge
	// patch would replace the list with the scheduler's possibly stale copy).
	_, err = c.cs.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, rest.StrategicMergePatchType, patch, meta.PatchOptions{}, "status")
	if err != nil {
		return fmt.Errorf("patch status of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return nil
}

// CreateEvent posts e through the shared recorder's sink (the answer is
// not decoded: nobody reads the created event).
func (c *apiClient) CreateEvent(ctx context.Context, e *core.Event) error {
	return record.NewSink(c.cs).Create(ctx, e)
}

// UpdateEvent patches e as the shared recorder's sink does.
func (c *apiClient) UpdateEvent(ctx context.Context, e *core.Event) error {
	return record.NewSink(c.cs).Update(ctx, e)
}
