package volume

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// fileKind is what a host path is.
type fileKind int

const (
	kindMissing fileKind = iota
	kindDirectory
	kindFile
	kindSocket
	kindCharDevice
	kindBlockDevice
	kindOther
)

func kindOf(info fs.FileInfo) fileKind {
	m := info.Mode()
	switch {
	case m.IsDir():
		return kindDirectory
	case m.IsRegular():
		return kindFile
	case m&fs.ModeSocket != 0:
		return kindSocket
	case m&fs.ModeCharDevice != 0:
		return kindCharDevice
	case m&fs.ModeDevice != 0:
		return kindBlockDevice
	}
	return kindOther
}

// hostPathAction is what a hostPath type check asks for.
type hostPathAction int

const (
	hostPathUse hostPathAction = iota
	hostPathCreateDirectory
	hostPathCreateFile
)

// checkHostPathType decides, from what is at path, whether a hostPath volume
// of type t can be used as it is, needs its directory or file created, or
// fails (with Kubernetes' messages). It does no I/O.
func checkHostPathType(path string, t core.HostPathType, kind fileKind) (hostPathAction, error) {
	want := func(k fileKind, what string) (hostPathAction, error) {
		if kind != k {
			return hostPathUse, fmt.Errorf("hostPath type check failed: %s is not %s", path, what)
		}
		return hostPathUse, nil
	}
	switch t {
	case core.HostPathUnset:
		return hostPathUse, nil
	case core.HostPathDirectoryOrCreate:
		if kind == kindMissing {
			return hostPathCreateDirectory, nil
		}
		return want(kindDirectory, "a directory")
	case core.HostPathDirectory:
		return want(kindDirectory, "a directory")
	case core.HostPathFileOrCreate:
		if kind == kindMissing {
			return hostPathCreateFile, nil
		}
		return want(kindFile, "a file")
	case core.HostPathFile:
		return want(kindFile, "a file")
	case core.HostPathSocket:
		return want(kindSocket, "a socket file")
	case core.HostPathCharDev:
		return want(kindCharDevice, "a character device")
	case core.HostPathBlockDev:
		return want(kindBlockDevice, "a block device")
	}
	return hostPathUse, fmt.Errorf("hostPath type %q is not supported", t)
}

// setUpHostPath checks (and, for the *OrCreate types, creates) a hostPath
// volume's path. As in Kubernetes, FileOrCreate does not create the file's
// parent directory.
func setUpHostPath(src *core.HostPathVolumeSource) error {
	t := core.HostPathUnset
	if src.Type != nil {
		t = *src.Type
	}
	kind := kindMissing
	info, err := os.Stat(src.Path)
	switch {
	case err == nil:
		kind = kindOf(info)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("hostPath %s: %w", src.Path, err)
	}
	action, err := checkHostPathType(src.Path, t, kind)
	if err != nil {
		return err
	}
	switch action {
	case hostPathCreateDirectory:
		if err := os.MkdirAll(src.Path, 0o755); err != nil {
			return fmt.Errorf("create hostPath directory: %w", err)
		}
	case hostPathCreateFile:
		f, err := os.OpenFile(src.Path, os.O_CREATE|os.O_RDONLY, 0o644)
		if err != nil {
			return fmt.Errorf("create hostPath file: %w", err)
		}
		_ = f.Close()
	}
	return nil
}
