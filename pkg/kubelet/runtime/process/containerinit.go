package process

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"syscall"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// A container with volume mounts runs through the container init, runc
// style: the kubelet re-executes its own binary (/proc/self/exe) with
// argv[0] initArg0 in a new mount namespace (SysProcAttr.Unshareflags
// CLONE_NEWNS, which also makes / recursively private there, so nothing
// leaks back to the node). Go runs no code between fork and exec, so the
// init, a fresh process, makes the bind mounts, changes to the working
// directory and replaces itself (execve) with the container's command: the
// pid the runtime records is the command's.
const (
	initArg0 = "tinykube-container-init"
	// initConfigEnv carries the initConfig; the init removes it from the
	// command's environment.
	initConfigEnv = "_TINYKUBE_CONTAINER_INIT"
)

// initConfig is what the container init does.
type initConfig struct {
	Mounts []runtime.Mount `json:"mounts"`
	// Dir is the command's working directory, entered once mounted (it
	// may be under a mount).
	Dir string `json:"dir"`
	// Path is the executable (resolved by the kubelet when argv[0] has no
	// slash, else as given: it may be on a mount); Argv its arguments.
	Path string   `json:"path"`
	Argv []string `json:"argv"`
}

// command builds the command that runs argv for spec in dir, in a process
// group of its own (the caller may set another): argv itself, or, when spec
// has mounts, the container init. ctx, when not nil, kills it as
// exec.CommandContext does.
func (r *Runtime) command(ctx context.Context, spec runtime.ContainerSpec, argv []string, dir string) (*exec.Cmd, error) {
	env := append(append([]string{}, r.opts.BaseEnv...), spec.Env...)
	if len(spec.Mounts) == 0 {
		cmd := exec.Command(argv[0], argv[1:]...)
		if ctx != nil {
			cmd = exec.CommandContext(ctx, argv[0], argv[1:]...)
		}
		cmd.Env, cmd.Dir = env, dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		return cmd, nil
	}
	if !r.canMount {
		return nil, fmt.Errorf("%w: container %s has volume mounts but the kubelet cannot mount "+
			"(mount namespaces and bind mounts need CAP_SYS_ADMIN: run the kubelet as root, privileged in a container)",
			runtime.ErrCreateContainer, spec.Name)
	}
	path := argv[0]
	if !strings.Contains(path, "/") {
		p, err := exec.LookPath(path)
		if err != nil {
			return nil, err
		}
		path = p
	}
	cfg, err := json.Marshal(initConfig{Mounts: spec.Mounts, Dir: dir, Path: path, Argv: argv})
	if err != nil {
		return nil, fmt.Errorf("container init config: %w", err)
	}
	cmd := exec.Command(selfExe)
	if ctx != nil {
		cmd = exec.CommandContext(ctx, selfExe)
	}
	cmd.Args = append([]string{initArg0}, argv...)
	cmd.Env = append(env, initConfigEnv+"="+string(cfg))
	cmd.Dir = "/"
	cmd.SysProcAttr = newNamespaceAttr()
	return cmd, nil
}
