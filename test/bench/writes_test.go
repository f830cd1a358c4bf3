package bench

import (
	"reflect"
	"testing"
)

func TestWriteDeltas(t *testing.T) {
	s := func(name string, v float64, kv ...string) Sample {
		l := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			l[kv[i]] = kv[i+1]
		}
		return Sample{Name: name, Labels: l, Value: v}
	}
	const req, etcd = "apiserver_request_total", "etcd_request_duration_seconds_count"
	before := []Sample{
		s(req, 5, "verb", "POST", "resource", "pods", "code", "201"),
		s(etcd, 5, "operation", "create", "type", "pods"),
	}
	after := []Sample{
		s(req, 105, "verb", "POST", "resource", "pods", "code", "201"),
		s(req, 3, "verb", "POST", "resource", "pods", "code", "409"),
		s(req, 100, "verb", "POST", "resource", "pods", "subresource", "binding", "code", "201"),
		s(req, 900, "verb", "GET", "resource", "pods", "code", "200"),
		s(req, 7, "verb", "WATCH", "resource", "pods", "code", "200"),
		s(etcd, 105, "operation", "create", "type", "pods"),
		s(etcd, 200, "operation", "update", "type", "pods"),
		s(etcd, 50, "operation", "get", "type", "pods"),
		s("go_goroutines", 10),
	}
	got := WriteDeltas(before, after, 100)
	want := []WriteCount{
		{Kind: "etcd update pods", Count: 200, PerPod: 2},
		{Kind: "api POST pods", Count: 100, PerPod: 1},
		{Kind: "api POST pods/binding", Count: 100, PerPod: 1},
		{Kind: "etcd create pods", Count: 100, PerPod: 1},
		{Kind: "api POST pods 409", Count: 3, PerPod: 0.03},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("WriteDeltas =\n%+v\nwant\n%+v", got, want)
	}
	if per := EtcdWritesPerPod(got); per != 3 {
		t.Fatalf("EtcdWritesPerPod = %v, want 3", per)
	}
}
