package validation

import (
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/apps"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func revision(name string, data string, rev int64) *apps.ControllerRevision {
	r := &apps.ControllerRevision{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: "default", ResourceVersion: "1"}, Revision: rev}
	if data != "" {
		r.Data = json.RawMessage(data)
	}
	return r
}

func TestValidateControllerRevision(t *testing.T) {
	const data = `{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"a"}}}}}`
	for _, tc := range []struct {
		name string
		r    *apps.ControllerRevision
		want []string
	}{
		{"valid", revision("agent-6d5f8", data, 1), nil},
		{"revision zero", revision("agent-6d5f8", data, 0), nil},
		{"negative revision", revision("agent-6d5f8", data, -1), []string{"revision:FieldValueInvalid"}},
		{"no data", revision("agent-6d5f8", "", 1), []string{"data:FieldValueRequired"}},
		{"null data", revision("agent-6d5f8", "null", 1), []string{"data:FieldValueRequired"}},
		{"bad name", revision("Agent_1", data, 1), []string{"metadata.name:FieldValueInvalid"}},
	} {
		expectErrors(t, tc.name, ValidateControllerRevision(tc.r), tc.want...)
	}
	errs := ValidateControllerRevision(revision("a", "", 1))
	if len(errs) == 1 && errs[0].Error() != "data: Required value: data is mandatory" {
		t.Errorf("message = %q", errs[0].Error())
	}
}

func TestValidateControllerRevisionUpdate(t *testing.T) {
	old := revision("agent-1", `{"spec":{"template":{"a":1,"b":2}}}`, 1)
	bumped := revision("agent-1", `{"spec":{"template":{"a":1,"b":2}}}`, 4)
	expectErrors(t, "revision bumped", ValidateControllerRevisionUpdate(bumped, old))
	respelled := revision("agent-1", `{"spec": {"template": {"b":2, "a":1}}}`, 1)
	expectErrors(t, "same data, other spelling", ValidateControllerRevisionUpdate(respelled, old))
	changed := revision("agent-1", `{"spec":{"template":{"a":2}}}`, 1)
	expectErrors(t, "data changed", ValidateControllerRevisionUpdate(changed, old), "data:FieldValueInvalid")
	labelled := revision("agent-1", `{"spec":{"template":{"a":1,"b":2}}}`, 1)
	labelled.Labels = map[string]string{"controller-revision-hash": "1"}
	expectErrors(t, "labels may change", ValidateControllerRevisionUpdate(labelled, old))
	negative := revision("agent-1", `{"spec":{"template":{"a":1,"b":2}}}`, -2)
	expectErrors(t, "negative", ValidateControllerRevisionUpdate(negative, old), "revision:FieldValueInvalid")
}
