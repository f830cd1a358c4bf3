package apiserver

import (
	"testing"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func TestAdmitNodeServiceAccountToken(t *testing.T) {
	pod := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1"}, Spec: core.PodSpec{NodeName: "n1"}}
	tokenFor := func(ref *authentication.BoundObjectReference) *authentication.TokenRequest {
		return &authentication.TokenRequest{Spec: authentication.TokenRequestSpec{BoundObjectRef: ref}}
	}
	podRef := &authentication.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: "p", UID: "u1"}
	req := func(op admissionOp, sub string, tr *authentication.TokenRequest, old meta.Object) nodeRequest {
		return nodeRequest{Op: op, Resource: "serviceaccounts", Subresource: sub, Namespace: "ns", Name: "default", Obj: tr, Old: old}
	}
	tests := []struct {
		name string
		node string
		req  nodeRequest
		want string // the 403's message, "" allowed
	}{
		{"its pod's token", "n1", req(opCreate, SubToken, tokenFor(podRef), pod), ""},
		{"another node's pod", "n2", req(opCreate, SubToken, tokenFor(podRef), pod),
			`serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node`},
		{"not bound", "n1", req(opCreate, SubToken, tokenFor(nil), nil),
			`serviceaccounts "default" is forbidden: node requested token not bound to a pod`},
		{"bound to a secret", "n1", req(opCreate, SubToken, tokenFor(&authentication.BoundObjectReference{APIVersion: "v1", Kind: "Secret", Name: "s", UID: "x"}), nil),
			`serviceaccounts "default" is forbidden: node requested token not bound to a pod`},
		{"bound to its own node", "n1", req(opCreate, SubToken, tokenFor(&authentication.BoundObjectReference{APIVersion: "v1", Kind: "Node", Name: "n1", UID: "x"}), nil),
			`serviceaccounts "default" is forbidden: node requested token not bound to a pod`},
		{"pod without uid", "n1", req(opCreate, SubToken, tokenFor(&authentication.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: "p"}), pod),
			`serviceaccounts "default" is forbidden: node requested token with a pod binding without a uid`},
		{"stale uid", "n1", req(opCreate, SubToken, tokenFor(&authentication.BoundObjectReference{APIVersion: "v1", Kind: "Pod", Name: "p", UID: "old"}), pod),
			`serviceaccounts "default" is forbidden: the UID in the bound object reference (old) does not match the UID in record. The object might have been deleted and then recreated`},
		{"update of a service account", "n1", req(opUpdate, "", nil, nil), `serviceaccounts "default" is forbidden: unexpected operation "UPDATE"`},
		{"create of a service account", "n1", req(opCreate, "", nil, nil), `serviceaccounts "default" is forbidden: unexpected subresource ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := admitNodeRequest(tc.node, tc.req)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (!apierrors.IsForbidden(err) || err.Error() != tc.want):
				t.Fatalf("error %v\nwant 403 %s", err, tc.want)
			}
		})
	}
}

func TestTokenRequestChecks(t *testing.T) {
	for _, tc := range []struct {
		ref  authentication.BoundObjectReference
		kind string
		err  string
	}{
		{authentication.BoundObjectReference{APIVersion: "v1", Kind: "Pod"}, "Pod", ""},
		{authentication.BoundObjectReference{APIVersion: "v1", Kind: "Secret"}, "Secret", ""},
		{authentication.BoundObjectReference{APIVersion: "v1", Kind: "Node"}, "Node", ""},
		{authentication.BoundObjectReference{APIVersion: "v1", Kind: "ConfigMap"}, "", "cannot bind token to object of type /v1, Kind=ConfigMap"},
		{authentication.BoundObjectReference{APIVersion: "apps/v1", Kind: "Pod"}, "", "cannot bind token to object of type apps/v1, Kind=Pod"},
	} {
		kind, err := boundKind(&tc.ref)
		if kind != tc.kind || (err == nil) != (tc.err == "") || (err != nil && (err.Error() != tc.err || !apierrors.IsBadRequest(err))) {
			t.Errorf("boundKind(%+v) = %q, %v; want %q, %q", tc.ref, kind, err, tc.kind, tc.err)
		}
	}
	tr := &authentication.TokenRequest{ObjectMeta: meta.ObjectMeta{Name: "other"}}
	err := checkTokenRequestMeta(tr, "ns", "default")
	want := `TokenRequest.authentication.k8s.io "default" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified`
	if !apierrors.IsInvalid(err) || err.Error() != want {
		t.Errorf("name mismatch: %v\nwant %s", err, want)
	}
	tr = &authentication.TokenRequest{ObjectMeta: meta.ObjectMeta{Name: "default", Namespace: "ns"}}
	if err := checkTokenRequestMeta(tr, "ns", "default"); err != nil {
		t.Errorf("matching metadata: %v", err)
	}
}
