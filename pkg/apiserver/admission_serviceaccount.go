package apiserver

import (
	"context"
	"fmt"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// mirrorPodAnnotation marks a kubelet's mirror of a static pod.
const mirrorPodAnnotation = "kubernetes.io/config.mirror"

// admitServiceAccount is the defaulting half of Kubernetes' ServiceAccount
// admission: a pod that names no service account runs as "default"
// (spec.serviceAccountName, and the deprecated spec.serviceAccount with
// it); a mirror pod is left alone. Unlike Kubernetes, a pod whose service
// account does not exist (yet) is not refused: namespaces and their pods
// are often created back to back, before the serviceaccount controller
// has made "default".
func admitServiceAccount(pod *core.Pod) {
	if _, mirror := pod.Annotations[mirrorPodAnnotation]; mirror {
		return
	}
	if pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = pod.Spec.DeprecatedServiceAccount
	}
	if pod.Spec.ServiceAccountName == "" {
		pod.Spec.ServiceAccountName = core.DefaultServiceAccountName
	}
	if pod.Spec.DeprecatedServiceAccount == "" {
		pod.Spec.DeprecatedServiceAccount = pod.Spec.ServiceAccountName
	}
}

// apiAccessTokenExpirationSeconds is the lifetime the volume's token asks
// for: Kubernetes' 3607, an hour and 7 s (Kubernetes' apiserver recognises
// these tokens by it; ours treats it as any lifetime); the kubelet
// refreshes the token after 80% of that.
const apiAccessTokenExpirationSeconds = 3607

// admitServiceAccountToken is the mounting half of the ServiceAccount
// admission: the pod gets its API access volume (see mountServiceAccountToken)
// unless it or its service account opts out. It runs only when the
// apiserver issues service account tokens (--service-account-signing-key-file):
// without them no kubelet could fill the volume's token and the pod would
// never start. A missing service account counts as one that does not opt
// out (such pods are not refused here, see admitServiceAccount).
func (s *Server) admitServiceAccountToken(ctx context.Context, pod *core.Pod) error {
	if s.cfg.ServiceAccountTokens == nil {
		return nil
	}
	if _, mirror := pod.Annotations[mirrorPodAnnotation]; mirror {
		return nil
	}
	if pod.Spec.AutomountServiceAccountToken != nil && !*pod.Spec.AutomountServiceAccountToken {
		return nil // the pod's word wins: no lookup
	}
	sa, err := s.serviceAccount(ctx, pod.Namespace, pod.Spec.ServiceAccountName)
	if err != nil {
		return err
	}
	if !shouldAutomount(sa, pod) {
		return nil
	}
	mountServiceAccountToken(pod, registry.GenerateName(core.APIAccessVolumePrefix))
	return nil
}

// serviceAccount reads a service account from the watch cache; nil when
// there is none.
func (s *Server) serviceAccount(ctx context.Context, namespace, name string) (*core.ServiceAccount, error) {
	res, ok := s.cfg.Resources.Lookup("", "v1", "serviceaccounts")
	if !ok || s.stores[res] == nil {
		return nil, nil
	}
	obj, err := s.stores[res].Get(ctx, res.Key(namespace, name), storage.GetOptions{ResourceVersion: "0"})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("service account admission: get serviceaccount %s/%s: %w", namespace, name, err)
	}
	sa, _ := obj.(*core.ServiceAccount)
	return sa, nil
}

// shouldAutomount is Kubernetes' rule: the pod's
// automountServiceAccountToken wins, then the service account's (sa may be
// nil), else the token is mounted.
func shouldAutomount(sa *core.ServiceAccount, pod *core.Pod) bool {
	if pod.Spec.AutomountServiceAccountToken != nil {
		return *pod.Spec.AutomountServiceAccountToken
	}
	if sa != nil && sa.AutomountServiceAccountToken != nil {
		return *sa.AutomountServiceAccountToken
	}
	return true
}

// mountServiceAccountToken adds, as Kubernetes' ServiceAccount admission,
// a read-only mount at DefaultAPITokenMountPath to every init container and
// container that has nothing mounted there, and, when one got it, the
// projected volume of apiAccessVolumeSource named volumeName (or reuses
// a kube-api-access- volume the pod already has).
func mountServiceAccountToken(pod *core.Pod, volumeName string) {
	hasVolume := false
	for _, v := range pod.Spec.Volumes {
		if strings.HasPrefix(v.Name, core.APIAccessVolumePrefix) {
			volumeName, hasVolume = v.Name, true
			break
		}
	}
	mount := core.VolumeMount{Name: volumeName, ReadOnly: true, MountPath: core.DefaultAPITokenMountPath}
	needed := false
	for _, cs := range [][]core.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range cs {
			if mountsAt(&cs[i], core.DefaultAPITokenMountPath) {
				continue
			}
			cs[i].VolumeMounts = append(cs[i].VolumeMounts, mount)
			needed = true
		}
	}
	if needed && !hasVolume {
		pod.Spec.Volumes = append(pod.Spec.Volumes, core.Volume{Name: volumeName,
			VolumeSource: core.VolumeSource{Projected: apiAccessVolumeSource()}})
	}
}

func mountsAt(c *core.Container, path string) bool {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return true
		}
	}
	return false
}

// apiAccessVolumeSource is the in-cluster configuration of a pod: a token
// of its service account, the cluster's CA from the kube-root-ca.crt
// ConfigMap and its namespace, files of mode 0644.
func apiAccessVolumeSource() *core.ProjectedVolumeSource {
	return &core.ProjectedVolumeSource{
		DefaultMode: meta.Ptr(core.DefaultVolumeMode),
		Sources: []core.VolumeProjection{
			{ServiceAccountToken: &core.ServiceAccountTokenProjection{Path: core.ServiceAccountTokenKey,
				ExpirationSeconds: meta.Ptr(int64(apiAccessTokenExpirationSeconds))}},
			{ConfigMap: &core.ConfigMapProjection{LocalObjectReference: core.LocalObjectReference{Name: core.RootCACertConfigMapName},
				Items: []core.KeyToPath{{Key: core.ServiceAccountRootCAKey, Path: core.ServiceAccountRootCAKey}}}},
			{DownwardAPI: &core.DownwardAPIProjection{Items: []core.DownwardAPIVolumeFile{{Path: core.ServiceAccountNamespaceKey,
				FieldRef: &core.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
		},
	}
}
