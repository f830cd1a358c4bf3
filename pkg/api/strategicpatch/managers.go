package strategicpatch

import (
	"encoding/json"
	"fmt"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
	"reflect"
	"sort"
	"strings"
)

// Field ownership among managers, as Kubernetes' server-side apply keeps
// it in metadata.managedFields: every manager owns a FieldsV1 set; an
// apply that would change a field another manager owns fails with a
// conflict unless forced, and a forced apply or an update takes the field
// from its other owners.
//
// A FieldsV1 set here is a decoded FieldsV1 object read as an exact set of
// paths: a key whose value is an empty object is a member (a leaf field, an
// atomic value, a list item); a key with children is a member only when
// its children hold "." (the map or list item itself), else it only leads
// to the members below it.

// The operations of a managedFields entry.
const (
	OperationApply  = "Apply"
	OperationUpdate = "Update"
)

// Manager is one managedFields entry: who wrote, how, and the fields it owns.
type Manager struct {
	Name        string
	Operation   string
	APIVersion  string
	Subresource string
	Fields      map[string]any
}

// sameEntry says whether m and o are the same managedFields entry: appliers
// are one entry per name (and subresource) whatever the apiVersion, as in
// Kubernetes; updaters one per name, apiVersion and subresource.
func (m Manager) sameEntry(o Manager) bool {
	if m.Name != o.Name || m.Operation != o.Operation || m.Subresource != o.Subresource {
		return false
	}
	return m.Operation == OperationApply || m.APIVersion == o.APIVersion
}

// String renders the manager as Kubernetes' conflict messages do:
// "B", "B" with subresource "scale", "kubectl-edit" using apps/v1.
func (m Manager) String() string {
	s := fmt.Sprintf("%q", m.Name)
	if m.Subresource != "" {
		s += fmt.Sprintf(" with subresource %q", m.Subresource)
	}
	if m.Operation == OperationUpdate {
		s += " using " + m.APIVersion
	}
	return s
}

// Conflict is a field an apply would change that another manager owns.
type Conflict struct {
	Manager Manager // Fields unset
	Path    string  // .spec.replicas, .spec.containers[name="c"].image
}

// ConflictError is the failure of an apply that conflicts with other
// managers; its message is Kubernetes'.
type ConflictError struct {
	Conflicts []Conflict // sorted by manager, then path
}

func (e *ConflictError) Error() string {
	if len(e.Conflicts) == 1 {
		c := e.Conflicts[0]
		return fmt.Sprintf("Apply failed with 1 conflict: conflict with %s: %s", c.Manager, c.Path)
	}
	var lines []string
	last := ""
	for _, c := range e.Conflicts {
		if m := c.Manager.String(); m != last {
			lines = append(lines, fmt.Sprintf("conflicts with %s:", m))
			last = m
		}
		lines = append(lines, "- "+c.Path)
	}
	return fmt.Sprintf("Apply failed with %d conflicts: %s", len(e.Conflicts), strings.Join(lines, "\n"))
}

