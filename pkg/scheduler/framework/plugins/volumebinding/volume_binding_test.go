package volumebinding

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/resource"
	"github.com/tinykube/tinykube/pkg/api/storage"
	"github.com/tinykube/tinykube/pkg/scheduler/framework"
	st "github.com/tinykube/tinykube/pkg/scheduler/internal/testing"
)

// world is the claims, volumes and classes the plugin reads.
type world struct {
	mu      sync.Mutex
	claims  map[string]*core.PersistentVolumeClaim
	volumes map[string]*core.PersistentVolume
	classes map[string]*storage.StorageClass
}

func (w *world) lookups() Lookups {
	return Lookups{
		Claim: func(_, name string) (*core.PersistentVolumeClaim, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if c, ok := w.claims[name]; ok {
				return c, nil
			}
			return nil, apierrors.NewNotFound("", "persistentvolumeclaims", name)
		},
		Volume: func(name string) (*core.PersistentVolume, error) {
			if v, ok := w.volumes[name]; ok {
				return v, nil
			}
			return nil, apierrors.NewNotFound("", "persistentvolumes", name)
		},
		Class: func(name string) (*storage.StorageClass, error) {
			if c, ok := w.classes[name]; ok {
				return c, nil
			}
			return nil, apierrors.NewNotFound("storage.k8s.io", "storageclasses", name)
		},
		AllVolumes: func() ([]*core.PersistentVolume, error) {
			var out []*core.PersistentVolume
			for _, v := range w.volumes {
				out = append(out, v)
			}
			return out, nil
		},
	}
}

func claim(name, class, volume string) *core.PersistentVolumeClaim {
	return &core.PersistentVolumeClaim{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "ns", UID: "uid-" + name},
		Spec: core.PersistentVolumeClaimSpec{StorageClassName: meta.Ptr(class), VolumeName: volume,
			AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce},
			Resources:   core.VolumeResourceRequirements{Requests: core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")}}}}
}

func volume(name, class, node string) *core.PersistentVolume {
	v := &core.PersistentVolume{ObjectMeta: meta.ObjectMeta{Name: name}, Spec: core.PersistentVolumeSpec{StorageClassName: class,
		Capacity:    core.ResourceList{core.ResourceStorage: resource.MustParse("1Gi")},
		AccessModes: []core.PersistentVolumeAccessMode{core.ReadWriteOnce}}, Status: core.PersistentVolumeStatus{Phase: core.VolumeAvailable}}
	if node != "" {
		v.Spec.NodeAffinity = &core.VolumeNodeAffinity{Required: &core.NodeSelector{NodeSelectorTerms: []core.NodeSelectorTerm{{
			MatchExpressions: []core.NodeSelectorRequirement{{Key: core.LabelHostname, Operator: core.NodeSelectorOpIn, Values: []string{node}}}}}}}
	}
	return v
}

func podWithClaims(names ...string) *core.Pod {
	p := st.MakePod().Name("p").Namespace("ns").Obj()
	for _, n := range names {
		p.Spec.Volumes = append(p.Spec.Volumes, core.Volume{Name: n, VolumeSource: core.VolumeSource{
			PersistentVolumeClaim: &core.PersistentVolumeClaimVolumeSource{ClaimName: n}}})
	}
	return p
}

func newWorld() *world {
	return &world{
		claims: map[string]*core.PersistentVolumeClaim{
			"bound-n1":  claim("bound-n1", "manual", "pv-n1"),
			"bound-any": claim("bound-any", "manual", "pv-any"),
			"immediate": claim("immediate", "fast", ""),
			"noclass":   claim("noclass", "", ""),
			"wffc":      claim("wffc", "standard", ""),
			"local":     claim("local", "local", ""),
			"dangling":  claim("dangling", "manual", "pv-gone"),
		},
		volumes: map[string]*core.PersistentVolume{
			"pv-n1": volume("pv-n1", "manual", "n1"), "pv-any": volume("pv-any", "manual", ""),
			"local-n2": volume("local-n2", "local", "n2"),
		},
		classes: map[string]*storage.StorageClass{
			"fast": {ObjectMeta: meta.ObjectMeta{Name: "fast"}, Provisioner: "tinykube.io/host-path"},
			"standard": {ObjectMeta: meta.ObjectMeta{Name: "standard"}, Provisioner: "tinykube.io/host-path",
				VolumeBindingMode: meta.Ptr(storage.VolumeBindingWaitForFirstConsumer)},
			"local": {ObjectMeta: meta.ObjectMeta{Name: "local"}, Provisioner: storage.NoProvisioner,
				VolumeBindingMode: meta.Ptr(storage.VolumeBindingWaitForFirstConsumer)},
		},
	}
}

func TestPreFilterAndFilter(t *testing.T) {
	node := func(name string) *framework.NodeInfo {
		return st.NodeInfo(st.MakeNode().Name(name).Label(core.LabelHostname, name).Obj())
	}
	unresolvable := func(msg string) *framework.Status {
		return framework.NewStatus(framework.UnschedulableAndUnresolvable, msg)
	}
	for _, tc := range []struct {
		name      string
		pod       *core.Pod
		preFilter *framework.Status
		// filter results on n1 and n2 (when PreFilter passes)
		n1, n2 *framework.Status
	}{
		{"no claims", podWithClaims(), framework.NewStatus(framework.Skip), nil, nil},
		{"missing claim", podWithClaims("nope"), unresolvable(`persistentvolumeclaim "nope" not found`), nil, nil},
		{"bound, volume pinned to n1", podWithClaims("bound-n1"), nil, nil, unresolvable(ErrReasonNodeConflict)},
		{"bound, volume anywhere", podWithClaims("bound-any"), nil, nil, nil},
		{"bound to a missing volume", podWithClaims("dangling"), unresolvable(ErrReasonNotFoundPV), nil, nil},
		{"unbound immediate", podWithClaims("bound-any", "immediate"), unresolvable(ErrReasonUnboundImmediate), nil, nil},
		{"unbound without class", podWithClaims("noclass"), unresolvable(ErrReasonUnboundImmediate), nil, nil},
		{"wait for first consumer, provisioner", podWithClaims("wffc"), nil, nil, nil},
		{"wait for first consumer, static local volume on n2", podWithClaims("local"), nil,
			framework.NewStatus(framework.Unschedulable, ErrReasonBindConflict), nil},
		{"both constraints", podWithClaims("bound-n1", "local"), nil,
			framework.NewStatus(framework.Unschedulable, ErrReasonBindConflict), unresolvable(ErrReasonNodeConflict)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl := NewWithLookups(newWorld().lookups())
			state := framework.NewCycleState()
			if got := pl.PreFilter(context.Background(), state, tc.pod); !got.Equal(tc.preFilter) {
				t.Fatalf("PreFilter = %v, want %v", got, tc.preFilter)
			}
			if tc.preFilter != nil {
				return
			}
			for n, want := range map[string]*framework.Status{"n1": tc.n1, "n2": tc.n2} {
				if got := pl.Filter(context.Background(), state, tc.pod, node(n)); !got.Equal(want) {
					t.Errorf("Filter(%s) = %v, want %v", n, got, want)
				}
			}
		})
	}
}

