package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/registry"
)

// Info is one object a command works on: named on the command line, or
// read from a manifest (Object set).
type Info struct {
	Resource  *registry.Resource
	Namespace string
	Name      string
	// Object is the manifest's object (nil for objects named by arguments).
	Object *clientset.Unstructured
	// Source is the file the object came from ("" for arguments, "-" for stdin).
	Source string
}

// Ref renders "pod/web" (kubectl's resource/name form: lower-case kind,
// qualified by group for named groups).
func (i *Info) Ref() string { return ResourceRef(i.Resource, i.Name) }

// ResourceRef renders "pod/web" or "deployment.apps/web".
func ResourceRef(r *registry.Resource, name string) string {
	kind := lower(r.Kind)
	if r.Group != "" {
		kind += "." + r.Group
	}
	return kind + "/" + name
}

// TypeArgs is what resource arguments say: either types with optional
// names ("po,deploy", "pods web db") or explicit TYPE/NAME pairs.
type TypeArgs struct {
	Types []*registry.Resource
	Names []string
	// Pairs is set for the TYPE/NAME form.
	Pairs []Info
}

// parseTypeArgs reads kubectl's resource argument forms.
func (e *Env) parseTypeArgs(ctx context.Context, args []string) (*TypeArgs, error) {
	if len(args) == 0 {
		return nil, usageError("you must specify the type of resource to get. Use \"ctl api-resources\" for a complete list of supported resources")
	}
	out := &TypeArgs{}
	if strings.Contains(args[0], "/") {
		for _, a := range args {
			typ, name, ok := strings.Cut(a, "/")
			if !ok || typ == "" || name == "" {
				return nil, usageError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'ctl get resource/<resource_name>' instead of 'ctl get resource resource/<resource_name>'")
			}
			r, err := e.resolve(ctx, typ)
			if err != nil {
				return nil, err
			}
			out.Pairs = append(out.Pairs, Info{Resource: r, Name: name})
		}
		return out, nil
	}
	for _, t := range strings.Split(args[0], ",") {
		if t == "" {
			continue
		}
		if cat := e.category(ctx, t); len(cat) > 0 {
			out.Types = append(out.Types, cat...)
			continue
		}
		r, err := e.resolve(ctx, t)
		if err != nil {
			return nil, err
		}
		out.Types = append(out.Types, r)
	}
	for _, a := range args[1:] {
		if strings.Contains(a, "/") {
			return nil, usageError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'ctl get resource/<resource_name>' instead of 'ctl get resource resource/<resource_name>'")
		}
		out.Names = append(out.Names, a)
	}
	return out, nil
}

// namedInfos lists the named objects of ta (nil when ta names none).
func (ta *TypeArgs) namedInfos(ns string) []Info {
	var out []Info
	for _, p := range ta.Pairs {
		p.Namespace = ns
		out = append(out, p)
	}
	for _, r := range ta.Types {
		for _, n := range ta.Names {
			out = append(out, Info{Resource: r, Namespace: ns, Name: n})
		}
	}
	return out
}

// readManifests reads every object of the -f arguments: files,
// directories (their .yaml, .yml and .json files) and "-" for stdin.
func (e *Env) readManifests(ctx context.Context, paths []string, recursive bool) ([]Info, error) {
	ns, err := e.Namespace()
	if err != nil {
		return nil, err
	}
	explicitNS := e.Client.Namespace != ""
	var out []Info
	for _, p := range paths {
		docs, err := e.readPath(p, recursive)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			infos, err := e.infosFromDoc(ctx, d, ns, explicitNS)
			if err != nil {
				return nil, err
			}
			out = append(out, infos...)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no objects passed to apply")
	}
	return out, nil
}

// document is one YAML or JSON document of a file.
type document struct {
	source string
	data   []byte
}

