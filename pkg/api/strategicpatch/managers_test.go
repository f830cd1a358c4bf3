package strategicpatch

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/unstructured"
)

func TestSetOperations(t *testing.T) {
	for _, tc := range []struct {
		name, a, b                   string
		intersect, difference, union string
	}{
		{"disjoint leaves", `{"f:a":{}}`, `{"f:b":{}}`, `{}`, `{"f:a":{}}`, `{"f:a":{},"f:b":{}}`},
		{"same leaf", `{"f:a":{}}`, `{"f:a":{}}`, `{"f:a":{}}`, `{}`, `{"f:a":{}}`},
		{"nested", `{"f:s":{"f:x":{},"f:y":{}}}`, `{"f:s":{"f:y":{},"f:z":{}}}`,
			`{"f:s":{"f:y":{}}}`, `{"f:s":{"f:x":{}}}`, `{"f:s":{"f:x":{},"f:y":{},"f:z":{}}}`},
		{"member with children vs children", `{"f:l":{".":{},"f:a":{}}}`, `{"f:l":{"f:a":{}}}`,
			`{"f:l":{"f:a":{}}}`, `{"f:l":{}}`, `{"f:l":{".":{},"f:a":{}}}`},
		{"leaf member vs children is exact", `{"f:l":{}}`, `{"f:l":{"f:a":{}}}`,
			`{}`, `{"f:l":{}}`, `{"f:l":{".":{},"f:a":{}}}`},
		{"list items", `{"f:c":{"k:{\"name\":\"x\"}":{".":{},"f:image":{},"f:name":{}}}}`, `{"f:c":{"k:{\"name\":\"x\"}":{"f:image":{}}}}`,
			`{"f:c":{"k:{\"name\":\"x\"}":{"f:image":{}}}}`, `{"f:c":{"k:{\"name\":\"x\"}":{".":{},"f:name":{}}}}`,
			`{"f:c":{"k:{\"name\":\"x\"}":{".":{},"f:image":{},"f:name":{}}}}`},
		{"empty", `{}`, `{"f:a":{}}`, `{}`, `{}`, `{"f:a":{}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := decode(t, tc.a), decode(t, tc.b)
			if got := encode(t, Intersect(a, b)); got != tc.intersect {
				t.Errorf("Intersect = %s, want %s", got, tc.intersect)
			}
			if got := encode(t, Difference(a, b)); got != tc.difference {
				t.Errorf("Difference = %s, want %s", got, tc.difference)
			}
			if got := encode(t, Union(a, b)); got != tc.union {
				t.Errorf("Union = %s, want %s", got, tc.union)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	set := decode(t, `{"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}}},
		"f:metadata":{"f:finalizers":{"v:\"x\"":{}},"f:labels":{".":{},"f:app":{}}}}`)
	want := []string{
		`.metadata.finalizers[="x"]`, `.metadata.labels`, `.metadata.labels.app`,
		`.spec.replicas`, `.spec.template.spec.containers[name="c"]`, `.spec.template.spec.containers[name="c"].image`,
	}
	if got := Paths(set); !reflect.DeepEqual(got, want) {
		t.Errorf("Paths =\n%q\nwant\n%q", got, want)
	}
	if got := pathElement(`k:{"protocol":"TCP","containerPort":80}`); got != `[containerPort=80,protocol="TCP"]` {
		t.Errorf("pathElement of two keys = %s", got)
	}
}

func TestChanged(t *testing.T) {
	dep := typeOf[apps.Deployment]()
	for _, tc := range []struct {
		name, before, after string
		changed, removed    string
	}{
		{"nothing", `{"spec":{"replicas":1}}`, `{"spec":{"replicas":1}}`, `{}`, `{}`},
		{"scalar modified", `{"spec":{"replicas":1,"paused":false}}`, `{"spec":{"replicas":3,"paused":false}}`,
			`{"f:spec":{"f:replicas":{}}}`, `{}`},
		{"server metadata ignored", `{"metadata":{"name":"a","resourceVersion":"1","generation":1,"labels":{"a":"1"}}}`,
			`{"metadata":{"name":"a","resourceVersion":"2","generation":2,"labels":{"a":"2"}}}`,
			`{"f:metadata":{"f:labels":{"f:a":{}}}}`, `{}`},
		{"map added and removed", `{"metadata":{"annotations":{"x":"1"}}}`, `{"metadata":{"labels":{"a":"1"}}}`,
			`{"f:metadata":{"f:labels":{".":{},"f:a":{}}}}`, `{"f:metadata":{"f:annotations":{".":{},"f:x":{}}}}`},
		{"list items by key",
			`{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"1"},{"name":"b","image":"1"}]}}}}`,
			`{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"2"},{"name":"c","image":"1"}]}}}}`,
			`{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{"f:image":{}},"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{}}}}}}}`,
			`{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"b\"}":{".":{},"f:image":{},"f:name":{}}}}}}}`},
		{"atomic list", `{"spec":{"template":{"spec":{"containers":[{"name":"a","args":["x"]}]}}}}`,
			`{"spec":{"template":{"spec":{"containers":[{"name":"a","args":["y"]}]}}}}`,
			`{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{"f:args":{}}}}}}}`, `{}`},
		{"set of scalars", `{"metadata":{"finalizers":["a","b"]}}`, `{"metadata":{"finalizers":["b","c"]}}`,
			`{"f:metadata":{"f:finalizers":{"v:\"c\"":{}}}}`, `{"f:metadata":{"f:finalizers":{"v:\"a\"":{}}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, r := Changed(decode(t, tc.before), decode(t, tc.after), dep)
			if got := encode(t, c); got != tc.changed {
				t.Errorf("changed = %s\nwant      %s", got, tc.changed)
			}
			if got := encode(t, r); got != tc.removed {
				t.Errorf("removed = %s\nwant      %s", got, tc.removed)
			}
		})
	}
}

// deployment is an applied configuration of Deployment web.
func deployment(t *testing.T, spec string) map[string]any {
	return decode(t, `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":`+spec+`}`)
}

