package process

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// selfExe is this binary, as the kernel knows it (even if replaced on disk).
const selfExe = "/proc/self/exe"

// capSysAdmin is CAP_SYS_ADMIN's bit in the capability sets.
const capSysAdmin = 21

// Init runs the container init when this process was started as one (see
// initArg0) and then never returns; otherwise it returns at once. The
// kubelet's main calls it first, as does any test binary that runs
// containers with volume mounts on the process runtime.
func Init() {
	if len(os.Args) == 0 || os.Args[0] != initArg0 {
		return
	}
	err := runInit()
	fmt.Fprintf(os.Stderr, "container init: %v\n", err)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		os.Exit(runtime.ExitCodeNotFound)
	case errors.Is(err, fs.ErrPermission):
		os.Exit(126)
	}
	os.Exit(128)
}

func runInit() error {
	var cfg initConfig
	if err := json.Unmarshal([]byte(os.Getenv(initConfigEnv)), &cfg); err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	if err := os.Unsetenv(initConfigEnv); err != nil {
		return err
	}
	for _, m := range cfg.Mounts {
		if err := bindMount(m); err != nil {
			return err
		}
	}
	if err := os.Chdir(cfg.Dir); err != nil {
		return fmt.Errorf("working directory: %w", err)
	}
	if err := syscall.Exec(cfg.Path, cfg.Argv, os.Environ()); err != nil {
		return fmt.Errorf("exec %s: %w", cfg.Path, err)
	}
	return nil
}

// bindMount mounts m.Source at m.Target, creating the mount point (a
// directory, or an empty file for a file) when missing, then makes it
// read-only when asked.
func bindMount(m runtime.Mount) error {
	info, err := os.Stat(m.Source)
	if err != nil {
		return fmt.Errorf("mount source: %w", err)
	}
	if info.IsDir() {
		err = os.MkdirAll(m.Target, 0o755)
	} else {
		err = ensureFile(m.Target)
	}
	if err != nil {
		return fmt.Errorf("mount point %s: %w", m.Target, err)
	}
	if err := syscall.Mount(m.Source, m.Target, "", syscall.MS_BIND|syscall.MS_REC, ""); err != nil {
		return fmt.Errorf("bind mount %s on %s: %w", m.Source, m.Target, err)
	}
	if m.ReadOnly {
		flags := uintptr(syscall.MS_BIND | syscall.MS_REMOUNT | syscall.MS_RDONLY)
		if err := syscall.Mount("", m.Target, "", flags, ""); err != nil {
			return fmt.Errorf("remount %s read-only: %w", m.Target, err)
		}
	}
	return nil
}

func ensureFile(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o644)
	if err != nil {
		return err
	}
	return f.Close()
}

// newNamespaceAttr starts a process in its own process group and a new
// mount namespace.
func newNamespaceAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Unshareflags: syscall.CLONE_NEWNS}
}

// CanMount says whether this process has CAP_SYS_ADMIN in its effective set,
// which mount namespaces, bind mounts and tmpfs need.
func CanMount() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && caps&(1<<capSysAdmin) != 0
		}
	}
	return false
}
