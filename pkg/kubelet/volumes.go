package kubelet

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
	"github.com/tinykube/tinykube/pkg/kubelet/volume"
)

// Waiting reason and event reason of volumes.
const (
	// ReasonCreateContainerError is the waiting reason of a container the
	// runtime could not create (its volume mounts cannot be made).
	ReasonCreateContainerError = "CreateContainerError"
	// EventFailedMount is the event of a volume that could not be set up.
	EventFailedMount = "FailedMount"
)

// APIGetter reads the objects volumes need (config maps, secrets, claims,
// persistent volumes, the node) from the apiserver, as the kubelet's
// identity: RBAC's system:node may get each of them.
type APIGetter struct{ Client *clientset.Clientset }

var _ volume.Getter = APIGetter{}

// ConfigMap implements volume.Getter.
func (g APIGetter) ConfigMap(ctx context.Context, ns, name string) (*core.ConfigMap, error) {
	return g.Client.CoreV1().ConfigMaps(ns).Get(ctx, name, meta.GetOptions{})
}

// Secret implements volume.Getter.
func (g APIGetter) Secret(ctx context.Context, ns, name string) (*core.Secret, error) {
	return g.Client.CoreV1().Secrets(ns).Get(ctx, name, meta.GetOptions{})
}

// PersistentVolumeClaim implements volume.Getter.
func (g APIGetter) PersistentVolumeClaim(ctx context.Context, ns, name string) (*core.PersistentVolumeClaim, error) {
	return g.Client.CoreV1().PersistentVolumeClaims(ns).Get(ctx, name, meta.GetOptions{})
}

// PersistentVolume implements volume.Getter.
func (g APIGetter) PersistentVolume(ctx context.Context, name string) (*core.PersistentVolume, error) {
	return g.Client.CoreV1().PersistentVolumes().Get(ctx, name, meta.GetOptions{})
}

// CreateToken implements volume.Getter: POST
// serviceaccounts/{name}/token, which node restriction allows a kubelet
// only for tokens bound to a pod of its node.
func (g APIGetter) CreateToken(ctx context.Context, ns, name string, tr *authentication.TokenRequest) (*authentication.TokenRequest, error) {
	body := *tr
	body.Kind, body.APIVersion = "TokenRequest", authentication.APIVersion
	out := &authentication.TokenRequest{}
	err := g.Client.RESTClient().Post().Namespace(ns).Resource("serviceaccounts").Name(name).SubResource("token").
		Body(&body).Do(ctx).Into(out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Node implements volume.Getter.
func (g APIGetter) Node(ctx context.Context, name string) (*core.Node, error) {
	return g.Client.CoreV1().Nodes().Get(ctx, name, meta.GetOptions{})
}

// setUpVolumes makes the pod's volumes ready and their files current; on
// failure it records a FailedMount event (once per distinct message) and
// says no container may start.
func (k *Kubelet) setUpVolumes(ctx context.Context, w *podWorker, pod *core.Pod) bool {
	if k.volumes == nil || len(pod.Spec.Volumes) == 0 {
		return true
	}
	err := k.volumes.SetUp(ctx, pod, k.resourceResolver(pod))
	if err == nil {
		w.mountErr = ""
		return true
	}
	if ctx.Err() == nil && err.Error() != w.mountErr {
		w.mountErr = err.Error()
		k.eventf(pod, core.EventTypeWarning, EventFailedMount, "%s", err.Error())
		k.log.Info("volume setup failed", zap.String("pod", pod.Namespace+"/"+pod.Name), zap.Error(err))
	}
	return false
}

// resourceResolver resolves a downward API resourceFieldRef of the pod's
// containers, unset limits being the node's allocatable.
func (k *Kubelet) resourceResolver(pod *core.Pod) volume.ResourceResolver {
	return func(fs *core.ResourceFieldSelector) (string, error) {
		c := findContainer(pod, fs.ContainerName)
		if c == nil {
			return "", fmt.Errorf("container %q not found", fs.ContainerName)
		}
		return core.ContainerResourceValue(fs, withDefaultLimits(c, k.cfg.Capacity))
	}
}

// containerMounts are the bind mounts of c's volumeMounts (subPathExpr
// expanded with its env); nil when the kubelet has no volume manager.
func (k *Kubelet) containerMounts(pod *core.Pod, c *core.Container, env *envVars) ([]runtime.Mount, error) {
	if k.volumes == nil || len(c.VolumeMounts) == 0 {
		return nil, nil
	}
	if !k.volumes.CanMount() {
		cc := *c
		cc.VolumeMounts = withoutAPIAccessMount(c.VolumeMounts)
		if len(cc.VolumeMounts) == 0 {
			return nil, nil
		}
		c = &cc
	}
	plans, err := volume.PlanMounts(k.volumes.Volumes(pod), c, func(s string) string { return expandVars(s, env.lookup) })
	if err != nil {
		return nil, err
	}
	return volume.PrepareMounts(plans)
}

// withoutAPIAccessMount drops the mount of the API access volume the
// ServiceAccount admission adds to every pod. A kubelet that cannot mount
// (make run as a user) refuses containers with volume mounts; without this,
// every pod of a cluster that issues service account tokens would wait in
// CreateContainerError. Such a container runs without its in-cluster
// credentials instead; mounts the user asked for are still refused.
func withoutAPIAccessMount(vms []core.VolumeMount) []core.VolumeMount {
	out := make([]core.VolumeMount, 0, len(vms))
	for _, vm := range vms {
		if strings.HasPrefix(vm.Name, core.APIAccessVolumePrefix) && vm.MountPath == core.DefaultAPITokenMountPath {
			continue
		}
		out = append(out, vm)
	}
	return out
}

// tearDownVolumes removes the pod's volumes once its containers are gone.
func (k *Kubelet) tearDownVolumes(uid string) {
	if k.volumes == nil {
		return
	}
	if err := k.volumes.TearDown(uid); err != nil {
		k.log.Warn("removing pod volumes failed", zap.String("uid", uid), zap.Error(err))
	}
}

// createError is the waiting state of a container the runtime refused to
// create, or nil for another error.
func createError(err error) *core.ContainerStateWaiting {
	if !errors.Is(err, runtime.ErrCreateContainer) {
		return nil
	}
	return &core.ContainerStateWaiting{Reason: ReasonCreateContainerError, Message: err.Error()}
}
