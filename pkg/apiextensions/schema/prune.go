package schema

import (
	"slices"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
)

// Prune removes from content, in place, every field the schema does not
// specify, as Kubernetes prunes custom objects: an object keeps the keys
// its properties name (and, with a schema in additionalProperties, every
// key); below x-kubernetes-preserve-unknown-fields unknown keys stay (known
// ones are still pruned inside); an embedded resource keeps apiVersion and
// kind, and its metadata keeps ObjectMeta's fields. It returns the pruned
// paths, sorted, named as Kubernetes names them for strict field
// validation (".spec.foo", ".spec.list[0].bar"). A nil schema prunes
// nothing.
func Prune(s *apiextensions.JSONSchemaProps, content map[string]any) []string {
	if s == nil {
		return nil
	}
	var p pruner
	p.value(s, content, "", true)
	slices.Sort(p.pruned)
	return p.pruned
}

type pruner struct {
	pruned []string
}

// value prunes x at path by s (nil: x's keys are all unknown). embedded
// marks an object whose apiVersion, kind and metadata are kept (the root
// and x-kubernetes-embedded-resource values).
func (p *pruner) value(s *apiextensions.JSONSchemaProps, x any, path string, embedded bool) {
	preserve := s != nil && s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields
	if s != nil && s.XEmbeddedResource {
		embedded = true
	}
	switch x := x.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			kp := path + "." + k
			if embedded && metaFields[k] {
				if k == "metadata" && path != "" {
					p.meta(x[k], kp)
				}
				continue
			}
			var ps *apiextensions.JSONSchemaProps
			if s != nil {
				if prop, ok := s.Properties[k]; ok {
					ps = &prop
				} else if ap := s.AdditionalProperties; ap != nil && ap.Schema != nil {
					ps = ap.Schema
				}
			}
			switch {
			case ps != nil:
				p.value(ps, x[k], kp, false)
			case !preserve:
				delete(x, k)
				p.pruned = append(p.pruned, kp)
			}
		}
	case []any:
		var items *apiextensions.JSONSchemaProps
		if s != nil && s.Items != nil {
			items = s.Items.Schema
		}
		if items == nil && preserve {
			return
		}
		for i, e := range x {
			p.value(items, e, indexPath(path, i), false)
		}
	}
}

// meta prunes an embedded resource's metadata to ObjectMeta's fields.
func (p *pruner) meta(md any, path string) {
	m, ok := md.(map[string]any)
	if !ok {
		return
	}
	for _, k := range sortedKeys(m) {
		if !objectMetaFields[k] {
			delete(m, k)
			p.pruned = append(p.pruned, path+"."+k)
		}
	}
}
