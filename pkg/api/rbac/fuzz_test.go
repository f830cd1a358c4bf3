package rbac

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeAndValidate: any JSON decodes into each RBAC kind or fails,
// and validation of whatever decoded never panics; a valid binding always
// names a role and only known subject kinds.
func FuzzDecodeAndValidate(f *testing.F) {
	for _, s := range []string{
		`{"metadata":{"name":"r","namespace":"n"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]}`,
		`{"metadata":{"name":"system:x"},"rules":[{"nonResourceURLs":["/healthz"],"verbs":["get"]}]}`,
		`{"metadata":{"name":"b","namespace":"n"},"subjects":[{"kind":"User","name":"u"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"r"}}`,
		`{"subjects":[{"kind":"ServiceAccount","name":"s"}],"roleRef":{}}`, `{"rules":null}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Role
		if json.Unmarshal(data, &r) == nil {
			_ = ValidateRole(&r)
			_ = ValidateRoleUpdate(&r, &r)
		}
		var cr ClusterRole
		if json.Unmarshal(data, &cr) == nil {
			_ = ValidateClusterRole(&cr)
		}
		var rb RoleBinding
		if json.Unmarshal(data, &rb) == nil {
			DefaultRoleBinding(&rb)
			if len(ValidateRoleBinding(&rb)) == 0 {
				if rb.RoleRef.Name == "" || (rb.RoleRef.Kind != "Role" && rb.RoleRef.Kind != "ClusterRole") {
					t.Fatalf("valid binding with roleRef %+v", rb.RoleRef)
				}
				for _, s := range rb.Subjects {
					if s.Kind != UserKind && s.Kind != GroupKind && s.Kind != ServiceAccountKind {
						t.Fatalf("valid binding with subject kind %q", s.Kind)
					}
				}
			}
		}
		var crb ClusterRoleBinding
		if json.Unmarshal(data, &crb) == nil {
			DefaultClusterRoleBinding(&crb)
			if len(ValidateClusterRoleBinding(&crb)) == 0 && crb.RoleRef.Kind != "ClusterRole" {
				t.Fatalf("valid cluster binding to a %q", crb.RoleRef.Kind)
			}
		}
	})
}
