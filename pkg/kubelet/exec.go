package kubelet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// Kubernetes' remote command channel protocol over WebSocket: each binary
// message starts with the stream it belongs to.
const (
	// ExecProtocolV5 adds the close-stream signal to v4.
	ExecProtocolV5 = "v5.channel.k8s.io"
	// ExecProtocolV4 carries the exit status as a Status on the error stream.
	ExecProtocolV4 = "v4.channel.k8s.io"

	StreamStdin  byte = 0
	StreamStdout byte = 1
	StreamStderr byte = 2
	StreamError  byte = 3
	StreamResize byte = 4
	// StreamClose (v5) is followed by the id of the stream the sender closes.
	StreamClose byte = 255
)

// execProtocols are the protocols served, preferred first.
var execProtocols = []string{ExecProtocolV5, ExecProtocolV4}

// Status reason and cause type of a command that exited non-zero.
const (
	ReasonNonZeroExitCode = "NonZeroExitCode"
	CauseTypeExitCode     = "ExitCode"
)

// ExecOptions are the query parameters of pods/exec and of the kubelet's
// /exec endpoint.
type ExecOptions struct {
	Command []string
	Stdin   bool
	Stdout  bool
	Stderr  bool
	TTY     bool
}

// ParseExecOptions reads command (repeated), stdin, stdout, stderr and tty.
func ParseExecOptions(q map[string][]string) (ExecOptions, error) {
	o := ExecOptions{Command: q["command"]}
	if err := parseStreamFlags(q, &o); err != nil {
		return o, err
	}
	if len(o.Command) == 0 {
		return o, errors.New("you must specify at least 1 command")
	}
	if !o.Stdin && !o.Stdout && !o.Stderr {
		return o, errors.New("you must specify at least one of stdin, stdout, stderr")
	}
	return o, nil
}

// parseStreamFlags reads stdin, stdout, stderr and tty into o.
func parseStreamFlags(q map[string][]string, o *ExecOptions) error {
	for name, dst := range map[string]*bool{"stdin": &o.Stdin, "stdout": &o.Stdout, "stderr": &o.Stderr, "tty": &o.TTY} {
		if v := q[name]; len(v) > 0 && v[0] != "" {
			b, err := strconv.ParseBool(v[0])
			if err != nil {
				return fmt.Errorf("%s=%q is not a boolean", name, v[0])
			}
			*dst = b
		}
	}
	return nil
}

// EncodeFrame is one message of the channel protocol: the stream id, then data.
func EncodeFrame(stream byte, data []byte) []byte {
	out := make([]byte, 1+len(data))
	out[0] = stream
	copy(out[1:], data)
	return out
}

// ExecStatus is the Status sent on the error stream when the command ends,
// as the kubelet's: Success, a NonZeroExitCode failure with the exit code as
// an ExitCode cause, or an internal error when it could not run.
func ExecStatus(argv []string, code int, err error) meta.Status {
	switch {
	case err != nil:
		s := apierrors.NewInternalError(fmt.Errorf("error executing command in container: %w", err)).Status()
		s.TypeMeta = meta.TypeMeta{}
		return s
	case code == 0:
		return meta.Status{Status: meta.StatusSuccess}
	default:
		return meta.Status{
			Status: meta.StatusFailure,
			Reason: ReasonNonZeroExitCode,
			Message: fmt.Sprintf("command terminated with non-zero exit code: error executing command [%s], exit code %d",
				strings.Join(argv, " "), code),
			Details: &meta.StatusDetails{Causes: []meta.StatusCause{{Type: CauseTypeExitCode, Message: strconv.Itoa(code)}}},
		}
	}
}

// writeStatusError answers a request that was not upgraded with a Status.
func writeStatusError(w http.ResponseWriter, e *apierrors.StatusError) {
	s := e.Status()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(int(s.Code))
	_ = json.NewEncoder(w).Encode(s)
}

// runningContainer finds the pod ns/name and its running container, or
// writes the Status error exec and attach answer (404 for the pod, 400 for a
// container that is not running) and returns false.
func (k *Kubelet) runningContainer(w http.ResponseWriter, ns, name, container string) (*core.Pod, *core.Container, bool) {
	pod := k.podByName(ns, name)
	if pod == nil {
		writeStatusError(w, apierrors.NewNotFound("", "pods", name))
		return nil, nil, false
	}
	c := findContainer(pod, container)
	running := false
	for _, st := range k.runtime.Containers(string(pod.UID)) {
		if st.Name == container && st.State == runtime.StateRunning {
			running = true
		}
	}
	if c == nil || !running {
		writeStatusError(w, apierrors.NewBadRequest(fmt.Sprintf("container not found (%q)", container)))
		return nil, nil, false
	}
	return pod, c, true
}

