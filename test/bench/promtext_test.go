package bench

import (
	"reflect"
	"testing"
)

const exposition = `# HELP apiserver_storage_etcd_watches Number of etcd watches held by the watch cache of a resource.
# TYPE apiserver_storage_etcd_watches gauge
apiserver_storage_etcd_watches{resource="pods"} 1
apiserver_storage_etcd_watches{resource="deployments.apps"} 1
apiserver_registered_watchers{group="",kind="pods"} 1002
go_goroutines 57
weird{path="a\"b,c=d",x="y"} 2.5e+03 1700000000000
`

func TestParseMetrics(t *testing.T) {
	got, err := ParseMetrics(exposition, "apiserver_storage_etcd_watches", "weird")
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{
		{Name: "apiserver_storage_etcd_watches", Labels: map[string]string{"resource": "pods"}, Value: 1},
		{Name: "apiserver_storage_etcd_watches", Labels: map[string]string{"resource": "deployments.apps"}, Value: 1},
		{Name: "weird", Labels: map[string]string{"path": `a"b,c=d`, "x": "y"}, Value: 2500},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseMetrics =\n%+v\nwant\n%+v", got, want)
	}
	all, err := ParseMetrics(exposition)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Fatalf("all samples: got %d, want 5", len(all))
	}
	if by := SumBy(all[:3], "resource"); by["pods"] != 1 || by["deployments.apps"] != 1 || by[""] != 1002 {
		t.Fatalf("SumBy = %v", by)
	}
}

func TestParseMetricsErrors(t *testing.T) {
	for _, text := range []string{
		`m{a="x" 1`,
		`m{a=x} 1`,
		`m{a="x} 1`,
		`m{a="x"}`,
		`m{a="x"} one`,
	} {
		if _, err := ParseMetrics(text, "m"); err == nil {
			t.Errorf("ParseMetrics(%q): no error", text)
		}
		if s, err := ParseMetrics(text, "other"); err != nil || len(s) != 0 {
			t.Errorf("ParseMetrics(%q) of another metric = %v, %v; want nothing", text, s, err)
		}
	}
}