// ApplyAs is server-side apply by manager applier (its Name, APIVersion
// and Subresource; Operation and Fields are set here): config is merged
// into live (nil: the object does not exist yet; live is modified), the
// fields the applier applied before and no longer applies are removed
// unless another manager owns them, and the managers are updated: the
// applier's entry holds the fields config sets, and the fields the apply
// changed leave the other managers' sets (an entry left empty is dropped).
// When the apply changes the value of a field another manager owns, it
// fails with a *ConflictError, unless force.
func ApplyAs(live, config map[string]any, managers []Manager, applier Manager, force bool, dataStruct any) (map[string]any, []Manager, error) {
	t := reflect.TypeOf(dataStruct)
	applier.Operation, applier.Fields = OperationApply, nil
	next := FieldSet(config, t)
	var previous map[string]any
	others := make([]Manager, 0, len(managers))
	for _, m := range managers {
		if m.sameEntry(applier) {
			previous = m.Fields
			continue
		}
		others = append(others, m)
	}
	before := map[string]any{}
	if live != nil {
		before = unstructured.DeepCopyValue(live).(map[string]any)
	} else {
		live = map[string]any{}
	}
	othersOwn := map[string]any{}
	for _, m := range others {
		othersOwn = Union(othersOwn, m.Fields)
	}
	RemoveFields(live, prune(previous, next, othersOwn))
	after, err := MergeMap(live, config, t)
	if err != nil {
		return nil, nil, fmt.Errorf("apply: %w", err)
	}
	changed, removed := Changed(before, after, t)
	var conflicts []Conflict
	taken := make([]map[string]any, len(others))
	for i, m := range others {
		taken[i] = Intersect(m.Fields, changed)
		id := m
		id.Fields = nil
		for _, p := range Paths(taken[i]) {
			conflicts = append(conflicts, Conflict{Manager: id, Path: p})
		}
	}
	if len(conflicts) > 0 && !force {
		sort.SliceStable(conflicts, func(i, j int) bool {
			a, b := conflicts[i].Manager.String(), conflicts[j].Manager.String()
			if a != b {
				return a < b
			}
			return conflicts[i].Path < conflicts[j].Path
		})
		return nil, nil, &ConflictError{Conflicts: conflicts}
	}
	out := make([]Manager, 0, len(others)+1)
	for i, m := range others {
		m.Fields = Difference(Difference(m.Fields, taken[i]), removed)
		if len(m.Fields) > 0 {
			out = append(out, m)
		}
	}
	applier.Fields = next
	return after, append(out, applier), nil
}

// RecordUpdate records a write that is not an apply (create, update,
// patch) by updater (its Name, APIVersion and Subresource): the fields
// the write changed from before to after move to the updater's Update
// entry (created or extended), leaving the other managers' sets, and
// fields the write removed leave every set. An entry left empty is
// dropped. A write that changed nothing leaves the managers as they are.
func RecordUpdate(before, after map[string]any, managers []Manager, updater Manager, dataStruct any) []Manager {
	changed, removed := Changed(before, after, reflect.TypeOf(dataStruct))
	if len(changed) == 0 && len(removed) == 0 {
		return managers
	}
	updater.Operation = OperationUpdate
	own := map[string]any{}
	at := -1
	out := make([]Manager, 0, len(managers)+1)
	for _, m := range managers {
		if m.sameEntry(updater) {
			own = m.Fields
			at = len(out)
			out = append(out, m) // keeps its place
			continue
		}
		m.Fields = Difference(Difference(m.Fields, changed), removed)
		if len(m.Fields) > 0 {
			out = append(out, m)
		}
	}
	updater.Fields = Union(Difference(own, removed), changed)
	switch {
	case len(updater.Fields) == 0 && at >= 0:
		return append(out[:at], out[at+1:]...)
	case len(updater.Fields) == 0:
		return out
	case at >= 0:
		out[at] = updater
		return out
	}
	return append(out, updater)
}

// prune is the part of previous (the applier's last set) that next (its
// new set) no longer holds and no other manager owns, in the form
// RemoveFields takes (nil: the whole field). A list item another manager
// owns part of is kept whole.
func prune(previous, next, others map[string]any) map[string]any {
	out := map[string]any{}
	for k, pv := range previous {
		if k == "." {
			continue
		}
		pm, _ := pv.(map[string]any)
		nv, inNext := next[k]
		nm, _ := nv.(map[string]any)
		ov, inOthers := others[k]
		om, _ := ov.(map[string]any)
		switch {
		case !inNext && !inOthers:
			out[k] = nil
			continue
		case !inNext && (!strings.HasPrefix(k, "f:") || isMember(om)):
			continue // others own the item or the field itself
		case inNext && len(pm) == 0:
			continue // still applied (an atomic value or a leaf)
		}
		if sub := prune(pm, nm, om); len(sub) > 0 {
			out[k] = sub
		}
	}
	return out
}

