package apiserver

import (
	"net/url"
	"testing"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/registry"
)

// FuzzDecodeObject: any body decodes into an object or fails with a 400,
// never a panic or another error.
func FuzzDecodeObject(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":"c"}]}}`), false)
	f.Add([]byte(`{"kind":"Pod","bogus":1}`), true)
	f.Add([]byte(`{"metadata":{"creationTimestamp":"x"}}`), false)
	f.Add([]byte(`[]`), false)
	pods, _ := registry.Default().Lookup("", "v1", "pods")
	f.Fuzz(func(t *testing.T, body []byte, strict bool) {
		obj, err := decodeObject(pods, body, fieldValidation{strict: strict})
		if err != nil {
			if !apierrors.IsBadRequest(err) {
				t.Fatalf("decode error is not a 400: %v", err)
			}
			return
		}
		if obj.GetTypeMeta().Kind != "Pod" {
			t.Fatalf("decoded kind %q", obj.GetTypeMeta().Kind)
		}
	})
}

// FuzzParseRequestInfo: any path parses without panic, and a parsed path
// always names a resource.
func FuzzParseRequestInfo(f *testing.F) {
	for _, p := range []string{"/api/v1/pods", "/apis/apps/v1/namespaces/a/deployments/b/scale", "/api/v1/namespaces/x/finalize", "//api//v1", "/apis/a"} {
		f.Add("GET", p)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		ri, ok := ParseRequestInfo(method, path, false)
		if ok && (ri.Resource == "" || ri.Version == "" || ri.Verb == "") {
			t.Fatalf("%s %s parsed as %+v", method, path, ri)
		}
	})
}

// FuzzListOptions: any query is accepted or refused with a 400.
func FuzzListOptions(f *testing.F) {
	f.Add("limit=5&continue=x&resourceVersion=3&resourceVersionMatch=NotOlderThan")
	f.Add("watch=1&timeoutSeconds=-4&labelSelector=a%20in%20(b)")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if _, err := parseListOptions(q); err != nil && !apierrors.IsBadRequest(err) {
			t.Fatalf("%q: %v", raw, err)
		}
	})
}
