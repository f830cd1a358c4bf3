package kubelet

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// ParseAttachOptions reads the query parameters of pods/attach and of the
// kubelet's /attach endpoint: stdin, stdout, stderr and tty (no command).
func ParseAttachOptions(q map[string][]string) (ExecOptions, error) {
	var o ExecOptions
	if err := parseStreamFlags(q, &o); err != nil {
		return o, err
	}
	if !o.Stdin && !o.Stdout && !o.Stderr {
		return o, errors.New("you must specify at least one of stdin, stdout, stderr")
	}
	return o, nil
}

// AttachStatus is the Status sent on the error stream when an attach
// session ends: Success, or an internal error saying why it failed.
func AttachStatus(err error) meta.Status {
	if err == nil {
		return meta.Status{Status: meta.StatusSuccess}
	}
	s := apierrors.NewInternalError(fmt.Errorf("error attaching to container: %w", err)).Status()
	s.TypeMeta = meta.TypeMeta{}
	return s
}

// serveAttach connects a client to a running container's own process over
// the same WebSocket channel protocol as exec: the container's output from
// now on (runtime.Attach: the process runtime follows its log file, so
// stdout and stderr both arrive on the stdout stream) and, with stdin=true,
// the client's input to the container's stdin, which the container must
// have (stdin: true in its spec). The session ends when the client goes
// away or the container exits (or when the client's input ends, for a
// container without stdinOnce), with a Status on the error stream. tty
// changes nothing: the container runs on pipes, as exec -t does.
func (k *Kubelet) serveAttach(w http.ResponseWriter, r *http.Request) {
	ns, name, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	opts, err := ParseAttachOptions(r.URL.Query())
	if err != nil {
		writeStatusError(w, apierrors.NewBadRequest(err.Error()))
		return
	}
	pod, c, ok := k.runningContainer(w, ns, name, container)
	if !ok {
		return
	}
	if opts.Stdin && !c.Stdin {
		writeStatusError(w, apierrors.NewBadRequest(fmt.Sprintf(
			"cannot attach to the stdin of container %s in pod %s: the container was not started with stdin: true", container, name)))
		return
	}
	if !checkChannelUpgrade(w, r) {
		return
	}
	conn, ok := upgradeChannel(w, r)
	if !ok {
		return
	}
	s := newExecSession(conn, opts)
	// As for exec: the session ends the context when the client goes away.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	go s.readLoop(cancel)
	err = k.runtime.Attach(ctx, string(pod.UID), container, s.streams())
	if err != nil {
		k.log.Info("attach failed", zap.String("pod", ns+"/"+name), zap.String("container", container), zap.Error(err))
	}
	s.finish(AttachStatus(err))
}