func (e *Env) readPath(p string, recursive bool) ([]document, error) {
	if p == "-" {
		b, err := io.ReadAll(e.Streams.In)
		if err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
		return splitDocuments("-", b), nil
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("the path %q does not exist", p)
	}
	if !st.IsDir() {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		return splitDocuments(p, b), nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", p, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var out []document
	for _, ent := range entries {
		full := filepath.Join(p, ent.Name())
		if ent.IsDir() {
			if recursive {
				sub, err := e.readPath(full, true)
				if err != nil {
					return nil, err
				}
				out = append(out, sub...)
			}
			continue
		}
		switch filepath.Ext(ent.Name()) {
		case ".yaml", ".yml", ".json":
			docs, err := e.readPath(full, false)
			if err != nil {
				return nil, err
			}
			out = append(out, docs...)
		}
	}
	return out, nil
}

// splitDocuments splits multi-document YAML on "---" lines.
func splitDocuments(source string, b []byte) []document {
	var out []document
	var cur bytes.Buffer
	flush := func() {
		if len(bytes.TrimSpace(cur.Bytes())) > 0 {
			out = append(out, document{source: source, data: append([]byte(nil), cur.Bytes()...)})
		}
		cur.Reset()
	}
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if t := bytes.TrimRight(line, " \t\r\n"); bytes.Equal(t, []byte("---")) || bytes.HasPrefix(t, []byte("--- ")) {
			flush()
			continue
		}
		cur.Write(line)
	}
	flush()
	return out
}

// infosFromDoc decodes one document (an object or a kind: List).
func (e *Env) infosFromDoc(ctx context.Context, d document, ns string, explicitNS bool) ([]Info, error) {
	js, err := yaml.YAMLToJSON(d.data)
	if err != nil {
		return nil, fmt.Errorf("error parsing %s: %w", d.source, err)
	}
	if string(bytes.TrimSpace(js)) == "null" {
		return nil, nil
	}
	u := &clientset.Unstructured{}
	if err := json.Unmarshal(js, u); err != nil {
		return nil, fmt.Errorf("error decoding %s: %w", d.source, err)
	}
	if items, ok := u.Object["items"].([]any); ok && strings.HasSuffix(u.GetKind(), "List") {
		var out []Info
		for _, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("error decoding %s: a list item is not an object", d.source)
			}
			info, err := e.infoFromObject(ctx, &clientset.Unstructured{Object: m}, d.source, ns, explicitNS)
			if err != nil {
				return nil, err
			}
			out = append(out, info)
		}
		return out, nil
	}
	info, err := e.infoFromObject(ctx, u, d.source, ns, explicitNS)
	if err != nil {
		return nil, err
	}
	return []Info{info}, nil
}

func (e *Env) infoFromObject(ctx context.Context, u *clientset.Unstructured, source, ns string, explicitNS bool) (Info, error) {
	if u.GetKind() == "" || u.GetAPIVersion() == "" {
		return Info{}, fmt.Errorf("error validating %q: error validating data: [apiVersion not set, kind not set]", source)
	}
	gv, err := meta.ParseGroupVersion(u.GetAPIVersion())
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w", source, err)
	}
	r, err := e.byKind(ctx, gv, u.GetKind())
	if errors.Is(err, errNoKindMatch) {
		return Info{}, fmt.Errorf("resource mapping not found for name: %q namespace: %q from %q: no matches for kind %q in version %q\nensure CRDs are installed first",
			u.GetName(), u.GetNamespace(), source, u.GetKind(), u.GetAPIVersion())
	}
	if err != nil {
		return Info{}, err
	}
	info := Info{Resource: r, Name: u.GetName(), Object: u, Source: source}
	if r.Namespaced {
		objNS := u.GetNamespace()
		switch {
		case objNS == "":
			setNested(u.Object, ns, "metadata", "namespace")
			objNS = ns
		case explicitNS && objNS != ns:
			return Info{}, fmt.Errorf("the namespace from the provided object %q does not match the namespace %q. You must pass '--namespace=%s' to perform this operation", objNS, ns, objNS)
		}
		info.Namespace = objNS
	}
	return info, nil
}

// setNested sets m[path...] = v, creating maps on the way.
func setNested(m map[string]any, v any, path ...string) {
	for _, p := range path[:len(path)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// nested reads m[path...].
func nested(m map[string]any, path ...string) (any, bool) {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = mm[p]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// typedObject converts an unstructured object to the resource's Go type.
func typedObject(r *registry.Resource, u *clientset.Unstructured) (meta.Object, error) {
	b, err := json.Marshal(u)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", r.Kind, err)
	}
	obj := r.New()
	if err := json.Unmarshal(b, obj); err != nil {
		return nil, fmt.Errorf("decode %s: %w", r.Kind, err)
	}
	return obj, nil
}
