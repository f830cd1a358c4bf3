package crdclients

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCtlDiscoversCustomResources: once a definition is Established,
// every name kubectl accepts for its resource works in ctl.
func TestCtlDiscoversCustomResources(t *testing.T) {
	c := startCluster(t)
	if r := c.ctl(t, "get", "crontabs"); r.code == 0 || r.err != "error: the server doesn't have a resource type \"crontabs\"\n" {
		t.Errorf("before the definition: %+v", r)
	}
	c.installCronTab(t)
	c.mustCtlIn(t, "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: c1}\nspec: {cronSpec: '* * * * */5', image: img}\n", "apply", "-f", "-")
	for _, typ := range []string{"crontabs", "crontab", "ct", "CronTab", "crontabs.stable.example.com", "crontab.v1.stable.example.com", "ct/c1"} {
		out := c.mustCtl(t, "get", typ, "-o", "name")
		if out != "crontab.stable.example.com/c1\n" {
			t.Errorf("get %s -o name = %q", typ, out)
		}
	}
}

const mixedManifest = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm1}
data: {a: b}
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: c1
  labels: {app: web}
  annotations: {note: first}
spec:
  cronSpec: "* * * * */5"
  image: my-cron-image
---
apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: c2}
spec:
  cronSpec: "0 * * * *"
  image: other
  replicas: 2
