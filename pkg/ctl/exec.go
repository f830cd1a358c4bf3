package ctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// The remote command channel protocol (Kubernetes'): each binary message
// starts with its stream id.
const (
	execProtocolV5 = "v5.channel.k8s.io"
	execProtocolV4 = "v4.channel.k8s.io"

	execStdin  byte = 0
	execStdout byte = 1
	execStderr byte = 2
	execError  byte = 3
	execClose  byte = 255 // v5: followed by the id of the stream closed
)

type execOptions struct {
	container string
	stdin     bool
	tty       bool
}

func execCommand() *command {
	o := &execOptions{}
	return &command{
		name: "exec", short: "Execute a command in a container",
		usage: "exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [args...]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVarP(&o.container, "container", "c", "", "Container name. If omitted, the first container in the pod is chosen")
			fs.BoolVarP(&o.stdin, "stdin", "i", false, "Pass stdin to the container")
			fs.BoolVarP(&o.tty, "tty", "t", false, "Stdin is a TTY (the kubelet runs the command on pipes: no pseudo-terminal)")
		},
		run: o.run,
	}
}

// exitCodeError is a remote command that exited non-zero: ctl prints
// kubectl's line and exits with the same code.
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string {
	return fmt.Sprintf("command terminated with exit code %d", e.code)
}

func (o *execOptions) run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		return usageError("expected 'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]'.\nPOD or TYPE/NAME is a required argument for the exec command")
	}
	if len(args) < 2 {
		return usageError("you must specify at least one command for the container")
	}
	pod, err := env.livePod(ctx, args[0], "exec into")
	if err != nil {
		return err
	}
	container := o.container
	if container == "" && len(pod.Spec.Containers) > 0 {
		container = pod.Spec.Containers[0].Name
		if len(pod.Spec.Containers) > 1 {
			fmt.Fprintf(env.Streams.ErrOut, "Defaulted container %q out of: %s\n", container, containerNames(pod.Spec.Containers))
		}
	}
	q := url.Values{"command": args[1:], "container": {container}, "stdout": {"true"},
		"stdin": {strconv.FormatBool(o.stdin)}, "stderr": {strconv.FormatBool(!o.tty)}, "tty": {strconv.FormatBool(o.tty)}}
	conn, err := dialChannel(ctx, env, "/api/v1/namespaces/"+url.PathEscape(pod.Namespace)+"/pods/"+url.PathEscape(pod.Name)+"/exec", q)
	if err != nil {
		return err
	}
	var in io.Reader
	if o.stdin {
		in = env.Streams.In
	}
	return streamExec(ctx, conn, in, env.Streams.Out, env.Streams.ErrOut)
}

// upgradeError turns a refused upgrade into the server's Status error.
func upgradeError(resp *http.Response, err error) error {
	if resp == nil {
		return fmt.Errorf("exec: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var st meta.Status
	if json.Unmarshal(b, &st) == nil && st.Message != "" {
		return apierrors.FromStatus(st)
	}
	return fmt.Errorf("unable to upgrade connection: %s", resp.Status)
}

// streamExec copies in to the stdin stream (closing it at EOF on v5) and
// the stdout and stderr streams to out and errOut until the server closes
// the connection, then reads the exit status from the error stream.
func streamExec(ctx context.Context, conn *websocket.Conn, in io.Reader, out, errOut io.Writer) error {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	v5 := conn.Subprotocol() == execProtocolV5
	var writeMu sync.Mutex
	send := func(b []byte) error {
		writeMu.Lock()
		defer writeMu.Unlock()
		return conn.WriteMessage(websocket.BinaryMessage, b)
	}
	if in != nil {
		// A terminal's stdin may never end: this goroutine is not waited for.
		go func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := in.Read(buf)
				if n > 0 {
					if send(append([]byte{execStdin}, buf[:n]...)) != nil {
						return
					}
				}
				if err != nil {
					if v5 {
						_ = send([]byte{execClose, execStdin})
					}
					return
				}
			}
		}()
	}
	var status []byte
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ce *websocket.CloseError
			if !errors.As(err, &ce) && len(status) == 0 {
				return fmt.Errorf("exec: %w", err)
			}
			break
		}
		if len(data) == 0 {
			continue
		}
		switch data[0] {
		case execStdout:
			if _, err := out.Write(data[1:]); err != nil {
				return fmt.Errorf("write stdout: %w", err)
			}
		case execStderr:
			if _, err := errOut.Write(data[1:]); err != nil {
				return fmt.Errorf("write stderr: %w", err)
			}
		case execError:
			status = append(status, data[1:]...)
		}
	}
	return execStatusError(status)
}

// execStatusError reads the Status of the error stream: nil on success (or
// none sent), the exit code of a NonZeroExitCode failure, else the Status.
func execStatusError(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	var st meta.Status
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("exec: error stream: %w", err)
	}
	if st.Status == meta.StatusSuccess {
		return nil
	}
	if st.Reason == "NonZeroExitCode" && st.Details != nil {
		for _, c := range st.Details.Causes {
			if c.Type == "ExitCode" {
				if n, err := strconv.Atoi(c.Message); err == nil {
					return &exitCodeError{code: n}
				}
			}
		}
	}
	return apierrors.FromStatus(st)
}

// livePod reads the pod name (or, for TYPE/NAME, the pod of that
// workload, as logs picks it) of the current namespace for exec or attach
// (what: "exec into", "attach"), refusing a completed pod with kubectl's
// message.
func (env *Env) livePod(ctx context.Context, name, what string) (*core.Pod, error) {
	ns, err := env.Namespace()
	if err != nil {
		return nil, err
	}
	if typ, n, ok := strings.Cut(name, "/"); ok {
		r, err := env.resolve(ctx, typ)
		if err != nil {
			return nil, err
		}
		if name, err = podOf(ctx, env, r, ns, n); err != nil {
			return nil, err
		}
	}
	cs, err := env.Clientset()
	if err != nil {
		return nil, err
	}
	pod, err := cs.CoreV1().Pods(ns).Get(ctx, name, meta.GetOptions{})
	if err != nil {
		return nil, err
	}
	if pod.Status.Phase == core.PodSucceeded || pod.Status.Phase == core.PodFailed {
		return nil, fmt.Errorf("cannot %s a container in a completed pod; current phase is %s", what, pod.Status.Phase)
	}
	return pod, nil
}
