package ctl

import (
	"bytes"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/unstructured"
)

func TestFieldLabel(t *testing.T) {
	for in, want := range map[string]string{
		"apiVersion": "API Version", "kind": "Kind", "cronSpec": "Cron Spec", "uid": "UID",
		"resourceVersion": "Resource Version", "imageURL": "Image URL", "PDFLoader": "PDF Loader",
		"fooHTTP": "Foo HTTP", "a-b": "A - B", "x.y": "x.y", "v1": "v1", "my_field": "my_field",
	} {
		if got := fieldLabel(in); got != want {
			t.Errorf("fieldLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDescribeUnstructured: a custom object is described by kubectl's
// generic describer (TestDescribeCustomResourceMatchesKubectl in
// test/integration/crdclients compares with kubectl itself).
func TestDescribeUnstructured(t *testing.T) {
	u := mustUnstructured(t, `{"apiVersion":"stable.example.com/v1","kind":"CronTab",
		"metadata":{"name":"c1","namespace":"demo","uid":"u-1","generation":2,"labels":{"app":"x"},
			"annotations":{"note":"hi"},"managedFields":[{"manager":"m"}],"finalizers":["a/b"]},
		"spec":{"cronSpec":"* * * * */5","replicas":1000000,"ports":[{"name":"http","port":80}],"tags":["a","b"],"empty":null,"ratio":0.5}}`)
	var out bytes.Buffer
	if err := Describe(&out, &unstructured.Unstructured{}, u, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	want := `Name:         c1
Namespace:    demo
Labels:       app=x
Annotations:  note: hi
API Version:  stable.example.com/v1
Kind:         CronTab
Metadata:
  Finalizers:
    a/b
  Generation:  2
  UID:         u-1
Spec:
  Cron Spec:  * * * * */5
  Empty:      <nil>
  Ports:
    Name:    http
    Port:    80
  Ratio:     0.5
  Replicas:  1000000
  Tags:
    a
    b
Events:  <none>
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
