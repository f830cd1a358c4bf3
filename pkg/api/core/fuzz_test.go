package core

import (
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// FuzzDecodePod: decoding never panics, and once decoded, encoding is a
// fixed point (encode, decode, encode gives the same bytes), so objects
// survive storage round trips unchanged; a deep copy encodes as the original.
func FuzzDecodePod(f *testing.F) {
	f.Add([]byte(podJSON))
	f.Add([]byte(`{"spec":{"containers":[{"name":"a","resources":{"limits":{"cpu":"1e3","memory":"1.5Gi"}}}]}}`))
	f.Add([]byte(`{"spec":{"containers":[{"name":"a","livenessProbe":{"httpGet":{"port":80}}}]},"status":{"startTime":"2024-01-01T00:00:00.5Z"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var p Pod
		if err := json.Unmarshal(data, &p); err != nil {
			return
		}
		first, err := json.Marshal(&p)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		var q Pod
		if err := json.Unmarshal(first, &q); err != nil {
			t.Fatalf("re-decode of %s: %v", first, err)
		}
		second, err := json.Marshal(&q)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if string(first) != string(second) {
			t.Fatalf("not a fixed point:\n%s\n%s", first, second)
		}
		copied, err := json.Marshal(meta.DeepCopy(&p))
		if err != nil {
			t.Fatalf("encode copy: %v", err)
		}
		if string(copied) != string(first) {
			t.Fatalf("deep copy differs:\n%s\n%s", first, copied)
		}
	})
}
