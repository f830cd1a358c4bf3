package volume

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/kubelet/token"
)

// Getter reads the API objects volumes need: the config maps and secrets
// volumes project, the claims, persistent volumes and node a
// persistentVolumeClaim volume resolves through; and it requests the
// service account tokens projected volumes hold.
type Getter interface {
	CreateToken(ctx context.Context, namespace, serviceAccount string, tr *authentication.TokenRequest) (*authentication.TokenRequest, error)
	ConfigMap(ctx context.Context, namespace, name string) (*core.ConfigMap, error)
	Secret(ctx context.Context, namespace, name string) (*core.Secret, error)
	PersistentVolumeClaim(ctx context.Context, namespace, name string) (*core.PersistentVolumeClaim, error)
	PersistentVolume(ctx context.Context, name string) (*core.PersistentVolume, error)
	Node(ctx context.Context, name string) (*core.Node, error)
}

// Options configure NewManager.
type Options struct {
	// RootDir is the kubelet's root directory (--root-dir).
	RootDir string
	Getter  Getter
	// CanMount says the kubelet may mount (a tmpfs for emptyDir medium
	// Memory; without it such a volume is a plain directory).
	CanMount bool
	// CacheTTL is how long a config map or secret read is reused (default
	// 5s): a change reaches the files of running pods within it and the
	// pod's next sync.
	CacheTTL time.Duration
	// ReclaimPeriod is how often Run looks for deleted provisioned
	// volumes whose data is to be removed (default 10s).
	ReclaimPeriod time.Duration
	// Now is the clock of service account token refreshes (nil: time.Now).
	Now    func() time.Time
	Logger *zap.Logger
}

// Manager sets up and tears down pods' volumes. Its methods are safe for
// concurrent use; one pod's calls must not overlap (the pod worker's syncs
// never do).
type Manager struct {
	opts   Options
	log    *zap.Logger
	cache  *objectCache
	tokens *token.Manager

	mu sync.Mutex
	// claims are the persistentVolumeClaim volumes set up, by pod uid and
	// volume name: once resolved, a pod keeps its volume (as Kubernetes'
	// mounted volume stays until the pod goes).
	claims map[string]map[string]ClaimedVolume
}

// NewManager returns a Manager for opts.
func NewManager(opts Options) *Manager {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 5 * time.Second
	}
	if opts.ReclaimPeriod <= 0 {
		opts.ReclaimPeriod = 10 * time.Second
	}
	// Volume paths are mount sources, resolved by a container init that
	// runs in another directory: a relative --root-dir (make run's) must
	// not stay relative.
	if abs, err := filepath.Abs(opts.RootDir); err == nil && opts.RootDir != "" {
		opts.RootDir = abs
	}
	m := &Manager{opts: opts, log: opts.Logger, cache: newObjectCache(opts.Getter, opts.CacheTTL),
		claims: map[string]map[string]ClaimedVolume{}}
	if opts.Getter != nil {
		m.tokens = token.NewManager(opts.Getter.CreateToken, opts.Now)
	}
	return m
}

// SetUpError is a volume that could not be set up.
type SetUpError struct {
	Volume string
	Err    error
}

// Error is the message of Kubernetes' FailedMount event: "MountVolume.SetUp
// failed ...", or "MountVolume.NodeAffinity check failed ..." for a
// persistent volume of another node.
func (e *SetUpError) Error() string {
	op := "SetUp"
	if _, ok := errors.AsType[*NodeAffinityError](e.Err); ok {
		op = "NodeAffinity check"
	}
	return fmt.Sprintf("MountVolume.%s failed for volume %q : %v", op, e.Volume, e.Err)
}

func (e *SetUpError) Unwrap() error { return e.Err }

// CanMount says whether the kubelet may mount (Options.CanMount).
func (m *Manager) CanMount() bool { return m.opts.CanMount }

// Volumes is where the pod's volumes are on the host (PodVolumes under the
// manager's root, and the persistentVolumeClaim volumes SetUp resolved).
func (m *Manager) Volumes(pod *core.Pod) map[string]HostVolume {
	out := PodVolumes(m.opts.RootDir, pod)
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, cv := range m.claims[string(pod.UID)] {
		out[name] = cv.HostVolume
	}
	return out
}

// claimed is the pod's claim volume already set up, if any.
func (m *Manager) claimed(podUID, volume string) (ClaimedVolume, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cv, ok := m.claims[podUID][volume]
	return cv, ok
}

func (m *Manager) setClaimed(podUID, volume string, cv ClaimedVolume) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.claims[podUID] == nil {
		m.claims[podUID] = map[string]ClaimedVolume{}
	}
	m.claims[podUID][volume] = cv
}

// SetUp makes every volume of the pod ready and brings the files of its
// API-backed volumes up to date (a changed config map or secret is written
// anew). It stops at the first volume that fails (a *SetUpError).
func (m *Manager) SetUp(ctx context.Context, pod *core.Pod, resources ResourceResolver) error {
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if err := m.setUpVolume(ctx, pod, v, resources); err != nil {
			return &SetUpError{Volume: v.Name, Err: err}
		}
	}
	return nil
}

