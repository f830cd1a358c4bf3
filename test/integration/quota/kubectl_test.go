package quota

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

// newKubectl runs the real kubectl against the test apiserver in testNS.
func newKubectl(t *testing.T, e *env) *framework.Kubectl {
	t.Helper()
	return framework.NewKubectl(t, e.srv.URL, testNS)
}

var ageCell = regexp.MustCompile(`\b\d+s\b`)

// TestKubectlQuota: kubectl 1.32's create quota, get quota (REQUEST and
// LIMIT as used/hard), describe quota (Resource Used Hard), get and
// describe limits, and the 403s of both admissions as kubectl prints them.
func TestKubectlQuota(t *testing.T) {
	e := newEnv(t, true)
	k := newKubectl(t, e)
	if out := k.Must(t, "create", "quota", "q", "--hard=pods=2,requests.cpu=1,limits.memory=1Gi"); out != "resourcequota/q created\n" {
		t.Errorf("create quota: %q", out)
	}
	e.waitUsed("q", "")
	k.Must(t, "run", "p", "--image=busybox", `--overrides={"spec":{"containers":[{"name":"p","image":"busybox",`+
		`"resources":{"requests":{"cpu":"200m"},"limits":{"memory":"100Mi"}}}]}}`)
	e.waitUsed("q", "pods=1")
	got := ageCell.ReplaceAllString(k.Must(t, "get", "quota"), "AGE")
	want := "NAME   AGE   REQUEST                           LIMIT\n" +
		"q      AGE    pods: 1/2, requests.cpu: 200m/1   limits.memory: 100Mi/1Gi\n"
	// The age cell is one or two digits wide: compare without runs of spaces.
	if squeeze(got) != squeeze(want) {
		t.Errorf("get quota:\n%s\nwant:\n%s", got, want)
	}
	if got, want := k.Must(t, "describe", "quota", "q"), "Name:          q\n"+
		"Namespace:     "+testNS+"\n"+
		"Resource       Used   Hard\n"+
		"--------       ----   ----\n"+
		"limits.memory  100Mi  1Gi\n"+
		"pods           1      2\n"+
		"requests.cpu   200m   1\n"; got != want {
		t.Errorf("describe quota:\n%s\nwant:\n%s", got, want)
	}
	_, errOut, ok := k.Run(t, "run", "p2", "--image=busybox")
	if want := `Error from server (Forbidden): pods "p2" is forbidden: failed quota: q: must specify limits.memory for: p2; requests.cpu for: p2`; ok || strings.TrimSpace(errOut) != want {
		t.Errorf("run without requests: %q, want %q", errOut, want)
	}

	k.Must(t, "create", "-f", writeFile(t, "limits.yaml", "apiVersion: v1\nkind: LimitRange\nmetadata: {name: limits}\n"+
		"spec:\n  limits:\n  - type: Container\n    max: {cpu: \"1\"}\n    default: {cpu: 500m}\n"))
	e.waitLimitRangeCached("limits")
	if out := k.Must(t, "get", "limits"); !regexp.MustCompile(`^NAME     CREATED AT\nlimits   \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$`).MatchString(out) {
		t.Errorf("get limits: %q", out)
	}
	if got, want := k.Must(t, "describe", "limits", "limits"), "Name:       limits\n"+
		"Namespace:  "+testNS+"\n"+
		"Type        Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio\n"+
		"----        --------  ---  ---  ---------------  -------------  -----------------------\n"+
		"Container   cpu       -    1    500m             500m           -\n"; got != want {
		t.Errorf("describe limits:\n%s\nwant:\n%s", got, want)
	}
	_, errOut, ok = k.Run(t, "run", "big", "--image=busybox", `--overrides={"spec":{"containers":[{"name":"big","image":"busybox",`+
		`"resources":{"limits":{"cpu":"2","memory":"100Mi"}}}]}}`)
	if want := `Error from server (Forbidden): pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2`; ok || strings.TrimSpace(errOut) != want {
		t.Errorf("run over the max: %q, want %q", errOut, want)
	}
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
