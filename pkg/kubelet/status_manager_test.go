package kubelet

import (
	"encoding/json"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

func writtenPodJSON(t testing.TB) []byte {
	pod := testPod("", []string{"i"}, "a", "b")
	pod.TypeMeta = meta.TypeMeta{Kind: "Pod", APIVersion: "v1"}
	pod.ResourceVersion = "12345"
	pod.Labels = map[string]string{"resourceVersion": "1"}
	pod.Annotations = map[string]string{"a": `{"resourceVersion":"2"}`}
	pod.Status = fullStatus()
	b, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestResourceVersionOf(t *testing.T) {
	for name, tc := range map[string]struct {
		in, want string
		err      bool
	}{
		"written pod": {in: string(writtenPodJSON(t)), want: "12345"},
		"metadata last, other keys first": {in: `{"spec":{"metadata":{"resourceVersion":"1"}},"status":{},` +
			`"metadata":{"labels":{"resourceVersion":"2"},"ownerReferences":[{"name":"x"}],"resourceVersion":"7"}}`, want: "7"},
		"no resourceVersion":           {in: `{"metadata":{"name":"p"}}`, err: true},
		"no metadata":                  {in: `{"kind":"Pod"}`, err: true},
		"not an object":                {in: `[1]`, err: true},
		"metadata not an object":       {in: `{"metadata":"x"}`, err: true},
		"resourceVersion not a string": {in: `{"metadata":{"resourceVersion":7}}`, err: true},
		"truncated":                    {in: `{"metadata":{"name":`, err: true},
	} {
		got, err := resourceVersionOf([]byte(tc.in))
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q, error %v", name, got, err, tc.want, tc.err)
		}
	}
}

func BenchmarkResourceVersionOf(b *testing.B) {
	body := writtenPodJSON(b)
	b.Run("tokens", func(b *testing.B) {
		for b.Loop() {
			if _, err := resourceVersionOf(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal-metadata-only", func(b *testing.B) {
		for b.Loop() {
			var out struct {
				Metadata struct {
					ResourceVersion string `json:"resourceVersion"`
				} `json:"metadata"`
			}
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal-pod", func(b *testing.B) {
		for b.Loop() {
			var out core.Pod
			if err := json.Unmarshal(body, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