func (m *Manager) setUpVolume(ctx context.Context, pod *core.Pod, v *core.Volume, resources ResourceResolver) error {
	src := &v.VolumeSource
	dir := Path(m.opts.RootDir, string(pod.UID), v)
	switch {
	case src.PersistentVolumeClaim != nil:
		if _, ok := m.claimed(string(pod.UID), v.Name); ok {
			return nil
		}
		cv, err := m.setUpClaim(ctx, pod, src.PersistentVolumeClaim)
		if err != nil {
			return err
		}
		m.setClaimed(string(pod.UID), v.Name, cv)
		m.log.Info("persistent volume set up", zap.String("pod", pod.Namespace+"/"+pod.Name), zap.String("volume", v.Name),
			zap.String("persistentVolume", cv.PV.Name), zap.String("path", cv.Path))
		return nil
	case src.HostPath != nil:
		return setUpHostPath(src.HostPath)
	case src.EmptyDir != nil:
		return m.setUpEmptyDir(dir, src.EmptyDir)
	case src.ConfigMap != nil, src.Secret != nil, src.DownwardAPI != nil, src.Projected != nil:
		payload, err := m.payload(ctx, pod, src, resources)
		if err != nil {
			return err
		}
		wrote, err := WriteAtomic(dir, payload)
		if wrote && err == nil {
			m.log.Debug("volume files written", zap.String("pod", pod.Namespace+"/"+pod.Name),
				zap.String("volume", v.Name), zap.Int("files", len(payload)))
		}
		return err
	}
	return errors.New("the volume's type is not supported by this kubelet (emptyDir, hostPath, configMap, secret, downwardAPI, projected, persistentVolumeClaim are)")
}

// payload is the files of an API-backed volume.
func (m *Manager) payload(ctx context.Context, pod *core.Pod, src *core.VolumeSource, resources ResourceResolver) (Payload, error) {
	switch {
	case src.ConfigMap != nil:
		s := src.ConfigMap
		return m.configMapPayload(ctx, pod.Namespace, s.Name, s.Items, mode(s.DefaultMode), isTrue(s.Optional))
	case src.Secret != nil:
		s := src.Secret
		return m.secretPayload(ctx, pod.Namespace, s.SecretName, s.Items, mode(s.DefaultMode), isTrue(s.Optional))
	case src.DownwardAPI != nil:
		return DownwardAPIPayload(pod, src.DownwardAPI.Items, mode(src.DownwardAPI.DefaultMode), resources)
	}
	out := Payload{}
	defaultMode := mode(src.Projected.DefaultMode)
	for _, s := range src.Projected.Sources {
		var part Payload
		var err error
		switch {
		case s.ConfigMap != nil:
			part, err = m.configMapPayload(ctx, pod.Namespace, s.ConfigMap.Name, s.ConfigMap.Items, defaultMode, isTrue(s.ConfigMap.Optional))
		case s.Secret != nil:
			part, err = m.secretPayload(ctx, pod.Namespace, s.Secret.Name, s.Secret.Items, defaultMode, isTrue(s.Secret.Optional))
		case s.DownwardAPI != nil:
			part, err = DownwardAPIPayload(pod, s.DownwardAPI.Items, defaultMode, resources)
		case s.ServiceAccountToken != nil:
			part, err = m.tokenPayload(ctx, pod, s.ServiceAccountToken, defaultMode)
		}
		if err != nil {
			return nil, err
		}
		for p, f := range part {
			out[p] = f
		}
	}
	return out, nil
}

// tokenPayload is the file of a projected serviceAccountToken source: a
// token of the pod's service account for the source's audience ("" the
// API's) and expiration, bound to the pod, from the token manager (which
// refreshes it after 80% of its lifetime).
func (m *Manager) tokenPayload(ctx context.Context, pod *core.Pod, src *core.ServiceAccountTokenProjection, mode int32) (Payload, error) {
	if m.tokens == nil {
		return nil, errors.New("no service account token source")
	}
	tr := &authentication.TokenRequest{Spec: authentication.TokenRequestSpec{ExpirationSeconds: src.ExpirationSeconds,
		BoundObjectRef: &authentication.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: pod.Name, UID: string(pod.UID)}}}
	if src.Audience != "" {
		tr.Spec.Audiences = []string{src.Audience}
	}
	authentication.DefaultTokenRequest(tr)
	sa := pod.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	got, err := m.tokens.GetServiceAccountToken(ctx, pod.Namespace, sa, tr)
	if err != nil {
		return nil, err
	}
	return Payload{src.Path: {Data: []byte(got.Status.Token), Mode: mode}}, nil
}

