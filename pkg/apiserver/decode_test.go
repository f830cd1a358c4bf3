package apiserver

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/registry"
)

// TestDecodeObject: the decoder reads the body's first JSON value (what
// follows it is ignored, as json.Decoder does), unknown fields fail only
// when strict, and errors are 400s naming the kind.
func TestDecodeObject(t *testing.T) {
	pods, _ := registry.Default().Lookup("", "v1", "pods")
	tests := []struct {
		name, body string
		strict     bool
		wantName   string
		wantErr    string
	}{
		{name: "plain", body: `{"metadata":{"name":"a"}}`, wantName: "a"},
		{name: "whitespace", body: " \n{\"metadata\":{\"name\":\"a\"}}\n", wantName: "a"},
		{name: "trailing data ignored", body: `{"metadata":{"name":"a"}} {"x":1}`, wantName: "a"},
		{name: "unknown field", body: `{"metadata":{"name":"a"},"bogus":1}`, wantName: "a"},
		{name: "unknown field strict", body: `{"metadata":{"name":"a"},"bogus":1}`, strict: true, wantErr: "strict decoding error"},
		{name: "strict", body: `{"metadata":{"name":"a"}}`, strict: true, wantName: "a"},
		{name: "syntax", body: `{"metadata":`, wantErr: "unable to decode request body into Pod"},
		{name: "wrong type", body: `{"metadata":{"name":5}}`, wantErr: "unable to decode request body into Pod"},
		{name: "wrong kind", body: `{"kind":"Node","metadata":{"name":"a"}}`, wantErr: `the kind "Node"`},
		{name: "empty", body: "  ", wantErr: "the request body is empty"},
	}
	for _, tc := range tests {
		obj, err := decodeObject(pods, []byte(tc.body), fieldValidation{strict: tc.strict})
		if tc.wantErr != "" {
			if err == nil || !apierrors.IsBadRequest(err) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err %v, want a 400 with %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		pod := obj.(*core.Pod)
		if pod.Name != tc.wantName || pod.Kind != "Pod" || pod.APIVersion != "v1" {
			t.Errorf("%s: got %q %s/%s", tc.name, pod.Name, pod.APIVersion, pod.Kind)
		}
	}
}
