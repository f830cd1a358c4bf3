package apiserver

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/registry"
)

func TestApplyToRecordsManagers(t *testing.T) {
	s := &Server{now: time.Now}
	res, _ := registry.Default().Resolve("configmaps")
	r := &request{res: res, ri: &RequestInfo{Namespace: "default", Name: "cm"}}
	cfg := func(data string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},"data":`+data+`}`), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	obj, err := s.applyTo(r, nil, cfg(`{"a":"1","b":"2"}`), "alice", false, fieldValidation{strict: true})
	if err != nil {
		t.Fatal(err)
	}
	obj, err = s.applyTo(r, obj, cfg(`{"c":"3"}`), "bob", false, fieldValidation{strict: true})
	if err != nil {
		t.Fatal(err)
	}
	obj, err = s.applyTo(r, obj, cfg(`{"a":"9"}`), "alice", false, fieldValidation{strict: true})
	if err != nil {
		t.Fatal(err)
	}
	cm := obj.(*core.ConfigMap)
	if len(cm.Data) != 2 || cm.Data["a"] != "9" || cm.Data["c"] != "3" {
		t.Errorf("data = %v: alice's b must go, bob's c stay", cm.Data)
	}
	var managers []string
	for _, raw := range cm.ManagedFields {
		var e managedFieldsEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatal(err)
		}
		managers = append(managers, e.Manager+"/"+e.Operation)
	}
	if len(managers) != 2 || managers[0] != "bob/Apply" || managers[1] != "alice/Apply" {
		t.Errorf("managedFields managers = %v", managers)
	}
	if _, err := s.applyTo(r, obj, cfg(`{"a":1}`), "alice", false, fieldValidation{strict: true}); err == nil {
		t.Error("a number for a string field was accepted")
	}
}
