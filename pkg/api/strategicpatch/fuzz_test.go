package strategicpatch

import (
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// FuzzApply: a strategic merge patch from a client (any bytes) onto a pod
// either fails with an error or gives JSON; it never panics.
func FuzzApply(f *testing.F) {
	orig := []byte(`{"metadata":{"name":"p","labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","env":[{"name":"A","value":"1"}],"ports":[{"containerPort":80}]}],"tolerations":[{"key":"k"}]}}`)
	f.Add(orig, []byte(`{"spec":{"containers":[{"name":"c","image":"j"}]}}`))
	f.Add(orig, []byte(`{"spec":{"containers":[{"name":"c","$patch":"delete"}]}}`))
	f.Add(orig, []byte(`{"spec":{"$setElementOrder/containers":[{"name":"c"}],"containers":[{"name":"d"}]}}`))
	f.Add(orig, []byte(`{"spec":{"containers":[{"name":"c","env":[{"name":"A","$patch":"delete"}]}]}}`))
	f.Add(orig, []byte(`{"metadata":{"labels":{"$patch":"replace","x":"y"}}}`))
	f.Add(orig, []byte(`{"$retainKeys":["spec"],"spec":null}`))
	f.Add(orig, []byte(`{"spec":{"containers":[{"$patch":"replace"}],"$deleteFromPrimitiveList/finalizers":["a"]}}`))
	f.Add(orig, []byte(`{"spec":{"containers":"x","tolerations":[1,null,{"key":null}]}}`))
	f.Fuzz(func(t *testing.T, original, patch []byte) {
		out, err := Apply(original, patch, &core.Pod{})
		if err == nil && !json.Valid(out) {
			t.Fatalf("Apply(%q, %q) = invalid JSON %q", original, patch, out)
		}
	})
}
