package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/registry"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// now is the clock of every printer test.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// fixtures reads testdata/objects.yaml: the objects the printers print.
func fixtures(t *testing.T) map[string][]*clientset.Unstructured {
	t.Helper()
	env := &Env{Table: registry.Default(), Client: testClientOptions("")}
	infos, err := env.readManifests(context.Background(), []string{"testdata/objects.yaml"}, false)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*clientset.Unstructured{}
	for _, in := range infos {
		out[in.Resource.Resource] = append(out[in.Resource.Resource], in.Object)
	}
	return out
}

func resource(t *testing.T, name string) *registry.Resource {
	t.Helper()
	r, ok := registry.Default().Resolve(name)
	if !ok {
		t.Fatalf("no resource %s", name)
	}
	return r
}

func TestPrintTableGolden(t *testing.T) {
	objs := fixtures(t)
	for _, tc := range []struct {
		file, res string
		opts      PrintOptions
	}{
		{"pods.txt", "pods", PrintOptions{}},
		{"pods-wide.txt", "pods", PrintOptions{Output: "wide"}},
		{"pods-all-namespaces-labels.txt", "pods", PrintOptions{WithNamespace: true, ShowLabels: true}},
		{"pods-kind-noheaders.txt", "pods", PrintOptions{WithKind: true, NoHeaders: true}},
		{"nodes.txt", "nodes", PrintOptions{}},
		{"nodes-wide.txt", "nodes", PrintOptions{Output: "wide"}},
		{"deployments.txt", "deployments", PrintOptions{}},
		{"deployments-wide.txt", "deployments", PrintOptions{Output: "wide"}},
		{"services.txt", "services", PrintOptions{Output: "wide"}},
		{"jobs.txt", "jobs", PrintOptions{}},
		{"daemonsets.txt", "daemonsets", PrintOptions{}},
		{"configmaps.txt", "configmaps", PrintOptions{}},
		{"events.txt", "events", PrintOptions{}},
		{"namespaces.txt", "namespaces", PrintOptions{}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := PrintTable(&buf, resource(t, tc.res), objs[tc.res], tc.opts, now); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, buf.Bytes())
		})
	}
}

func TestPrintObjectsGolden(t *testing.T) {
	objs := fixtures(t)
	pods := resource(t, "pods")
	var list []printed
	for _, u := range objs["pods"] {
		list = append(list, printed{res: pods, obj: u})
	}
	deploy := printed{res: resource(t, "deploy"), obj: objs["deployments"][0]}
	for _, tc := range []struct {
		file   string
		objs   []printed
		output string
		single bool
	}{
		{"pod.json", list[:1], "json", true},
		{"pod.yaml", list[:1], "yaml", true},
		{"pods-list.yaml", list, "yaml", false},
		{"names.txt", append(append([]printed(nil), list...), deploy), "name", false},
		{"jsonpath.txt", list, `jsonpath={range .items[*]}{.metadata.name}{"\t"}{.status.phase}{"\n"}{end}`, false},
		{"jsonpath-names.txt", list, "jsonpath={.items[*].metadata.name}", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var buf bytes.Buffer
			if err := PrintObjects(&buf, tc.objs, PrintOptions{Output: tc.output}, tc.single); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, buf.Bytes())
		})
	}
}

func TestDescribeGolden(t *testing.T) {
	objs := fixtures(t)
	events := []core.Event{}
	for _, u := range objs["events"] {
		var e core.Event
		b, _ := json.Marshal(u)
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	for _, tc := range []struct {
		file, res string
		events    []core.Event
	}{
		{"describe-pod.txt", "pods", events},
		{"describe-node.txt", "nodes", nil},
		{"describe-deployment.txt", "deployments", nil},
		{"describe-configmap.txt", "configmaps", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			r := resource(t, tc.res)
			u := objs[tc.res][0]
			obj, err := typedObject(r, u)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Describe(&buf, obj, u, tc.events, now); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, buf.Bytes())
		})
	}
}

func TestPrintOptionsValidate(t *testing.T) {
	for _, o := range []string{"", "wide", "json", "yaml", "name", "jsonpath={.a}"} {
		if err := (PrintOptions{Output: o}).validate(); err != nil {
			t.Errorf("%q: %v", o, err)
		}
	}
	if err := (PrintOptions{Output: "xml"}).validate(); err == nil {
		t.Error("xml accepted")
	}
}
