package volume

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// HostVolume is where one pod volume is on the host.
type HostVolume struct {
	Plugin string
	Path   string
	// ReadOnly: every mount of the volume is read-only (a claim's
	// readOnly).
	ReadOnly bool
}

// PodVolumes is where each of the pod's volumes is on the host, by name.
// It does no I/O.
func PodVolumes(root string, pod *core.Pod) map[string]HostVolume {
	out := make(map[string]HostVolume, len(pod.Spec.Volumes))
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if plugin := PluginName(&v.VolumeSource); plugin != "" {
			out[v.Name] = HostVolume{Plugin: plugin, Path: Path(root, string(pod.UID), v)}
		}
	}
	return out
}

// MountPlan is one volumeMount of a container resolved to host paths.
type MountPlan struct {
	runtime.Mount
	// VolumePath is the volume's host path; SubPath the relative path in it
	// the mount's Source points at ("" for the whole volume).
	VolumePath string
	SubPath    string
}

// PlanMounts resolves a container's volumeMounts: each is a bind mount of its
// volume's host path (or subPath, or subPathExpr expanded with expand, in
// it) at mountPath, read-only when asked (by the mount or the volume) or
// when the volume is API data (configMap, secret, downwardAPI, projected). Parents are mounted before
// what is under them. It does no I/O.
func PlanMounts(vols map[string]HostVolume, c *core.Container, expand func(string) string) ([]MountPlan, error) {
	out := make([]MountPlan, 0, len(c.VolumeMounts))
	for _, vm := range c.VolumeMounts {
		hv, ok := vols[vm.Name]
		if !ok {
			return nil, fmt.Errorf("cannot find volume %q to mount into container %q", vm.Name, c.Name)
		}
		sub := vm.SubPath
		if vm.SubPathExpr != "" {
			if expand == nil {
				return nil, fmt.Errorf("volumeMount %q: subPathExpr without an environment", vm.Name)
			}
			sub = expand(vm.SubPathExpr)
		}
		if sub != "" {
			if err := validateSubPath(sub); err != nil {
				return nil, fmt.Errorf("failed to prepare subPath for volumeMount %q of container %q: %w", vm.Name, c.Name, err)
			}
			sub = filepath.Clean(sub)
		}
		target := filepath.Join("/", vm.MountPath)
		if target == "/" {
			return nil, fmt.Errorf("volumeMount %q of container %q: cannot mount over /", vm.Name, c.Name)
		}
		out = append(out, MountPlan{
			Mount: runtime.Mount{Source: filepath.Join(hv.Path, sub), Target: target,
				ReadOnly: vm.ReadOnly || hv.ReadOnly || ReadOnlyPlugin(hv.Plugin)},
			VolumePath: hv.Path, SubPath: sub})
	}
	sort.SliceStable(out, func(i, j int) bool { return depth(out[i].Target) < depth(out[j].Target) })
	return out, nil
}

func depth(p string) int { return strings.Count(p, "/") }

// validateSubPath checks a subPath as Kubernetes does: relative, with no
// ".." element.
func validateSubPath(p string) error {
	if filepath.IsAbs(p) {
		return fmt.Errorf("subPath %q must be a relative path", p)
	}
	for _, e := range strings.Split(p, "/") {
		if e == ".." {
			return fmt.Errorf("subPath %q must not contain '..'", p)
		}
	}
	return nil
}

// PrepareMounts makes each planned subPath exist (a directory when missing,
// as Kubernetes does) and checks that it resolves inside its volume, then
// returns the mounts.
func PrepareMounts(plans []MountPlan) ([]runtime.Mount, error) {
	out := make([]runtime.Mount, 0, len(plans))
	for _, p := range plans {
		if p.SubPath != "" {
			if err := prepareSubPath(p); err != nil {
				return nil, err
			}
		}
		out = append(out, p.Mount)
	}
	return out, nil
}

func prepareSubPath(p MountPlan) error {
	if _, err := os.Lstat(p.Source); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(p.Source, 0o755); err != nil {
			return fmt.Errorf("create subPath %s: %w", p.SubPath, err)
		}
	}
	resolved, err := filepath.EvalSymlinks(p.Source)
	if err != nil {
		return fmt.Errorf("subPath %s: %w", p.SubPath, err)
	}
	base, err := filepath.EvalSymlinks(p.VolumePath)
	if err != nil {
		return fmt.Errorf("volume of subPath %s: %w", p.SubPath, err)
	}
	if resolved != base && !strings.HasPrefix(resolved, base+"/") {
		return fmt.Errorf("subPath %s resolves outside its volume", p.SubPath)
	}
	return nil
}
