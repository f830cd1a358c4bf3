package process

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

func TestMain(m *testing.M) {
	Init() // containers with mounts re-execute this test binary as their init
	goleak.VerifyTestMain(m)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
}

// newRuntime starts a runtime whose Run stops at test cleanup; cleanup also
// kills whatever the test left running.
func newRuntime(t *testing.T, root string) *Runtime {
	t.Helper()
	r, err := New(Options{RootDir: root, PollInterval: 20 * time.Millisecond, MaxLogSize: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return r
}

func killAll(t *testing.T, r *Runtime) {
	t.Cleanup(func() {
		for _, uid := range r.Pods() {
			if err := r.RemovePod(context.Background(), uid); err != nil {
				t.Errorf("remove pod: %v", err)
			}
		}
	})
}

func spec(name string, argv ...string) runtime.ContainerSpec {
	return runtime.ContainerSpec{PodUID: "uid-1", PodNamespace: "default", PodName: "p", Name: name, Argv: argv}
}

func status(t *testing.T, r *Runtime, name string) runtime.ContainerStatus {
	t.Helper()
	for _, s := range r.Containers("uid-1") {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("container %s not found", name)
	return runtime.ContainerStatus{}
}

func logs(t *testing.T, r *Runtime, name string, opts runtime.LogOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.Logs(context.Background(), "uid-1", name, opts, &b); err != nil {
		t.Fatalf("logs: %v", err)
	}
	return b.String()
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func TestRunLogAndStopWithSIGTERM(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	st, err := r.Start(context.Background(), spec("c", "sh", "-c", "echo hi; sleep 30"))
	if err != nil {
		t.Fatal(err)
	}
	if st.State != runtime.StateRunning || !strings.HasPrefix(st.ID, "process://") {
		t.Fatalf("status = %+v", st)
	}
	pid, _ := strconv.Atoi(strings.TrimPrefix(st.ID, "process://"))
	waitFor(t, "log line", func() bool { return logs(t, r, "c", runtime.LogOptions{TailLines: -1}) == "hi\n" })
	if err := r.Stop(context.Background(), "uid-1", "c", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	st = status(t, r, "c")
	if st.State != runtime.StateExited || st.Exit.Signal != int32(syscall.SIGTERM) || st.Exit.ExitCode != 143 {
		t.Fatalf("after stop: %+v exit %+v", st, st.Exit)
	}
	waitFor(t, "process gone", func() bool { return !alive(pid) })
}

func TestExitCodesAndRestartAttempts(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	for i, tc := range []struct {
		script string
		code   int32
		reason string
	}{
		{"echo one; exit 3", 3, runtime.ReasonError},
		{"echo two", 0, runtime.ReasonCompleted},
	} {
		if _, err := r.Start(context.Background(), spec("c", "sh", "-c", tc.script)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "exit", func() bool { return status(t, r, "c").State == runtime.StateExited })
		st := status(t, r, "c")
		if st.Attempt != int32(i) || st.Exit.ExitCode != tc.code || st.Exit.Reason != tc.reason {
			t.Fatalf("attempt %d: %+v exit %+v", i, st, st.Exit)
		}
		if i == 1 && (st.LastTermination == nil || st.LastTermination.ExitCode != 3) {
			t.Fatalf("last termination = %+v", st.LastTermination)
		}
	}
	if got := logs(t, r, "c", runtime.LogOptions{TailLines: -1, Previous: true}); got != "one\n" {
		t.Fatalf("previous log = %q", got)
	}
	if got := logs(t, r, "c", runtime.LogOptions{TailLines: -1}); got != "two\n" {
		t.Fatalf("current log = %q", got)
	}
}

func TestMissingCommandFailsCleanly(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	st, err := r.Start(context.Background(), spec("c", "no-such-command-tinykube"))
	if err == nil {
		t.Fatal("start of a missing command succeeded")
	}
	if st.State != runtime.StateExited || st.Exit.ExitCode != runtime.ExitCodeNotFound ||
		st.Exit.Reason != runtime.ReasonStartError || !strings.Contains(st.Exit.Message, "executable file not found") {
		t.Fatalf("status = %+v exit %+v", st, st.Exit)
	}
	if _, err := r.Start(context.Background(), spec("d")); err == nil || status(t, r, "d").Exit.Reason != runtime.ReasonStartError {
		t.Fatalf("a container without command started: %v", err)
	}
}

func TestKillAfterGracePeriod(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	if _, err := r.Start(context.Background(), spec("c", "sh", "-c", "trap '' TERM; echo ready; while true; do sleep 1; done")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "trap installed", func() bool { return logs(t, r, "c", runtime.LogOptions{TailLines: -1}) == "ready\n" })
	start := time.Now()
	if err := r.Stop(context.Background(), "uid-1", "c", 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if st := status(t, r, "c"); st.Exit.Signal != int32(syscall.SIGKILL) || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("exit = %+v after %v", st.Exit, time.Since(start))
	}
}

func TestEnvAndWorkingDir(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	dir := t.TempDir()
	s := spec("c", "sh", "-c", `echo "$GREETING"; pwd`)
	s.Env, s.WorkingDir = []string{"GREETING=hello world"}, dir
	if _, err := r.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "exit", func() bool { return status(t, r, "c").State == runtime.StateExited })
	if got := logs(t, r, "c", runtime.LogOptions{TailLines: -1}); got != "hello world\n"+dir+"\n" {
		t.Fatalf("log = %q", got)
	}
	code, out, err := r.Exec(context.Background(), s, []string{"sh", "-c", `echo "$GREETING"; exit 4`})
	if err != nil || code != 4 || string(out) != "hello world\n" {
		t.Fatalf("exec = %d %q %v", code, out, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := r.Exec(ctx, s, []string{"sleep", "30"}); err == nil {
		t.Fatal("exec past its timeout succeeded")
	}
}

func TestLogOptionsAndRotation(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	if _, err := r.Start(context.Background(), spec("c", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; sleep 30")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "lines", func() bool { return strings.Count(logs(t, r, "c", runtime.LogOptions{TailLines: -1}), "\n") == 5 })
	if got := logs(t, r, "c", runtime.LogOptions{TailLines: 2}); got != "line4\nline5\n" {
		t.Fatalf("tail = %q", got)
	}
	if got := logs(t, r, "c", runtime.LogOptions{TailLines: -1, LimitBytes: 8}); got != "line1\nli" {
		t.Fatalf("limit = %q", got)
	}
	got := logs(t, r, "c", runtime.LogOptions{TailLines: 1, Timestamps: true})
	ts, line, _ := strings.Cut(got, " ")
	if _, err := time.Parse(time.RFC3339Nano, ts); err != nil || line != "line5\n" {
		t.Fatalf("timestamps = %q (%v)", got, err)
	}
	if got := logs(t, r, "c", runtime.LogOptions{TailLines: -1, Since: time.Now().Add(time.Hour)}); got != "" {
		t.Fatalf("since the future = %q", got)
	}
	// Rotation: a 2 KiB burst passes MaxLogSize (1 KiB); the log keeps it all.
	if _, err := r.Start(context.Background(), spec("big", "sh", "-c", "i=0; while [ $i -lt 100 ]; do echo 0123456789abcdefghi; i=$((i+1)); done; sleep 30")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "rotation", func() bool {
		_, err := os.Stat(filepath.Join(r.containerDir("uid-1", "big"), "0.log.1"))
		return err == nil
	})
	waitFor(t, "all lines", func() bool {
		return strings.Count(logs(t, r, "big", runtime.LogOptions{TailLines: -1}), "0123456789abcdefghi\n") == 100
	})
}

func TestFollowEndsWithTheContainer(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	if _, err := r.Start(context.Background(), spec("c", "sh", "-c", "echo a; sleep 0.3; echo b")); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Logs(ctx, "uid-1", "c", runtime.LogOptions{TailLines: -1, Follow: true}, &b); err != nil {
		t.Fatal(err)
	}
	if b.String() != "a\nb\n" {
		t.Fatalf("followed = %q", b.String())
	}
}

func TestNewRuntimeAdoptsRunningProcess(t *testing.T) {
	root := t.TempDir()
	r1, err := New(Options{RootDir: root})
	if err != nil {
		t.Fatal(err)
	}
	st1, err := r1.Start(context.Background(), spec("c", "sh", "-c", "echo hi; sleep 30"))
	if err != nil {
		t.Fatal(err)
	}
	short, err := r1.Start(context.Background(), spec("short", "sh", "-c", "exit 7"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimPrefix(short.ID, "process://"))
	waitFor(t, "short process exit", func() bool {
		st, err := readProcStat(pid)
		return err == nil && st.state == 'Z'
	})
	// r1 is dropped without stopping anything: a kubelet restart.
	r2 := newRuntime(t, root)
	killAll(t, r2)
	st2 := status(t, r2, "c")
	if st2.State != runtime.StateRunning || st2.ID != st1.ID {
		t.Fatalf("adopted = %+v, started %+v", st2, st1)
	}
	if st := status(t, r2, "short"); st.State != runtime.StateExited || st.Exit.ExitCode != 7 {
		t.Fatalf("exited while away = %+v %+v", st, st.Exit)
	}
	if err := r2.Stop(context.Background(), "uid-1", "c", time.Second); err != nil {
		t.Fatal(err)
	}
	pidC, _ := strconv.Atoi(strings.TrimPrefix(st1.ID, "process://"))
	waitFor(t, "adopted process gone", func() bool { return !alive(pidC) })
}

func TestReusedPidIsNotAdopted(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "pods", "uid-1", "containers", "c")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	self, err := readProcStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	rec := &record{PodUID: "uid-1", Name: "c", Pid: os.Getpid(), StartTicks: self.startTicks + 1, Running: true}
	if err := saveRecord(dir, rec); err != nil {
		t.Fatal(err)
	}
	r, err := New(Options{RootDir: root})
	if err != nil {
		t.Fatal(err)
	}
	if st := status(t, r, "c"); st.State != runtime.StateExited || st.Exit.Reason != runtime.ReasonUnknown {
		t.Fatalf("status = %+v %+v", st, st.Exit)
	}
}

func TestParseProcStat(t *testing.T) {
	line := "123 (a (weird) name) S 1 123 123 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 100"
	st, err := parseProcStat([]byte(line))
	if err != nil || st.state != 'S' || st.startTicks != 987654 {
		t.Fatalf("parse = %+v %v", st, err)
	}
	if _, err := parseProcStat([]byte("12 (x) S 1 2")); err == nil {
		t.Fatal("short stat parsed")
	}
}