`

// TestCtlCustomObjectVerbs: ctl's verbs on custom objects, from a
// manifest mixing built-in and custom kinds.
func TestCtlCustomObjectVerbs(t *testing.T) {
	c := startCluster(t)
	c.installCronTab(t)
	out := c.mustCtlIn(t, mixedManifest, "apply", "-f", "-")
	if want := "configmap/cm1 created\ncrontab.stable.example.com/c1 created\ncrontab.stable.example.com/c2 created\n"; out != want {
		t.Errorf("apply:\n%s\nwant:\n%s", out, want)
	}
	if out := c.mustCtlIn(t, mixedManifest, "apply", "-f", "-"); !strings.Contains(out, "crontab.stable.example.com/c1 unchanged") {
		t.Errorf("second apply: %s", out)
	}

	out = c.mustCtl(t, "get", "ct")
	contains(t, "get ct", out, "NAME   SPEC          REPLICAS   AGE\n", "c1     * * * * */5   1          ", "c2     0 * * * *     2          ")
	contains(t, "get ct -A", c.mustCtl(t, "get", "crontabs", "-A"), "NAMESPACE   NAME   SPEC          REPLICAS   AGE\n", "default     c1     * * * * */5   1")
	contains(t, "get -l", c.mustCtl(t, "get", "ct", "-l", "app=web", "--show-labels"), "c1     * * * * */5   1          ", "app=web")
	if out := c.mustCtl(t, "get", "ct", "-l", "app=web", "-o", "name"); out != "crontab.stable.example.com/c1\n" {
		t.Errorf("get -l -o name: %q", out)
	}
	if out := c.mustCtl(t, "get", "ct", "-o", "jsonpath={.items[*].spec.replicas}"); out != "1 2" {
		t.Errorf("jsonpath: %q", out)
	}
	contains(t, "get -o yaml", c.mustCtl(t, "get", "ct", "c1", "-o", "yaml"),
		"apiVersion: stable.example.com/v1\n", "kind: CronTab\n", "  replicas: 1\n", "  cronSpec: '* * * * */5'\n")
	contains(t, "get -o json", c.mustCtl(t, "get", "ct/c2", "-o", "json"), `"replicas": 2`, `"kind": "CronTab"`)
	contains(t, "get two kinds", c.mustCtl(t, "get", "cm,ct"), "configmap/cm1", "crontab.stable.example.com/c1", "crontab.stable.example.com/c2")
	if r := c.ctl(t, "get", "ct", "nope"); r.code == 0 || r.err != "Error from server (NotFound): crontabs.stable.example.com \"nope\" not found\n" {
		t.Errorf("get missing: %+v", r)
	}

	if out := c.mustCtl(t, "label", "ct", "c2", "tier=batch"); out != "crontab.stable.example.com/c2 labeled\n" {
		t.Errorf("label: %q", out)
	}
	if out := c.mustCtl(t, "annotate", "crontab/c2", "note=x"); out != "crontab.stable.example.com/c2 annotated\n" {
		t.Errorf("annotate: %q", out)
	}
	if out := c.mustCtl(t, "scale", "ct", "c2", "--replicas=5"); out != "crontab.stable.example.com/c2 scaled\n" {
		t.Errorf("scale: %q", out)
	}
	if out := c.mustCtl(t, "get", "ct", "c2", "-o", "jsonpath={.spec.replicas} {.metadata.labels.tier}"); out != "5 batch" {
		t.Errorf("after scale and label: %q", out)
	}
	if out := c.mustCtl(t, "patch", "ct", "c2", "--type=merge", "-p", `{"spec":{"image":"patched"}}`); out != "crontab.stable.example.com/c2 patched\n" {
		t.Errorf("patch: %q", out)
	}
	if out := c.mustCtl(t, "patch", "ct", "c2", "--type=merge", "-p", `{"spec":{"image":"patched"}}`); out != "crontab.stable.example.com/c2 patched (no change)\n" {
		t.Errorf("patch again: %q", out)
	}
	replaced := strings.Replace(mixedManifest[strings.LastIndex(mixedManifest, "---\n")+4:], "image: other", "image: replaced", 1)
	if out := c.mustCtlIn(t, replaced, "replace", "-f", "-"); out != "crontab.stable.example.com/c2 replaced\n" {
		t.Errorf("replace: %q", out)
	}
	if out := c.mustCtl(t, "get", "ct", "c2", "-o", "jsonpath={.spec.image}"); out != "replaced" {
		t.Errorf("after replace: %q", out)
	}

	t.Setenv("KUBE_EDITOR", "sed -i -e 's/image: replaced/image: edited/'")
	if out := c.mustCtl(t, "edit", "ct/c2"); out != "crontab.stable.example.com/c2 edited\n" {
		t.Errorf("edit: %q", out)
	}
	if out := c.mustCtl(t, "get", "ct", "c2", "-o", "jsonpath={.spec.image}"); out != "edited" {
		t.Errorf("after edit: %q", out)
	}
	if out := c.mustCtl(t, "edit", "ct", "c2"); out != "Edit cancelled, no changes made.\n" {
		t.Errorf("edit without change: %q", out)
	}

	contains(t, "api-resources", squeeze(c.mustCtl(t, "api-resources", "--api-group=stable.example.com")),
		"crontabs ct stable.example.com/v1 true CronTab")

	// get -w prints a row per change under the server's columns.
	watched, stop := c.startCtl("get", "ct", "-w")
	eventually(t, 20*time.Second, "the watch's first rows", func() error {
		if !strings.Contains(watched.String(), "c2") {
			return fmt.Errorf("output so far: %q", watched.String())
		}
		return nil
	})
	c.mustCtlIn(t, "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: c3}\nspec: {cronSpec: '1 2 3 4 5'}\n", "create", "-f", "-")
	eventually(t, 20*time.Second, "the watch to print c3", func() error {
		if !strings.Contains(squeeze(watched.String()), "c3 1 2 3 4 5 1 ") {
			return fmt.Errorf("output so far: %q", watched.String())
		}
		return nil
	})
	if code := stop(); code != 0 {
		t.Errorf("get -w exit %d: %s", code, watched.String())
	}
	if n := strings.Count(watched.String(), "NAME"); n != 1 {
		t.Errorf("get -w printed %d headers:\n%s", n, watched.String())
	}

	out = c.mustCtlIn(t, mixedManifest, "delete", "-f", "-")
	if want := "configmap \"cm1\" deleted\ncrontab.stable.example.com \"c1\" deleted\ncrontab.stable.example.com \"c2\" deleted\n"; out != want {
		t.Errorf("delete -f:\n%s\nwant:\n%s", out, want)
	}
	if out := c.mustCtl(t, "get", "ct", "-o", "name"); out != "crontab.stable.example.com/c3\n" {
		t.Errorf("left: %q", out)
	}
}

// squeeze collapses the runs of spaces of a table, line by line.
func squeeze(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