func (m *Manager) configMapPayload(ctx context.Context, ns, name string, items []core.KeyToPath, defaultMode int32, optional bool) (Payload, error) {
	cm, err := m.cache.configMap(ctx, ns, name)
	switch {
	case apierrors.IsNotFound(err) && optional:
		return Payload{}, nil
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("configmap %q not found", name)
	case err != nil:
		return nil, err
	}
	return KeysPayload(ConfigMapData(cm), items, defaultMode, optional, "configmap")
}

func (m *Manager) secretPayload(ctx context.Context, ns, name string, items []core.KeyToPath, defaultMode int32, optional bool) (Payload, error) {
	s, err := m.cache.secret(ctx, ns, name)
	switch {
	case apierrors.IsNotFound(err) && optional:
		return Payload{}, nil
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("secret %q not found", name)
	case err != nil:
		return nil, err
	}
	return KeysPayload(SecretData(s), items, defaultMode, optional, "secret")
}

// setUpEmptyDir makes an emptyDir's directory (mode 0777, as Kubernetes);
// medium Memory mounts a tmpfs there when the kubelet can mount.
func (m *Manager) setUpEmptyDir(dir string, src *core.EmptyDirVolumeSource) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return fmt.Errorf("create emptyDir: %w", err)
	}
	if src.Medium == core.StorageMediumMemory && m.opts.CanMount {
		mounted, err := isMountPoint(dir)
		if err != nil {
			return err
		}
		if !mounted {
			var size int64
			if src.SizeLimit != nil {
				size = src.SizeLimit.Value()
			}
			if err := mountTmpfs(dir, size); err != nil {
				return fmt.Errorf("mount tmpfs for emptyDir: %w", err)
			}
		}
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		return fmt.Errorf("chmod emptyDir: %w", err)
	}
	return nil
}

// TearDown removes the pod's volume directories once its containers are
// gone, unmounting any tmpfs first. Host paths and persistent volumes'
// data are left alone.
func (m *Manager) TearDown(podUID string) error {
	m.mu.Lock()
	delete(m.claims, podUID)
	m.mu.Unlock()
	if m.tokens != nil {
		m.tokens.DeleteServiceAccountToken(podUID)
	}
	root := PodVolumesDir(m.opts.RootDir, podUID)
	emptyDirs, _ := filepath.Glob(filepath.Join(root, escapePluginName(PluginEmptyDir), "*"))
	for _, d := range emptyDirs {
		mounted, err := isMountPoint(d)
		if err != nil || !mounted {
			continue
		}
		if err := unmount(d); err != nil {
			return fmt.Errorf("unmount emptyDir %s: %w", d, err)
		}
	}
	if err := os.RemoveAll(root); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove volumes of pod %s: %w", podUID, err)
	}
	return nil
}

// isMountPoint says whether dir is on another device than its parent.
func isMountPoint(dir string) (bool, error) {
	a, err := os.Stat(dir)
	if err != nil {
		return false, fmt.Errorf("stat %s: %w", dir, err)
	}
	b, err := os.Stat(filepath.Dir(dir))
	if err != nil {
		return false, fmt.Errorf("stat %s: %w", filepath.Dir(dir), err)
	}
	return deviceOf(a) != deviceOf(b), nil
}

func mode(m *int32) int32 {
	if m == nil {
		return core.DefaultVolumeMode
	}
	return *m
}

func isTrue(b *bool) bool { return b != nil && *b }

// objectCache keeps config map and secret reads (and their not-found
// answers) for a TTL, as the kubelet's TTL-based object manager does.
type objectCache struct {
	get Getter
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	obj any
	err error
	at  time.Time
}

func newObjectCache(get Getter, ttl time.Duration) *objectCache {
	return &objectCache{get: get, ttl: ttl, entries: map[string]cacheEntry{}}
}

func (c *objectCache) configMap(ctx context.Context, ns, name string) (*core.ConfigMap, error) {
	obj, err := c.lookup(ctx, "configmaps/"+ns+"/"+name, func() (any, error) { return c.get.ConfigMap(ctx, ns, name) })
	if err != nil {
		return nil, err
	}
	return obj.(*core.ConfigMap), nil
}

func (c *objectCache) secret(ctx context.Context, ns, name string) (*core.Secret, error) {
	obj, err := c.lookup(ctx, "secrets/"+ns+"/"+name, func() (any, error) { return c.get.Secret(ctx, ns, name) })
	if err != nil {
		return nil, err
	}
	return obj.(*core.Secret), nil
}

func (c *objectCache) lookup(_ context.Context, key string, fetch func() (any, error)) (any, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok && now.Sub(e.at) >= c.ttl {
		delete(c.entries, key)
		ok = false
	}
	c.mu.Unlock()
	if ok {
		return e.obj, e.err
	}
	if c.get == nil {
		return nil, errors.New("no config map and secret source")
	}
	obj, err := fetch()
	if err == nil || apierrors.IsNotFound(err) {
		c.mu.Lock()
		c.entries[key] = cacheEntry{obj: obj, err: err, at: now}
		c.mu.Unlock()
	}
	return obj, err
}