// isMember says whether a set node is a member itself (see above).
func isMember(node map[string]any) bool {
	if len(node) == 0 {
		return true
	}
	_, ok := node["."]
	return ok
}

// split reads a set node as set operations do: member, and children.
func split(node any) (bool, map[string]any) {
	m, _ := node.(map[string]any)
	if len(m) == 0 {
		return true, nil
	}
	_, member := m["."]
	return member, m
}

// join is the node of a member flag and children (nil: no node).
func join(member bool, children map[string]any) map[string]any {
	if len(children) == 0 {
		if member {
			return map[string]any{}
		}
		return nil
	}
	if member {
		children["."] = map[string]any{}
	}
	return children
}

// Intersect returns the paths both sets hold.
func Intersect(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, av := range a {
		if k == "." {
			continue
		}
		bv, ok := b[k]
		if !ok {
			continue
		}
		am, ac := split(av)
		bm, bc := split(bv)
		if n := join(am && bm, Intersect(ac, bc)); n != nil {
			out[k] = n
		}
	}
	return out
}

// Difference returns the paths of a that b does not hold.
func Difference(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, av := range a {
		if k == "." {
			continue
		}
		bv, ok := b[k]
		if !ok {
			out[k] = unstructured.DeepCopyValue(av)
			continue
		}
		am, ac := split(av)
		bm, bc := split(bv)
		if n := join(am && !bm, Difference(ac, bc)); n != nil {
			out[k] = n
		}
	}
	return out
}

// Union returns the paths either set holds.
func Union(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, av := range a {
		if k != "." {
			out[k] = unstructured.DeepCopyValue(av)
		}
	}
	for k, bv := range b {
		if k == "." {
			continue
		}
		av, ok := out[k]
		if !ok {
			out[k] = unstructured.DeepCopyValue(bv)
			continue
		}
		am, ac := split(av)
		bm, bc := split(bv)
		out[k] = join(am || bm, Union(ac, bc))
	}
	return out
}

// Paths lists the members of a set as Kubernetes prints field paths,
// sorted: .spec.replicas, .spec.containers[name="c"].image,
// .metadata.finalizers[="x"].
func Paths(set map[string]any) []string {
	var out []string
	var walk func(prefix string, node map[string]any)
	walk = func(prefix string, node map[string]any) {
		for k, v := range node {
			if k == "." {
				out = append(out, prefix)
				continue
			}
			p := prefix + pathElement(k)
			if m, _ := v.(map[string]any); len(m) > 0 {
				walk(p, m)
				continue
			}
			out = append(out, p)
		}
	}
	walk("", set)
	sort.Strings(out)
	return out
}

