package ctl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/core"
)

type attachOptions struct {
	container string
	stdin     bool
	tty       bool
	quiet     bool
}

func attachCommand() *command {
	o := &attachOptions{}
	return &command{
		name: "attach", short: "Attach to a running container",
		usage: "attach POD [-c CONTAINER] [-i] [-t] [-q]",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVarP(&o.container, "container", "c", "", "Container name. If omitted, the first container in the pod is chosen")
			fs.BoolVarP(&o.stdin, "stdin", "i", false, "Pass stdin to the container")
			fs.BoolVarP(&o.tty, "tty", "t", false, "Stdin is a TTY (the kubelet runs containers on pipes: no pseudo-terminal)")
			fs.BoolVarP(&o.quiet, "quiet", "q", false, "Only print output from the remote session")
		},
		run: o.run,
	}
}

// attachTTY is kubectl attach's TTY rule: a TTY only for a container that
// allocated one (with a warning when one was asked for in vain), and always
// for such a container, whose streams carry no separate stderr.
func attachTTY(requested bool, c *core.Container) (tty bool, warning string) {
	switch {
	case requested && !c.TTY:
		return false, fmt.Sprintf("error: Unable to use a TTY - container %s did not allocate one", c.Name)
	case c.TTY:
		return true, ""
	}
	return false, ""
}

// attachContainer is the container named (or the pod's first), with
// kubectl's note when a pod of several containers had one chosen for it.
func attachContainer(pod *core.Pod, name string) (c *core.Container, note string, err error) {
	if name == "" {
		if len(pod.Spec.Containers) == 0 {
			return nil, "", fmt.Errorf("pod %s has no containers", pod.Name)
		}
		c = &pod.Spec.Containers[0]
		if len(pod.Spec.Containers) > 1 {
			note = fmt.Sprintf("Defaulted container %q out of: %s", c.Name, containerNames(pod.Spec.Containers))
		}
		return c, note, nil
	}
	for _, list := range [][]core.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i], "", nil
			}
		}
	}
	return nil, "", fmt.Errorf("cannot attach to the container: container %s not found in pod %s", name, pod.Name)
}

func (o *attachOptions) run(ctx context.Context, env *Env, args []string) error {
	if len(args) != 1 {
		return usageError("expected 'attach POD'.\nPOD is a required argument for the attach command")
	}
	pod, err := env.livePod(ctx, args[0], "attach")
	if err != nil {
		return err
	}
	c, note, err := attachContainer(pod, o.container)
	if err != nil {
		return err
	}
	if note != "" && !o.quiet {
		fmt.Fprintln(env.Streams.ErrOut, note)
	}
	tty, warning := attachTTY(o.tty, c)
	if warning != "" && !o.quiet {
		fmt.Fprintln(env.Streams.ErrOut, warning)
	}
	if !o.quiet {
		fmt.Fprintln(env.Streams.ErrOut, "If you don't see a command prompt, try pressing enter.")
	}
	q := url.Values{"container": {c.Name}, "stdout": {"true"}, "stdin": {strconv.FormatBool(o.stdin)},
		"stderr": {strconv.FormatBool(!tty)}, "tty": {strconv.FormatBool(tty)}}
	conn, err := dialChannel(ctx, env, "/api/v1/namespaces/"+url.PathEscape(pod.Namespace)+"/pods/"+url.PathEscape(pod.Name)+"/attach", q)
	if err != nil {
		return err
	}
	var in io.Reader
	if o.stdin {
		in = env.Streams.In
	}
	err = streamExec(ctx, conn, in, env.Streams.Out, env.Streams.ErrOut)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil // detached (interrupted), as kubectl attach ends quietly
	}
	return err
}

// dialChannel opens a WebSocket offering the channel protocols (v5, v4) to
// path with query q on the apiserver.
func dialChannel(ctx context.Context, env *Env, path string, q url.Values) (*websocket.Conn, error) {
	rc, err := env.REST()
	if err != nil {
		return nil, err
	}
	u := rc.Base()
	u.Path += path
	u.RawQuery = q.Encode()
	if u.Scheme == "https" {
		u.Scheme = "wss"
	} else {
		u.Scheme = "ws"
	}
	tlsCfg, hdr, err := streamingDialConfig(env)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", path, err)
	}
	d := websocket.Dialer{TLSClientConfig: tlsCfg, Subprotocols: []string{execProtocolV5, execProtocolV4},
		HandshakeTimeout: 30 * time.Second, Proxy: http.ProxyFromEnvironment}
	conn, resp, err := d.DialContext(ctx, u.String(), hdr)
	if err != nil {
		return nil, upgradeError(resp, err)
	}
	return conn, nil
}
