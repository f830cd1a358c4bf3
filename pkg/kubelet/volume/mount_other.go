//go:build !linux

package volume

import (
	"errors"
	"io/fs"
)

func mountTmpfs(string, int64) error { return errors.New("tmpfs needs Linux") }

func unmount(string) error { return errors.New("unmount needs Linux") }

func deviceOf(fs.FileInfo) uint64 { return 0 }
