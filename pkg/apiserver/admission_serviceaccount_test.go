package apiserver

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestAdmitServiceAccount(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		annotations          map[string]string
		saName, deprecated   string
		wantName, wantDeprec string
	}{
		{"none named runs as default", nil, "", "", "default", "default"},
		{"named kept", nil, "builder", "", "builder", "builder"},
		{"deprecated field only", nil, "", "legacy", "legacy", "legacy"},
		{"both set kept", nil, "builder", "builder", "builder", "builder"},
		{"mirror pod left alone", map[string]string{mirrorPodAnnotation: "abc"}, "", "", "", ""},
	} {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", Annotations: tc.annotations},
			Spec: core.PodSpec{ServiceAccountName: tc.saName, DeprecatedServiceAccount: tc.deprecated}}
		admitServiceAccount(p)
		if p.Spec.ServiceAccountName != tc.wantName || p.Spec.DeprecatedServiceAccount != tc.wantDeprec {
			t.Errorf("%s: serviceAccountName %q serviceAccount %q, want %q %q", tc.name,
				p.Spec.ServiceAccountName, p.Spec.DeprecatedServiceAccount, tc.wantName, tc.wantDeprec)
		}
	}
}
