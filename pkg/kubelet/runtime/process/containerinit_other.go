//go:build !linux

package process

import "syscall"

const selfExe = "/proc/self/exe"

// Init does nothing: the container init needs Linux.
func Init() {}

// CanMount is false: mount namespaces need Linux.
func CanMount() bool { return false }

func newNamespaceAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
