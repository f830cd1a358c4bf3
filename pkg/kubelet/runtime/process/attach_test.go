package process

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// syncBuffer is a bytes.Buffer written by Attach and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// attachSession is one Attach running in the background.
type attachSession struct {
	in   *io.PipeWriter
	out  *syncBuffer
	stop context.CancelFunc
	done chan error
}

func startAttach(r *Runtime, name string, withStdin bool) *attachSession {
	ctx, cancel := context.WithCancel(context.Background())
	s := &attachSession{out: &syncBuffer{}, stop: cancel, done: make(chan error, 1)}
	streams := runtime.ExecStreams{Stdout: s.out}
	var inR *io.PipeReader
	if withStdin {
		inR, s.in = io.Pipe()
		streams.Stdin = inR
	}
	go func() {
		err := r.Attach(ctx, "uid-1", name, streams)
		if inR != nil {
			inR.Close() // as the kubelet's session does once Attach returned
		}
		s.done <- err
	}()
	return s
}

func (s *attachSession) write(t *testing.T, text string) {
	t.Helper()
	if _, err := io.WriteString(s.in, text); err != nil {
		t.Fatalf("write stdin: %v", err)
	}
}

func TestAttachStdinStaysOpenBetweenSessions(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	s := spec("c", "sh", "-c", `echo before; while read l; do echo "got $l"; done; echo eof; sleep 300`)
	s.Stdin = true
	if _, err := r.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "first line in the log", func() bool { return logs(t, r, "c", runtime.LogOptions{TailLines: -1}) == "before\n" })

	a := startAttach(r, "c", true)
	a.write(t, "one\n")
	waitFor(t, "echo of the input", func() bool { return a.out.String() == "got one\n" })
	// The end of this session's input ends the session, not the
	// container's stdin (no stdinOnce).
	a.in.Close()
	if err := <-a.done; err != nil {
		t.Fatalf("attach after the end of its input: %v", err)
	}

	b := startAttach(r, "c", true)
	b.write(t, "two\n")
	waitFor(t, "echo in the second session", func() bool { return b.out.String() == "got two\n" })
	b.stop()
	if err := <-b.done; err != nil {
		t.Fatalf("attach whose context ended: %v", err)
	}
	if got := logs(t, r, "c", runtime.LogOptions{TailLines: -1}); got != "before\ngot one\ngot two\n" {
		t.Fatalf("log = %q", got)
	}
	if st := status(t, r, "c"); st.State != runtime.StateRunning {
		t.Fatalf("container after the sessions: %+v", st)
	}
}

func TestAttachStdinOnce(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	s := spec("c", "sh", "-c", `read x; echo "got $x"; cat; echo "stdin closed" >&2`)
	s.Stdin, s.StdinOnce = true, true
	if _, err := r.Start(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	a := startAttach(r, "c", true)
	a.write(t, "hello\nmore\n")
	a.in.Close()
	// The end of the input closes the container's stdin: cat ends, the
	// container exits, and the session ends with it, stderr included.
	if err := <-a.done; err != nil {
		t.Fatalf("attach: %v", err)
	}
	if got := a.out.String(); got != "got hello\nmore\nstdin closed\n" {
		t.Fatalf("attached output = %q", got)
	}
	waitFor(t, "exit", func() bool { return status(t, r, "c").State == runtime.StateExited })
	if err := r.Attach(context.Background(), "uid-1", "c", runtime.ExecStreams{Stdout: io.Discard}); !errors.Is(err, runtime.ErrNotRunning) {
		t.Fatalf("attach to an exited container: %v", err)
	}
}

func TestAttachWithoutStdin(t *testing.T) {
	r := newRuntime(t, t.TempDir())
	killAll(t, r)
	// Without stdin: true the container reads the null device.
	if _, err := r.Start(context.Background(), spec("c", "sh", "-c", "cat; echo eof; while sleep 0.05; do echo tick; done")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "end of the null input", func() bool { return strings.HasPrefix(logs(t, r, "c", runtime.LogOptions{TailLines: -1}), "eof\n") })
	err := r.Attach(context.Background(), "uid-1", "c", runtime.ExecStreams{Stdin: strings.NewReader("x"), Stdout: io.Discard})
	if !errors.Is(err, runtime.ErrNoStdin) {
		t.Fatalf("attach with input to a container without stdin: %v", err)
	}
	// Output only: the session lasts until the container exits.
	a := startAttach(r, "c", false)
	waitFor(t, "output after attaching", func() bool { return strings.HasPrefix(a.out.String(), "tick\n") })
	if err := r.Stop(context.Background(), "uid-1", "c", 0); err != nil {
		t.Fatal(err)
	}
	if err := <-a.done; err != nil || strings.Contains(a.out.String(), "eof") {
		t.Fatalf("attach to a container that was stopped: %v, output %q", err, a.out.String())
	}
}
