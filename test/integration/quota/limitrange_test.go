package quota

import (
	"context"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// TestLimitRanger: a LimitRange is stored with Kubernetes' defaults
// (default from max, defaultRequest from default); a new pod's containers
// get its default limits and requests; limits over max, requests under min
// and a pod over the Pod max are refused with a 403; claims are held to the
// PersistentVolumeClaim bounds.
func TestLimitRanger(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	lr, err := e.limitRanges().Create(ctx, &core.LimitRange{ObjectMeta: meta.ObjectMeta{Name: "limits", Namespace: testNS},
		Spec: core.LimitRangeSpec{Limits: []core.LimitRangeItem{
			{Type: core.LimitTypeContainer, Max: list("cpu", "1", "memory", "512Mi"), Min: list("memory", "16Mi"),
				Default: list("cpu", "500m"), DefaultRequest: list("cpu", "100m")},
			{Type: core.LimitTypePod, Max: list("cpu", "1500m")},
			{Type: core.LimitTypePersistentVolumeClaim, Max: list("storage", "2Gi")},
		}}}, meta.CreateOptions{})
	if err != nil {
		t.Fatalf("create limit range: %v", err)
	}
	e.waitLimitRangeCached("limits")
	c := lr.Spec.Limits[0]
	if got := c.Default.Memory(); got.String() != "512Mi" {
		t.Errorf("default memory %s, want 512Mi (from max)", got.String())
	}
	if got := c.DefaultRequest.Memory(); got.String() != "512Mi" {
		t.Errorf("defaultRequest memory %s, want 512Mi (from default)", got.String())
	}

	p, err := e.createPod(pod("plain", nil, nil))
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	r := p.Spec.Containers[0].Resources
	if r.Requests.Cpu().String() != "100m" || r.Limits.Cpu().String() != "500m" ||
		r.Requests.Memory().String() != "512Mi" || r.Limits.Memory().String() != "512Mi" {
		t.Errorf("defaulted resources: requests %v, limits %v", r.Requests, r.Limits)
	}
	// A container's own limit is its request, as the pod defaulting has it.
	p, err = e.createPod(pod("own", list("memory", "64Mi"), list("cpu", "800m")))
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	if r := p.Spec.Containers[0].Resources; r.Requests.Cpu().String() != "800m" || r.Requests.Memory().String() != "64Mi" {
		t.Errorf("own resources: requests %v, limits %v", r.Requests, r.Limits)
	}

	_, err = e.createPod(pod("big", nil, list("cpu", "2")))
	forbidden(t, "over max", err, `pods "big" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum cpu usage per Pod is 1500m, but limit is 2]`)
	_, err = e.createPod(pod("small", list("memory", "1Mi"), nil))
	forbidden(t, "under min", err, `pods "small" is forbidden: minimum memory usage per Container is 16Mi, but request is 1Mi`)
	two := pod("two", nil, list("cpu", "1"))
	two.Spec.Containers = append(two.Spec.Containers, core.Container{Name: "side", Image: "busybox",
		Resources: core.ResourceRequirements{Limits: list("cpu", "1")}})
	_, err = e.createPod(two)
	forbidden(t, "pod max", err, `pods "two" is forbidden: maximum cpu usage per Pod is 1500m, but limit is 2`)

	claim := &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: "data", Namespace: testNS},
		Spec: core.PersistentVolumeClaimSpec{AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
			Resources: core.VolumeResourceRequirements{Requests: list("storage", "5Gi")}}}
	_, err = e.cs.CoreV1().PersistentVolumeClaims(testNS).Create(ctx, claim, meta.CreateOptions{})
	forbidden(t, "claim", err, `persistentvolumeclaims "data" is forbidden: maximum storage usage per PersistentVolumeClaim is 2Gi, but limit is 5Gi`)

	// Other namespaces are not limited.
	other := pod("big", nil, list("cpu", "2"))
	other.Namespace = "default"
	if _, err := e.cs.CoreV1().Pods("default").Create(ctx, other, meta.CreateOptions{}); err != nil {
		t.Errorf("pod in default: %v", err)
	}
}
