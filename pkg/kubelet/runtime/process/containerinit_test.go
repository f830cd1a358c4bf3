package process

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// TestMounts runs a container and exec'd commands with bind mounts in their
// own mount namespace: a directory read-write at a missing path (made),
// one read-only, a file; the node's mount table is untouched. It needs
// CAP_SYS_ADMIN.
func TestMounts(t *testing.T) {
	if !CanMount() {
		t.Skip("needs CAP_SYS_ADMIN")
	}
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	src := t.TempDir()
	rw, ro := filepath.Join(src, "rw"), filepath.Join(src, "ro")
	for _, d := range []string{rw, ro} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(ro, "cfg"), []byte("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "mnt")
	s := spec("c", "sh", "-c", "cat ro/cfg; echo hi > rw/out; echo no > ro/x || echo refused; exec sleep 300")
	s.WorkingDir = target
	s.Mounts = []runtime.Mount{
		{Source: rw, Target: filepath.Join(target, "rw")},
		{Source: ro, Target: filepath.Join(target, "ro"), ReadOnly: true},
		{Source: filepath.Join(ro, "cfg"), Target: filepath.Join(target, "file")},
	}
	if _, err := r.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the container's output", func() bool {
		return strings.Contains(logs(t, r, "c", runtime.LogOptions{TailLines: -1}), "refused")
	})
	if got := logs(t, r, "c", runtime.LogOptions{TailLines: -1}); !strings.HasPrefix(got, "v1") || !strings.Contains(got, "Read-only file system") {
		t.Fatalf("container output %q", got)
	}
	if b, err := os.ReadFile(filepath.Join(rw, "out")); err != nil || string(b) != "hi\n" {
		t.Fatalf("write through the mount: %q, %v", b, err)
	}
	// The node does not see the mounts.
	if _, err := os.Stat(filepath.Join(target, "ro", "cfg")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("mount visible on the node: %v", err)
	}
	// An exec'd command (and a probe's) sees them too.
	var out bytes.Buffer
	code, err := r.ExecStream(context.Background(), s, []string{"cat", "file", "rw/out"}, runtime.ExecStreams{Stdout: &out})
	if err != nil || code != 0 || out.String() != "v1hi\n" {
		t.Fatalf("exec = %d %v %q", code, err, out.String())
	}
	code, outB, err := r.Exec(context.Background(), s, []string{"sh", "-c", "touch ro/y"})
	if err != nil || code == 0 {
		t.Fatalf("write to a read-only mount = %d %v %q", code, err, outB)
	}
	if err := r.Stop(context.Background(), s.PodUID, "c", time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestMountsRefusedWithoutCapability: a container with mounts is not created
// when the kubelet cannot mount; one without runs as ever.
func TestMountsRefusedWithoutCapability(t *testing.T) {
	r, err := New(Options{RootDir: t.TempDir(), DisableMounts: true})
	if err != nil {
		t.Fatal(err)
	}
	s := spec("c", "true")
	s.Mounts = []runtime.Mount{{Source: "/tmp", Target: "/mnt/x"}}
	_, err = r.Start(context.Background(), s)
	if !errors.Is(err, runtime.ErrCreateContainer) || !strings.Contains(err.Error(), "CAP_SYS_ADMIN") {
		t.Fatalf("start = %v", err)
	}
	if got := r.Containers("uid-1"); len(got) != 0 {
		t.Fatalf("an attempt was recorded: %+v", got)
	}
	if _, _, err := r.Exec(context.Background(), s, []string{"true"}); !errors.Is(err, runtime.ErrCreateContainer) {
		t.Fatalf("exec = %v", err)
	}
}
