package volume

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// FileProjection is one file of an API-backed volume.
type FileProjection struct {
	Data []byte
	Mode int32
}

// Payload is the files of a volume by their relative path.
type Payload map[string]FileProjection

// KeysPayload is the files of a config map's or secret's keys: every key
// with defaultMode, or only items (each with its own path and mode). A key an
// item names that data lacks is an error unless optional; kind names the
// source in that error ("configmap" or "secret").
func KeysPayload(data map[string][]byte, items []core.KeyToPath, defaultMode int32, optional bool, kind string) (Payload, error) {
	out := Payload{}
	if len(items) == 0 {
		for k, v := range data {
			out[k] = FileProjection{Data: v, Mode: defaultMode}
		}
		return out, nil
	}
	for _, it := range items {
		v, ok := data[it.Key]
		if !ok {
			if optional {
				continue
			}
			if kind == "secret" {
				return nil, fmt.Errorf("references non-existent secret key: %s", it.Key)
			}
			return nil, fmt.Errorf("configmap references non-existent config key: %s", it.Key)
		}
		mode := defaultMode
		if it.Mode != nil {
			mode = *it.Mode
		}
		out[it.Path] = FileProjection{Data: v, Mode: mode}
	}
	return out, nil
}

// ConfigMapData is a config map's data and binaryData as file contents.
func ConfigMapData(cm *core.ConfigMap) map[string][]byte {
	out := make(map[string][]byte, len(cm.Data)+len(cm.BinaryData))
	for k, v := range cm.Data {
		out[k] = []byte(v)
	}
	for k, v := range cm.BinaryData {
		out[k] = v
	}
	return out
}

// SecretData is a secret's data (stringData too, should a stored secret
// still carry it).
func SecretData(s *core.Secret) map[string][]byte {
	out := make(map[string][]byte, len(s.Data)+len(s.StringData))
	for k, v := range s.Data {
		out[k] = v
	}
	for k, v := range s.StringData {
		out[k] = []byte(v)
	}
	return out
}

// ResourceResolver resolves a downward API resourceFieldRef of the pod (the
// kubelet fills unset limits with the node's allocatable).
type ResourceResolver func(*core.ResourceFieldSelector) (string, error)

// DownwardAPIPayload is the files of downward API items: pod fields (the
// whole labels and annotations maps as Kubernetes formats them, one
// key="value" per line in key order) and container resources.
func DownwardAPIPayload(pod *core.Pod, items []core.DownwardAPIVolumeFile, defaultMode int32, resources ResourceResolver) (Payload, error) {
	out := Payload{}
	for _, it := range items {
		var v string
		var err error
		switch {
		case it.FieldRef != nil:
			switch it.FieldRef.FieldPath {
			case "metadata.labels":
				v = FormatMap(pod.Labels)
			case "metadata.annotations":
				v = FormatMap(pod.Annotations)
			default:
				v, err = core.PodFieldValue(pod, it.FieldRef.FieldPath, "", "")
			}
		case it.ResourceFieldRef != nil:
			if resources == nil {
				err = fmt.Errorf("resourceFieldRef %s: no resources known", it.ResourceFieldRef.Resource)
			} else {
				v, err = resources(it.ResourceFieldRef)
			}
		default:
			err = fmt.Errorf("item %s: neither fieldRef nor resourceFieldRef", it.Path)
		}
		if err != nil {
			return nil, fmt.Errorf("downward API item %s: %w", it.Path, err)
		}
		mode := defaultMode
		if it.Mode != nil {
			mode = *it.Mode
		}
		out[it.Path] = FileProjection{Data: []byte(v), Mode: mode}
	}
	return out, nil
}

// FormatMap formats labels or annotations as a downward API file: key="value"
// lines (the value quoted as Go quotes it) in key order, without a final
// newline.
func FormatMap(m map[string]string) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(k + "=" + strconv.Quote(m[k]))
	}
	return b.String()
}
