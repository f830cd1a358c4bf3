package core

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
)

func TestPodFieldValue(t *testing.T) {
	pod := &Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1",
		Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"note": "hi"}},
		Spec: PodSpec{NodeName: "n1", ServiceAccountName: "sa"}}
	for path, want := range map[string]string{
		"metadata.name": "p", "metadata.namespace": "ns", "metadata.uid": "u1",
		"metadata.labels['app']": "web", "metadata.labels['none']": "", "metadata.annotations['note']": "hi",
		"spec.nodeName": "n1", "spec.serviceAccountName": "sa", "status.hostIP": "10.0.0.1", "status.podIP": "10.1.0.5",
	} {
		if got, err := PodFieldValue(pod, path, "10.0.0.1", "10.1.0.5"); err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", path, got, err, want)
		}
	}
	for _, bad := range []string{"metadata.labels", "spec.containers", "metadata.labels['x'"} {
		if _, err := PodFieldValue(pod, bad, "", ""); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestContainerResourceValue(t *testing.T) {
	c := &Container{Resources: ResourceRequirements{
		Limits:   ResourceList{ResourceCPU: resource.MustParse("500m"), ResourceMemory: resource.MustParse("128Mi")},
		Requests: ResourceList{ResourceCPU: resource.MustParse("1500m"), ResourceEphemeralStorage: resource.MustParse("1G")},
	}}
	for _, tc := range []struct {
		res, divisor, want string
	}{
		{"limits.cpu", "", "1"},     // 0.5 core rounded up
		{"limits.cpu", "1m", "500"}, // in millicores
		{"requests.cpu", "", "2"},   // 1.5 rounded up
		{"limits.memory", "", "134217728"},
		{"limits.memory", "1Mi", "128"},
		{"requests.memory", "", "0"}, // unset
		{"requests.ephemeral-storage", "1M", "1000"},
	} {
		fs := &ResourceFieldSelector{Resource: tc.res}
		if tc.divisor != "" {
			fs.Divisor = resource.MustParse(tc.divisor)
		}
		if got, err := ContainerResourceValue(fs, c); err != nil || got != tc.want {
			t.Errorf("%s / %q: %q %v, want %q", tc.res, tc.divisor, got, err, tc.want)
		}
	}
	for _, bad := range []string{"limits.pods", "cpu", "spec.cpu"} {
		if _, err := ContainerResourceValue(&ResourceFieldSelector{Resource: bad}, c); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
