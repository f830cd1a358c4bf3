//go:build unix

package apiserver

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) the process used so far;
// benchmarks report it per operation, a figure less skewed than ns/op by
// other processes on a shared machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
