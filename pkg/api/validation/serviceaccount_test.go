package validation

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func serviceAccount(name, ns string) *core.ServiceAccount {
	return &core.ServiceAccount{ObjectMeta: meta.ObjectMeta{Name: name, Namespace: ns, ResourceVersion: "1"}}
}

func TestValidateServiceAccount(t *testing.T) {
	withSecrets := serviceAccount("builder", "ci")
	withSecrets.Secrets = []core.ObjectReference{{Name: "builder-token"}}
	withSecrets.ImagePullSecrets = []core.LocalObjectReference{{Name: "registry"}}
	withSecrets.AutomountServiceAccountToken = meta.Ptr(false)
	for _, tc := range []struct {
		name string
		sa   *core.ServiceAccount
		want []string
	}{
		{"default", serviceAccount("default", "team"), nil},
		{"dotted name", serviceAccount("my-app.controller", "team"), nil},
		{"with secrets", withSecrets, nil},
		{"upper case", serviceAccount("MyApp", "team"), []string{"metadata.name:FieldValueInvalid"}},
		{"underscore", serviceAccount("my_app", "team"), []string{"metadata.name:FieldValueInvalid"}},
		{"no name", serviceAccount("", "team"), []string{"metadata.name:FieldValueRequired"}},
		{"no namespace", serviceAccount("default", ""), []string{"metadata.namespace:FieldValueRequired"}},
	} {
		expectErrors(t, tc.name, ValidateServiceAccount(tc.sa), tc.want...)
	}
}

func TestValidateServiceAccountUpdate(t *testing.T) {
	old := serviceAccount("default", "team")
	changed := serviceAccount("default", "team")
	changed.ImagePullSecrets = []core.LocalObjectReference{{Name: "registry"}}
	changed.AutomountServiceAccountToken = meta.Ptr(false)
	expectErrors(t, "fields mutable", ValidateServiceAccountUpdate(changed, old))
	renamed := serviceAccount("other", "team")
	expectErrors(t, "renamed", ValidateServiceAccountUpdate(renamed, old), "metadata.name:FieldValueInvalid")
}
