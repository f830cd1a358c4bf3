package scheduling

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/test/integration/framework"
)

const testNS = "sched-test"

// newKubectl runs the real kubectl against the test apiserver in testNS.
func newKubectl(t *testing.T, srv *framework.TestServer) *framework.Kubectl {
	t.Helper()
	return framework.NewKubectl(t, srv.URL, testNS)
}

// eventually polls cond until it returns nil or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var ageCell = regexp.MustCompile(`\b\d+s\b`)

func squeeze(s string) string {
	return strings.Join(strings.Fields(ageCell.ReplaceAllString(s, "AGE")), " ")
}

// TestKubectlPriorityClasses: the built-in classes exist from the start;
// kubectl 1.32 creates a class and lists them (NAME VALUE GLOBAL-DEFAULT
// AGE PREEMPTIONPOLICY); a pod naming the class gets its priority and
// preemption policy, one naming no class gets 0, an unknown class or a
// priority of the pod's own is refused as Kubernetes does; reserved names,
// values over 1000000000 and a second global default are refused.
func TestKubectlPriorityClasses(t *testing.T) {
	srv := framework.StartAPIServer(t)
	k := newKubectl(t, srv)
	k.Must(t, "create", "namespace", testNS)

	got := k.Must(t, "get", "pc")
	want := "NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY " +
		"system-cluster-critical 2000000000 false AGE PreemptLowerPriority " +
		"system-node-critical 2000001000 false AGE PreemptLowerPriority"
	if squeeze(got) != want {
		t.Errorf("get pc at start:\n%s\nwant (squeezed): %s", got, want)
	}
	if out := k.Must(t, "create", "priorityclass", "high", "--value=1000", "--description=important"); out != "priorityclass.scheduling.k8s.io/high created\n" {
		t.Errorf("create priorityclass: %q", out)
	}
	if got := k.Must(t, "get", "pc", "high"); squeeze(got) != "NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY high 1000 false AGE PreemptLowerPriority" {
		t.Errorf("get pc high:\n%s", got)
	}

	k.Must(t, "run", "vip", "--image=busybox", `--overrides={"spec":{"priorityClassName":"high"}}`)
	if out := k.Must(t, "get", "pod", "vip", "-o", "jsonpath={.spec.priority} {.spec.preemptionPolicy}"); out != "1000 PreemptLowerPriority" {
		t.Errorf("pod of class high: %q, want priority 1000", out)
	}
	k.Must(t, "run", "plain", "--image=busybox")
	if out := k.Must(t, "get", "pod", "plain", "-o", "jsonpath={.spec.priority} {.spec.preemptionPolicy} {.spec.priorityClassName}"); out != "0 PreemptLowerPriority " {
		t.Errorf("pod of no class: %q, want priority 0", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown class", []string{"run", "x", "--image=busybox", `--overrides={"spec":{"priorityClassName":"nope"}}`},
			`Error from server (Forbidden): pods "x" is forbidden: no PriorityClass with name nope was found`},
		{"own priority", []string{"run", "y", "--image=busybox", `--overrides={"spec":{"priority":5}}`},
			`Error from server (Forbidden): pods "y" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name`},
		{"too high", []string{"create", "priorityclass", "huge", "--value=1000000001"},
			`error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "huge" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000`},
		{"reserved name", []string{"create", "priorityclass", "system-mine", "--value=1"},
			`error: failed to create priorityclass: PriorityClass.scheduling.k8s.io "system-mine" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class`},
	} {
		_, errOut, ok := k.Run(t, tc.args...)
		if ok || strings.TrimSpace(errOut) != tc.want {
			t.Errorf("%s: ok=%v %q, want %q", tc.name, ok, errOut, tc.want)
		}
	}

	k.Must(t, "create", "priorityclass", "default-low", "--value=-5", "--global-default", "--preemption-policy=Never")
	// The admission reads classes from the watch cache: a new default
	// applies once the cache has it.
	eventually(t, 10*time.Second, "pod gets the global default class", func() error {
		name := "d" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
		k.Must(t, "run", name, "--image=busybox")
		if out := k.Must(t, "get", "pod", name, "-o", "jsonpath={.spec.priorityClassName} {.spec.priority} {.spec.preemptionPolicy}"); out != "default-low -5 Never" {
			return &mismatch{got: out}
		}
		return nil
	})
	_, errOut, ok := k.Run(t, "create", "priorityclass", "another", "--value=1", "--global-default")
	if want := `error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "another" is forbidden: PriorityClass default-low is already marked as default. Only one default can exist`; ok || strings.TrimSpace(errOut) != want {
		t.Errorf("second global default: %q, want %q", errOut, want)
	}
}

type mismatch struct{ got string }

func (m *mismatch) Error() string { return "got " + m.got }

// TestKubectlHorizontalPodAutoscaler: an autoscaling/v2 autoscaler made
// with kubectl 1.32 gets the v2 defaults and is listed as kubectl prints it
// (NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE; no controller
// fills the status, so TARGETS is <unknown>); invalid bounds are refused.
// (kubectl 1.32's "autoscale" posts autoscaling/v1, which is not served.)
func TestKubectlHorizontalPodAutoscaler(t *testing.T) {
	srv := framework.StartAPIServer(t)
	k := newKubectl(t, srv)
	k.Must(t, "create", "namespace", testNS)
	k.Must(t, "create", "deployment", "web", "--image=busybox")
	hpa := func(name string, min int) string {
		return "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: " + name + "}\n" +
			"spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n" +
			"  minReplicas: " + strconv.Itoa(min) + "\n  maxReplicas: 5\n"
	}
	if out := k.Must(t, "create", "-f", writeFile(t, "web.yaml", hpa("web", 2))); out != "horizontalpodautoscaler.autoscaling/web created\n" {
		t.Errorf("create hpa: %q", out)
	}
	got := k.Must(t, "get", "hpa")
	if want := "NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE web Deployment/web cpu: <unknown>/80% 2 5 0 AGE"; squeeze(got) != want {
		t.Errorf("get hpa:\n%s\nwant (squeezed): %s", got, want)
	}
	if out := k.Must(t, "get", "hpa", "web", "-o", "jsonpath={.apiVersion} {.spec.metrics[0].resource.name} {.spec.metrics[0].resource.target.averageUtilization}"); out != "autoscaling/v2 cpu 80" {
		t.Errorf("hpa defaults: %q", out)
	}
	_, errOut, ok := k.Run(t, "create", "-f", writeFile(t, "bad.yaml", hpa("bad", 6)))
	if want := `The HorizontalPodAutoscaler "bad" is invalid: spec.maxReplicas: Invalid value: 5: must be greater than or equal to ` + "`minReplicas`"; ok || strings.TrimSpace(errOut) != want {
		t.Errorf("min above max: ok=%v %q, want %q", ok, errOut, want)
	}
	if out := k.Must(t, "delete", "hpa", "web"); out != "horizontalpodautoscaler.autoscaling \"web\" deleted\n" {
		t.Errorf("delete hpa: %q", out)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
