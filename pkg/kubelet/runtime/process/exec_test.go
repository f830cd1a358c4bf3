package process

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

func TestExecStream(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	s := spec("c", "sleep", "300")
	s.Env = []string{"POD_NAME=p"}
	if _, err := r.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	code, err := r.ExecStream(ctx, s, []string{"sh", "-c", `cat; echo "$POD_NAME"; echo e >&2; exit 3`},
		runtime.ExecStreams{Stdin: strings.NewReader("data\n"), Stdout: &out, Stderr: &errOut})
	if err != nil || code != 3 || out.String() != "data\np\n" || errOut.String() != "e\n" {
		t.Fatalf("exec = %d %v, stdout %q, stderr %q", code, err, out.String(), errOut.String())
	}
	// It runs in the container's process group: stopping the container
	// ends it too.
	out.Reset()
	code, err = r.ExecStream(ctx, s, []string{"sh", "-c", "ps -o pgid= -p $$ 2>/dev/null || cut -d' ' -f5 /proc/$$/stat"},
		runtime.ExecStreams{Stdout: &out})
	if err != nil || code != 0 || strings.TrimSpace(out.String()) != strings.TrimPrefix(status(t, r, "c").ID, "process://") {
		t.Fatalf("exec pgid = %d %v %q, container %s", code, err, out.String(), status(t, r, "c").ID)
	}
	// It is killed when ctx ends.
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := r.ExecStream(cctx, s, []string{"sleep", "300"}, runtime.ExecStreams{})
		done <- err
	}()
	cancel()
	if err := <-done; err == nil {
		t.Fatal("exec whose context ended succeeded")
	}
	if _, err := r.ExecStream(ctx, s, []string{"no-such-command-tinykube"}, runtime.ExecStreams{}); err == nil {
		t.Fatal("exec of a missing command started")
	}
	if err := r.Stop(ctx, s.PodUID, "c", 0); err != nil {
		t.Fatal(err)
	}
}