func TestApplyAsConflicts(t *testing.T) {
	dep := &apps.Deployment{}
	live := deployment(t, `{"replicas":3,"paused":true,"minReadySeconds":5}`)
	alice := Manager{Name: "alice", Operation: OperationApply, APIVersion: "apps/v1",
		Fields: decode(t, `{"f:spec":{"f:replicas":{},"f:paused":{}}}`)}
	scaler := Manager{Name: "kubectl-scale", Operation: OperationUpdate, APIVersion: "apps/v1", Subresource: "scale",
		Fields: decode(t, `{"f:spec":{"f:minReadySeconds":{}}}`)}
	managers := []Manager{alice, scaler}
	bob := Manager{Name: "bob", APIVersion: "apps/v1"}

	for _, tc := range []struct {
		name, spec string
		force      bool
		err        string   // "" : no conflict
		causes     []string // manager: path
		owners     string   // manager=fields after the apply
	}{
		{name: "same value is shared", spec: `{"replicas":3}`,
			owners: `alice={"f:spec":{"f:paused":{},"f:replicas":{}}} kubectl-scale={"f:spec":{"f:minReadySeconds":{}}} bob={"f:spec":{"f:replicas":{}}}`},
		{name: "unowned field", spec: `{"progressDeadlineSeconds":60}`,
			owners: `alice={"f:spec":{"f:paused":{},"f:replicas":{}}} kubectl-scale={"f:spec":{"f:minReadySeconds":{}}} bob={"f:spec":{"f:progressDeadlineSeconds":{}}}`},
		{name: "one conflict", spec: `{"replicas":5}`,
			err:    `Apply failed with 1 conflict: conflict with "alice": .spec.replicas`,
			causes: []string{`"alice": .spec.replicas`}},
		{name: "several conflicts", spec: `{"replicas":5,"paused":false,"minReadySeconds":9}`,
			err: "Apply failed with 3 conflicts: conflicts with \"alice\":\n- .spec.paused\n- .spec.replicas\n" +
				"conflicts with \"kubectl-scale\" with subresource \"scale\" using apps/v1:\n- .spec.minReadySeconds",
			causes: []string{`"alice": .spec.paused`, `"alice": .spec.replicas`, `"kubectl-scale" with subresource "scale" using apps/v1: .spec.minReadySeconds`}},
		{name: "force moves ownership", spec: `{"replicas":5,"minReadySeconds":9}`, force: true,
			owners: `alice={"f:spec":{"f:paused":{}}} bob={"f:spec":{"f:minReadySeconds":{},"f:replicas":{}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := make([]Manager, len(managers))
			for i, m := range managers {
				m.Fields = unstructured.DeepCopyValue(m.Fields).(map[string]any)
				ms[i] = m
			}
			obj, out, err := ApplyAs(unstructured.DeepCopyValue(live).(map[string]any), deployment(t, tc.spec), ms, bob, tc.force, dep)
			if tc.err != "" {
				var ce *ConflictError
				if !errors.As(err, &ce) {
					t.Fatalf("err = %v, want a conflict", err)
				}
				if err.Error() != tc.err {
					t.Errorf("message =\n%s\nwant\n%s", err, tc.err)
				}
				var causes []string
				for _, c := range ce.Conflicts {
					causes = append(causes, c.Manager.String()+": "+c.Path)
				}
				if !reflect.DeepEqual(causes, tc.causes) {
					t.Errorf("conflicts = %q, want %q", causes, tc.causes)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var owners []string
			for _, m := range out {
				owners = append(owners, m.Name+"="+encode(t, m.Fields))
			}
			if got := strings.Join(owners, " "); got != tc.owners {
				t.Errorf("owners =\n%s\nwant\n%s", got, tc.owners)
			}
			if tc.force && obj["spec"].(map[string]any)["replicas"] != 5.0 {
				t.Errorf("forced apply did not set replicas: %v", obj["spec"])
			}
		})
	}
}

func TestApplyAsKeepsFieldsOthersOwn(t *testing.T) {
	dep := &apps.Deployment{}
	obj, ms, err := ApplyAs(nil, deployment(t, `{"replicas":2,"paused":true}`), nil, Manager{Name: "a"}, false, dep)
	if err != nil {
		t.Fatal(err)
	}
	// b applies the same paused: both own it.
	obj, ms, err = ApplyAs(obj, deployment(t, `{"paused":true}`), ms, Manager{Name: "b"}, false, dep)
	if err != nil {
		t.Fatal(err)
	}
	// a stops applying both: replicas goes, paused stays (b owns it).
	obj, ms, err = ApplyAs(obj, deployment(t, `{}`), ms, Manager{Name: "a"}, false, dep)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := encode(t, obj["spec"]), `{"paused":true}`; got != want {
		t.Errorf("spec = %s, want %s", got, want)
	}
	if len(ms) != 2 || ms[0].Name != "b" || encode(t, ms[0].Fields) != `{"f:spec":{"f:paused":{}}}` || ms[1].Name != "a" || encode(t, ms[1].Fields) != `{"f:spec":{}}` {
		t.Errorf("managers = %+v", ms)
	}
}

func TestRecordUpdate(t *testing.T) {
	dep := &apps.Deployment{}
	before := deployment(t, `{"replicas":3,"paused":true}`)
	applier := Manager{Name: "a", Operation: OperationApply, Fields: decode(t, `{"f:spec":{"f:replicas":{},"f:paused":{}}}`)}
	for _, tc := range []struct {
		name, after string
		managers    []Manager
		want        string
	}{
		{"nothing changed", `{"replicas":3,"paused":true}`, []Manager{applier},
			`a/Apply={"f:spec":{"f:paused":{},"f:replicas":{}}}`},
		{"takes a field", `{"replicas":5,"paused":true}`, []Manager{applier},
			`a/Apply={"f:spec":{"f:paused":{}}} edit/Update={"f:spec":{"f:replicas":{}}}`},
		{"extends its entry in place", `{"replicas":3,"paused":true,"minReadySeconds":1}`,
			[]Manager{{Name: "edit", Operation: OperationUpdate, APIVersion: "apps/v1", Fields: decode(t, `{"f:spec":{"f:replicas":{}}}`)}, applier},
			`edit/Update={"f:spec":{"f:minReadySeconds":{},"f:replicas":{}}} a/Apply={"f:spec":{"f:paused":{},"f:replicas":{}}}`},
		{"removal disowns, empty entry dropped", `{}`, []Manager{applier}, ``},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := RecordUpdate(unstructured.DeepCopyValue(before).(map[string]any), deployment(t, tc.after), tc.managers,
				Manager{Name: "edit", APIVersion: "apps/v1"}, dep)
			var got []string
			for _, m := range out {
				got = append(got, m.Name+"/"+m.Operation+"="+encode(t, m.Fields))
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("managers =\n%s\nwant\n%s", g, tc.want)
			}
		})
	}
}
