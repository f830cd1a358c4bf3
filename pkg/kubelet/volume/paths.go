package volume

import (
	"path/filepath"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// Plugin names, as Kubernetes' in-tree volume plugins are named.
const (
	PluginEmptyDir    = "kubernetes.io/empty-dir"
	PluginHostPath    = "kubernetes.io/host-path"
	PluginConfigMap   = "kubernetes.io/configmap"
	PluginSecret      = "kubernetes.io/secret"
	PluginDownwardAPI = "kubernetes.io/downward-api"
	PluginProjected   = "kubernetes.io/projected"
	// PluginLocal is the plugin of local persistent volumes (hostPath
	// persistent volumes are PluginHostPath).
	PluginLocal = "kubernetes.io/local-volume"
)

// PluginName is the plugin of a volume source ("" when none is set).
func PluginName(src *core.VolumeSource) string {
	switch {
	case src.EmptyDir != nil:
		return PluginEmptyDir
	case src.HostPath != nil:
		return PluginHostPath
	case src.ConfigMap != nil:
		return PluginConfigMap
	case src.Secret != nil:
		return PluginSecret
	case src.DownwardAPI != nil:
		return PluginDownwardAPI
	case src.Projected != nil:
		return PluginProjected
	}
	return ""
}

// escapePluginName is a plugin name as a directory name: '/' becomes '~'.
func escapePluginName(plugin string) string {
	out := []byte(plugin)
	for i, b := range out {
		if b == '/' {
			out[i] = '~'
		}
	}
	return string(out)
}

// PodVolumesDir is <root>/pods/<uid>/volumes.
func PodVolumesDir(root, podUID string) string {
	return filepath.Join(root, "pods", podUID, "volumes")
}

// Dir is the directory of a pod's volume: <root>/pods/<uid>/volumes/
// kubernetes.io~<plugin>/<name>.
func Dir(root, podUID, plugin, name string) string {
	return filepath.Join(PodVolumesDir(root, podUID), escapePluginName(plugin), name)
}

// Path is where a volume's data is on the host: its directory under the
// root, or the host path of a hostPath volume ("" for an unknown source).
func Path(root, podUID string, v *core.Volume) string {
	plugin := PluginName(&v.VolumeSource)
	switch plugin {
	case "":
		return ""
	case PluginHostPath:
		return filepath.Clean(v.HostPath.Path)
	}
	return Dir(root, podUID, plugin, v.Name)
}

// ReadOnlyPlugin says whether the plugin's volumes are always mounted
// read-only (the API-backed ones, as in Kubernetes since 1.10).
func ReadOnlyPlugin(plugin string) bool {
	switch plugin {
	case PluginConfigMap, PluginSecret, PluginDownwardAPI, PluginProjected:
		return true
	}
	return false
}
