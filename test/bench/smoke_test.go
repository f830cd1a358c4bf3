package bench

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// grpc's process-wide callback serializer, started by the etcd client.
		goleak.IgnoreAnyFunction("google.golang.org/grpc/internal/grpcsync.(*CallbackSerializer).run"),
	)
}

// daemons returns a directory with etcd, apiserver, scheduler and kubelet:
// $TINYKUBE_BENCH_BIN, else the repository's bin/ when it holds all four
// (make build; bin/etcd comes from hack/bench.sh or deploy/build-images.sh),
// else fresh builds in a temporary directory.
func daemons(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("TINYKUBE_BENCH_BIN"); dir != "" {
		return dir
	}
	repoBin, err := filepath.Abs("../../bin")
	if err != nil {
		t.Fatal(err)
	}
	if haveAll(BinsIn(repoBin)) {
		t.Logf("using the daemons in %s", repoBin)
		return repoBin
	}
	dir := t.TempDir()
	t.Logf("building the daemons into %s", dir)
	goBuild(t, "../..", "-o", dir+"/", "./cmd/apiserver", "./cmd/scheduler", "./cmd/kubelet")
	goBuild(t, "../../hack/tools/etcd", "-o", filepath.Join(dir, "etcd"), ".")
	return dir
}

func haveAll(b Bins) bool {
	for _, p := range []string{b.Etcd, b.APIServer, b.Scheduler, b.Kubelet} {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

func goBuild(t *testing.T, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %v in %s: %v\n%s", args, dir, err, out)
	}
}

// TestQuickRun runs the whole harness at tiny sizes and checks that every
// phase ran and reported; it asserts no timing.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real daemons")
	}
	cfg := Defaults()
	cfg.Quick()
	cfg.Bins, cfg.WorkDir, cfg.ProfileDir = BinsIn(daemons(t)), t.TempDir(), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := Run(ctx, &cfg, zaptest.NewLogger(t))
	defer http.DefaultClient.CloseIdleConnections()
	if err != nil {
		t.Fatalf("Run: %v (logs in %s)", err, cfg.WorkDir)
	}
	if len(res.Etcd) != 2*len(cfg.EtcdConcurrency) || res.Etcd[0].Puts == 0 || res.Etcd[len(res.Etcd)-1].When != "after" {
		t.Errorf("raw etcd not reported: %+v", res.Etcd)
	}
	if l := res.Load; l == nil || !l.Complete || l.Running != cfg.Pods || l.StartupLatency.Count != cfg.Pods {
		t.Errorf("pod load not complete: %+v", res.Load)
	}
	if w := res.Watch; w == nil || w.Delivered != cfg.Watchers*cfg.Markers || w.EtcdWatches["pods"] != 1 {
		t.Errorf("watch phase not reported: %+v", res.Watch)
	}
	for _, d := range []string{"etcd", "apiserver", "scheduler", "kubelet"} {
		if st, ok := res.AtEnd[d]; !ok || st.RSSMB <= 0 {
			t.Errorf("no stats of %s: %+v", d, res.AtEnd)
		}
	}
	for _, d := range []string{"apiserver", "scheduler", "kubelet"} {
		if fi, err := os.Stat(filepath.Join(cfg.ProfileDir, d+"-load-cpu.pprof")); err != nil || fi.Size() == 0 {
			t.Errorf("%s CPU profile not saved: %v", d, err)
		}
	}
	out := filepath.Join(t.TempDir(), "r.json")
	if err := res.WriteJSON(out); err != nil {
		t.Fatal(err)
	}
}

// TestRunWithoutKubelet checks that a daemon that cannot start costs only
// the pod load: raw etcd and the watch fan-out still report.
func TestRunWithoutKubelet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real daemons")
	}
	cfg := Defaults()
	cfg.Quick()
	cfg.Bins, cfg.WorkDir = BinsIn(daemons(t)), t.TempDir()
	cfg.Bins.Kubelet = filepath.Join(t.TempDir(), "no-kubelet")
	cfg.EtcdConcurrency = []int{4}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := Run(ctx, &cfg, zaptest.NewLogger(t))
	defer http.DefaultClient.CloseIdleConnections()
	if err == nil || !strings.Contains(err.Error(), "start kubelet") || len(res.Errors) != 1 {
		t.Fatalf("Run without a kubelet: err %v, errors %q; want one kubelet start failure", err, res.Errors)
	}
	if res.Load != nil {
		t.Errorf("pod load reported without a kubelet: %+v", res.Load)
	}
	if len(res.Etcd) != 2 || res.Watch == nil || res.Watch.Delivered != cfg.Watchers*cfg.Markers {
		t.Errorf("raw etcd or watch phase missing: etcd %+v, watch %+v", res.Etcd, res.Watch)
	}
	var buf bytes.Buffer
	res.PrintTable(&buf)
	if !strings.Contains(buf.String(), "start kubelet") || !strings.Contains(buf.String(), "apiserver RSS / CPU seconds at the end") {
		t.Errorf("table lacks the failure or the apiserver's stats:\n%s", buf.String())
	}
}
