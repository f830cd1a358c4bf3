package controller

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/record"
)

// Event reasons of pod control.
const (
	SuccessfulCreateReason = "SuccessfulCreate"
	FailedCreateReason     = "FailedCreate"
	SuccessfulDeleteReason = "SuccessfulDelete"
	FailedDeleteReason     = "FailedDelete"
)

// PodControl creates and deletes pods on behalf of an owner and records an
// event for each.
type PodControl interface {
	// CreatePod creates a pod from template in namespace, owned by owner
	// through ref, and returns it as the apiserver stored it.
	CreatePod(ctx context.Context, namespace string, template *core.PodTemplateSpec, owner meta.Object, ref *meta.OwnerReference) (*core.Pod, error)
	// CreatePodWithGenerateName is CreatePod with generateName in place of
	// "<owner>-" (an Indexed job names its pods "<job>-<index>-").
	CreatePodWithGenerateName(ctx context.Context, namespace string, template *core.PodTemplateSpec, owner meta.Object, ref *meta.OwnerReference, generateName string) (*core.Pod, error)
	// DeletePod deletes namespace/name on behalf of owner.
	DeletePod(ctx context.Context, namespace, name string, owner meta.Object) error
}

// GetPodFromTemplate builds the pod a controller creates: the template's
// labels, annotations and spec, generateName "<owner>-" and the owner ref.
func GetPodFromTemplate(template *core.PodTemplateSpec, owner meta.Object, ref *meta.OwnerReference) *core.Pod {
	tmpl := meta.DeepCopy(template)
	pod := &core.Pod{
		TypeMeta: meta.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: meta.ObjectMeta{
			GenerateName: owner.GetObjectMeta().Name + "-",
			Labels:       maps.Clone(tmpl.Labels),
			Annotations:  maps.Clone(tmpl.Annotations),
			Finalizers:   tmpl.Finalizers,
		},
		Spec: tmpl.Spec,
	}
	if ref != nil {
		pod.OwnerReferences = []meta.OwnerReference{*ref}
	}
	return pod
}

// RealPodControl is PodControl through the apiserver.
type RealPodControl struct {
	Client   *clientset.Clientset
	Recorder record.EventRecorder
}

var _ PodControl = RealPodControl{}

// CreatePod implements PodControl.
func (r RealPodControl) CreatePod(ctx context.Context, namespace string, template *core.PodTemplateSpec, owner meta.Object, ref *meta.OwnerReference) (*core.Pod, error) {
	return r.CreatePodWithGenerateName(ctx, namespace, template, owner, ref, "")
}

// CreatePodWithGenerateName implements PodControl ("" keeps "<owner>-").
func (r RealPodControl) CreatePodWithGenerateName(ctx context.Context, namespace string, template *core.PodTemplateSpec, owner meta.Object, ref *meta.OwnerReference, generateName string) (*core.Pod, error) {
	pod := GetPodFromTemplate(template, owner, ref)
	if generateName != "" {
		pod.GenerateName = generateName
	}
	if len(pod.Labels) == 0 {
		return nil, fmt.Errorf("create pod for %s: template has no labels", owner.GetObjectMeta().Key())
	}
	created, err := r.Client.CoreV1().Pods(namespace).Create(ctx, pod, meta.CreateOptions{})
	if err != nil {
		r.Recorder.Eventf(owner, core.EventTypeWarning, FailedCreateReason, "Error creating: %v", err)
		return nil, fmt.Errorf("create pod for %s: %w", owner.GetObjectMeta().Key(), err)
	}
	r.Recorder.Eventf(owner, core.EventTypeNormal, SuccessfulCreateReason, "Created pod: %s", created.Name)
	return created, nil
}

// DeletePod implements PodControl.
func (r RealPodControl) DeletePod(ctx context.Context, namespace, name string, owner meta.Object) error {
	if err := r.Client.CoreV1().Pods(namespace).Delete(ctx, name, meta.DeleteOptions{}); err != nil {
		r.Recorder.Eventf(owner, core.EventTypeWarning, FailedDeleteReason, "Error deleting: %v", err)
		return fmt.Errorf("delete pod %s/%s: %w", namespace, name, err)
	}
	r.Recorder.Eventf(owner, core.EventTypeNormal, SuccessfulDeleteReason, "Deleted pod: %s", name)
	return nil
}

// FakePodControl records calls instead of making them, for tests. Err, when
// set, fails every call.
type FakePodControl struct {
	mu      sync.Mutex
	Created []*core.Pod
	Deleted []string
	Err     error
}

var _ PodControl = (*FakePodControl)(nil)

// CreatePod implements PodControl.
func (f *FakePodControl) CreatePod(ctx context.Context, namespace string, template *core.PodTemplateSpec, owner meta.Object, ref *meta.OwnerReference) (*core.Pod, error) {
	return f.CreatePodWithGenerateName(ctx, namespace, template, owner, ref, "")
}

// CreatePodWithGenerateName implements PodControl.
func (f *FakePodControl) CreatePodWithGenerateName(_ context.Context, namespace string, template *core.PodTemplateSpec, owner meta.Object, ref *meta.OwnerReference, generateName string) (*core.Pod, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	pod := GetPodFromTemplate(template, owner, ref)
	if generateName != "" {
		pod.GenerateName = generateName
	}
	pod.Namespace = namespace
	pod.Name = fmt.Sprintf("%s%d", pod.GenerateName, len(f.Created))
	f.Created = append(f.Created, pod)
	return pod, nil
}

// DeletePod implements PodControl.
func (f *FakePodControl) DeletePod(_ context.Context, namespace, name string, _ meta.Object) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	f.Deleted = append(f.Deleted, namespace+"/"+name)
	return nil
}

// SlowStartBatch calls fn count times in batches of initial, 2*initial,
// 4*initial... running each batch in parallel and stopping after the first
// batch with an error, so a failing quota or webhook costs one call, not
// hundreds. It returns how many calls succeeded and the errors joined.
func SlowStartBatch(count, initial int, fn func() error) (int, error) {
	done := 0
	for batch := min(count, initial); batch > 0; batch = min(2*batch, count-done) {
		errs := make(chan error, batch)
		var wg sync.WaitGroup
		for range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := fn(); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		var all []error
		for err := range errs {
			all = append(all, err)
		}
		done += batch - len(all)
		if len(all) > 0 {
			return done, errors.Join(all...)
		}
	}
	return done, nil
}