// TestPreBind: the selected node is written to the waiting claim, and
// PreBind returns once the claim is bound; without a binder it times out.
func TestPreBind(t *testing.T) {
	w := newWorld()
	pl := NewWithLookups(w.lookups())
	pl.interval, pl.bindTimeout = time.Millisecond, 5*time.Second
	annotated := make(chan string, 1)
	pl.annotate = func(_ context.Context, c *core.PersistentVolumeClaim, node string) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		cp := meta.DeepCopy(w.claims[c.Name])
		cp.Annotations = map[string]string{core.AnnSelectedNode: node}
		w.claims[c.Name] = cp
		annotated <- node
		return nil
	}
	pod := podWithClaims("wffc", "bound-any")
	state := framework.NewCycleState()
	if s := pl.PreFilter(context.Background(), state, pod); !s.IsSuccess() {
		t.Fatal(s)
	}
	done := make(chan *framework.Status, 1)
	go func() { done <- pl.PreBind(context.Background(), state, pod, "n1") }()
	if got := <-annotated; got != "n1" {
		t.Fatalf("selected node %q", got)
	}
	w.mu.Lock()
	bound := meta.DeepCopy(w.claims["wffc"])
	bound.Spec.VolumeName, bound.Status.Phase = "pvc-x", core.ClaimBound
	w.claims["wffc"] = bound
	w.mu.Unlock()
	if s := <-done; !s.IsSuccess() {
		t.Fatalf("PreBind = %v", s)
	}

	pl.bindTimeout = 20 * time.Millisecond
	state = framework.NewCycleState()
	pod = podWithClaims("local")
	if s := pl.PreFilter(context.Background(), state, pod); !s.IsSuccess() {
		t.Fatal(s)
	}
	go func() { <-annotated }()
	if s := pl.PreBind(context.Background(), state, pod, "n2"); s.IsSuccess() {
		t.Fatalf("PreBind without a binder succeeded")
	}
}