// serveExec runs a command beside a running container and streams its
// stdin, stdout and stderr over the WebSocket channel protocol; the exit
// status goes on the error stream, then the connection is closed.
func (k *Kubelet) serveExec(w http.ResponseWriter, r *http.Request) {
	ns, name, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	opts, err := ParseExecOptions(r.URL.Query())
	if err != nil {
		writeStatusError(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	pod, c, ok := k.runningContainer(w, ns, name, container)
	if !ok {
		return
	}
	if !checkChannelUpgrade(w, r) {
		return
	}
	spec, err := k.containerSpec(r.Context(), pod, c)
	if err != nil {
		writeStatusError(w, apierrors.NewInternalError(fmt.Errorf("container %s env: %w", container, err)))
		return
	}
	conn, ok := upgradeChannel(w, r)
	if !ok {
		return
	}
	s := newExecSession(conn, opts)
	// A hijacked request's context does not end with the connection: the
	// session ends it when the client goes away.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	go s.readLoop(cancel)
	code, err := k.runtime.ExecStream(ctx, spec, opts.Command, s.streams())
	if err != nil && ctx.Err() == nil {
		k.log.Info("exec failed", zap.String("pod", ns+"/"+name), zap.String("container", container), zap.Error(err))
	}
	s.finish(ExecStatus(opts.Command, code, err))
}

// checkChannelUpgrade answers a request that is not a WebSocket upgrade
// offering a channel protocol served here with a Status, and says whether
// the request may be upgraded.
func checkChannelUpgrade(w http.ResponseWriter, r *http.Request) bool {
	if !websocket.IsWebSocketUpgrade(r) {
		writeStatusError(w, apierrors.NewBadRequest(
			"unable to upgrade connection: only WebSocket ("+strings.Join(execProtocols, ", ")+") is served, not SPDY"))
		return false
	}
	if offered := websocket.Subprotocols(r); !protocolOffered(offered) {
		writeStatusError(w, apierrors.NewBadRequest(fmt.Sprintf("none of the offered protocols %v is served; want one of %v",
			offered, execProtocols)))
		return false
	}
	return true
}

// upgradeChannel upgrades a request checkChannelUpgrade accepted; when it
// fails the upgrader has answered.
func upgradeChannel(w http.ResponseWriter, r *http.Request) (*websocket.Conn, bool) {
	up := websocket.Upgrader{Subprotocols: execProtocols, CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	return conn, err == nil
}

func protocolOffered(offered []string) bool {
	for _, p := range offered {
		for _, q := range execProtocols {
			if p == q {
				return true
			}
		}
	}
	return false
}

// execSession is one upgraded exec connection.
type execSession struct {
	conn *websocket.Conn
	opts ExecOptions
	v5   bool

	writeMu sync.Mutex // one writer at a time on the connection

	stdinR *io.PipeReader
	stdinW *io.PipeWriter
	done   chan struct{} // the read loop ended
}

func newExecSession(conn *websocket.Conn, opts ExecOptions) *execSession {
	s := &execSession{conn: conn, opts: opts, v5: conn.Subprotocol() == ExecProtocolV5, done: make(chan struct{})}
	s.stdinR, s.stdinW = io.Pipe()
	return s
}

func (s *execSession) streams() runtime.ExecStreams {
	var st runtime.ExecStreams
	if s.opts.Stdin {
		st.Stdin = s.stdinR
	}
	if s.opts.Stdout {
		st.Stdout = &streamWriter{s: s, id: StreamStdout}
	}
	if s.opts.Stderr {
		st.Stderr = &streamWriter{s: s, id: StreamStderr}
	} else if s.opts.TTY && s.opts.Stdout {
		// No pseudo-terminal: with tty the client reads no stderr stream,
		// so stderr goes to stdout as a terminal would show it.
		st.Stderr = st.Stdout
	}
	return st
}

// readLoop reads the client's messages until the connection ends: stdin
// data goes to the command, a v5 close of stdin is its EOF, resize is
// ignored (no pseudo-terminal). Reading also answers the client's pings.
func (s *execSession) readLoop(clientGone context.CancelFunc) {
	defer close(s.done)
	for {
		_, data, err := s.conn.ReadMessage()
		if err != nil {
			s.stdinW.CloseWithError(io.EOF)
			clientGone()
			return
		}
		if len(data) == 0 {
			continue
		}
		switch {
		case s.v5 && data[0] == StreamClose:
			if len(data) == 2 && data[1] == StreamStdin {
				s.stdinW.Close()
			}
		case data[0] == StreamStdin:
			if s.opts.Stdin && len(data) > 1 {
				if _, err := s.stdinW.Write(data[1:]); err != nil {
					continue // the command closed its stdin: drop the rest
				}
			}
		}
	}
}

// write sends one frame.
func (s *execSession) write(id byte, data []byte) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	_ = s.conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	return s.conn.WriteMessage(websocket.BinaryMessage, EncodeFrame(id, data))
}

// finish sends the status, closes the connection and waits for the read loop.
func (s *execSession) finish(st meta.Status) {
	// The command is gone: its input ends, and a read loop blocked
	// handing it input goes on.
	s.stdinR.Close()
	if b, err := json.Marshal(st); err == nil {
		_ = s.write(StreamError, b)
	}
	s.writeMu.Lock()
	_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
		time.Now().Add(time.Second))
	s.writeMu.Unlock()
	// The client answers the close; the read loop ends then, or when the
	// connection is closed after a bounded wait.
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
	_ = s.conn.Close()
	<-s.done
}

// streamWriter writes a command's output as frames of one stream.
type streamWriter struct {
	s  *execSession
	id byte
}

func (w *streamWriter) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if err := w.s.write(w.id, b); err != nil {
		return 0, fmt.Errorf("write stream %d: %w", w.id, err)
	}
	return len(b), nil
}

// podByName is the pod of this kubelet with that namespace and name, or nil.
func (k *Kubelet) podByName(ns, name string) *core.Pod {
	var pod *core.Pod
	if w := k.workersOrNil(); w != nil {
		for _, p := range w.list() {
			if p.Namespace == ns && p.Name == name {
				pod = p
			}
		}
	}
	return pod
}
