package apiserver

import (
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/autoscaling"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"github.com/tinykube/tinykube/pkg/jsonpath"
	"github.com/tinykube/tinykube/pkg/registry"
)

// The scale subresource of a custom resource maps the object onto an
// autoscaling/v1 Scale through the paths of its version's
// subresources.scale: specReplicasPath, statusReplicasPath and
// labelSelectorPath (simple paths such as .spec.replicas, as the CRD
// validation allows). A missing replica count reads as 0, a missing
// selector as "", as in Kubernetes.

// customScaleOf reads the Scale view of a custom object.
func customScaleOf(res *registry.Resource, obj meta.Object) (*autoscaling.Scale, error) {
	u, ok := obj.(*unstructured.Unstructured)
	sc := scaleSubresource(res)
	if !ok || sc == nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("%s has no scale subresource", res.GroupResource()))
	}
	data := map[string]any(u.Content)
	spec, err := replicasAt(data, sc.SpecReplicasPath)
	if err != nil {
		return nil, err
	}
	status, err := replicasAt(data, sc.StatusReplicasPath)
	if err != nil {
		return nil, err
	}
	selector := ""
	if sc.LabelSelectorPath != nil {
		if vals, err := jsonpath.Eval(*sc.LabelSelectorPath, data); err == nil && len(vals) > 0 {
			selector, _ = vals[0].(string)
		}
	}
	m := obj.GetObjectMeta()
	return &autoscaling.Scale{
		TypeMeta: meta.TypeMeta{Kind: "Scale", APIVersion: autoscaling.APIVersion},
		ObjectMeta: meta.ObjectMeta{Name: m.Name, Namespace: m.Namespace, UID: m.UID,
			ResourceVersion: m.ResourceVersion, CreationTimestamp: m.CreationTimestamp},
		Spec:   autoscaling.ScaleSpec{Replicas: spec},
		Status: autoscaling.ScaleStatus{Replicas: status, Selector: selector},
	}, nil
}

// replicasAt reads an integer at path ("" or missing: 0).
func replicasAt(data map[string]any, path string) (int32, error) {
	if path == "" {
		return 0, nil
	}
	vals, err := jsonpath.Eval(path, data)
	if err != nil || len(vals) == 0 || vals[0] == nil {
		return 0, nil
	}
	switch n := vals[0].(type) {
	case int64:
		return int32(n), nil
	case float64:
		return int32(n), nil
	}
	return 0, apierrors.NewInternalError(fmt.Errorf("%s is %T, not an integer", path, vals[0]))
}

// setCustomReplicas writes n at the version's specReplicasPath, making the
// objects on the way as needed.
func setCustomReplicas(res *registry.Resource, obj meta.Object, n int32) error {
	u, ok := obj.(*unstructured.Unstructured)
	sc := scaleSubresource(res)
	if !ok || sc == nil {
		return apierrors.NewInternalError(fmt.Errorf("%s has no scale subresource", res.GroupResource()))
	}
	fields := strings.Split(strings.TrimPrefix(sc.SpecReplicasPath, "."), ".")
	if u.Content == nil {
		u.Content = map[string]any{}
	}
	m := u.Content
	for _, f := range fields[:len(fields)-1] {
		next, ok := m[f].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[f] = next
		}
		m = next
	}
	m[fields[len(fields)-1]] = int64(n)
	return nil
}

func scaleSubresource(res *registry.Resource) *apiextensions.CustomResourceSubresourceScale {
	if res.Custom == nil || res.Custom.Version.Subresources == nil {
		return nil
	}
	return res.Custom.Version.Subresources.Scale
}