// pathElement renders one FieldsV1 key: f:name as .name, k:{"name":"c"}
// as [name="c"], v:"x" as [="x"], i:3 as [3].
func pathElement(k string) string {
	switch {
	case strings.HasPrefix(k, "f:"):
		return "." + k[2:]
	case strings.HasPrefix(k, "v:"):
		return "[=" + k[2:] + "]"
	case strings.HasPrefix(k, "i:"):
		return "[" + k[2:] + "]"
	case strings.HasPrefix(k, "k:"):
		var kv map[string]json.RawMessage
		if json.Unmarshal([]byte(k[2:]), &kv) != nil {
			return "[" + k[2:] + "]"
		}
		names := make([]string, 0, len(kv))
		for n := range kv {
			names = append(names, n)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n + "=" + string(kv[n])
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return "." + k
}

// serverMeta are the ObjectMeta fields the server sets, which no manager
// owns (Kubernetes strips the same from managed sets).
var serverMeta = map[string]bool{"name": true, "namespace": true, "uid": true, "resourceVersion": true,
	"generation": true, "creationTimestamp": true, "selfLink": true, "managedFields": true}

// Changed compares two decoded objects of Go type t and returns, as
// FieldsV1 sets, the paths after sets to a new value (added or modified)
// and the paths before held that after no longer does. Lists merged by key
// compare item by item, lists of scalars merged as sets value by value,
// other lists as one value.
func Changed(before, after map[string]any, t reflect.Type) (changed, removed map[string]any) {
	changed, removed = map[string]any{}, map[string]any{}
	isMeta := t != nil && deref(t).Name() == "ObjectMeta"
	for k, av := range after {
		if identityFields[k] || (isMeta && serverMeta[k]) {
			continue
		}
		bv, ok := before[k]
		switch {
		case !ok:
			changed["f:"+k] = addedSet(av, t, k)
		case !reflect.DeepEqual(bv, av):
			c, r := changedValue(bv, av, t, k)
			if c != nil {
				changed["f:"+k] = c
			}
			if len(r) > 0 {
				removed["f:"+k] = r
			}
		}
	}
	for k, bv := range before {
		if identityFields[k] || (isMeta && serverMeta[k]) {
			continue
		}
		if _, ok := after[k]; !ok {
			removed["f:"+k] = addedSet(bv, t, k)
		}
	}
	return changed, removed
}

// addedSet is the set of a whole value: the field itself and all below it.
func addedSet(v any, owner reflect.Type, field string) map[string]any {
	s := valueSet(v, owner, field)
	if _, ok := v.(map[string]any); ok && len(s) > 0 {
		s["."] = map[string]any{}
	}
	return s
}

// changedValue compares two different values of field in owner: the
// changed set (nil: none) and the removed set below the field.
func changedValue(bv, av any, owner reflect.Type, field string) (map[string]any, map[string]any) {
	ft := fieldType(owner, field)
	switch a := av.(type) {
	case map[string]any:
		b, ok := bv.(map[string]any)
		if !ok {
			return addedSet(av, owner, field), nil // a scalar or list became a map
		}
		c, r := Changed(b, a, ft)
		if len(c) == 0 {
			c = nil
		}
		return c, r
	case []any:
		b, ok := bv.([]any)
		s := listStrategy(owner, field)
		if !ok || (s.MergeKey == "" && !s.MergePrimitives) {
			break
		}
		if s.MergePrimitives {
			c, r := valueSet(a, owner, field), valueSet(b, owner, field)
			added, gone := Difference(c, r), Difference(r, c)
			if len(added) == 0 {
				added = nil
			}
			return added, gone
		}
		return changedItems(b, a, s.MergeKey, elemType(ft))
	}
	if _, wasMap := bv.(map[string]any); wasMap {
		return map[string]any{}, addedSet(bv, owner, field) // a map became something else
	}
	return map[string]any{}, nil // a leaf or atomic value changed
}

// changedItems compares two lists merged by key item by item.
func changedItems(before, after []any, key string, elem reflect.Type) (map[string]any, map[string]any) {
	changed, removed := map[string]any{}, map[string]any{}
	old := map[string]map[string]any{}
	for _, it := range before {
		if m, ok := it.(map[string]any); ok {
			old[keyEntry(key, m[key])] = m
		}
	}
	seen := map[string]bool{}
	for _, it := range after {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		k := keyEntry(key, m[key])
		seen[k] = true
		b, ok := old[k]
		if !ok {
			entry := FieldSet(m, elem)
			entry["."] = map[string]any{}
			changed[k] = entry
			continue
		}
		c, r := Changed(b, m, elem)
		if len(c) > 0 {
			changed[k] = c
		}
		if len(r) > 0 {
			removed[k] = r
		}
	}
	for k, b := range old {
		if !seen[k] {
			entry := FieldSet(b, elem)
			entry["."] = map[string]any{}
			removed[k] = entry
		}
	}
	if len(changed) == 0 {
		changed = nil
	}
	return changed, removed
}
