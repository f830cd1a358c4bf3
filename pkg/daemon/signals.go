package daemon

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// ShutdownSignals are the signals that end a daemon gracefully.
var ShutdownSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// exit is os.Exit; a variable so tests can observe the second-signal exit.
var exit = os.Exit

// SignalContext returns a context cancelled on the first SIGINT or SIGTERM.
// A second signal exits the process at once with code 1. The returned stop
// function releases the signal handler and ends the watching goroutine; it
// is safe to call more than once (defer it, and call it to stop early).
func SignalContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, ShutdownSignals...)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ch:
			cancel()
		case <-stop:
			return
		}
		select {
		case <-ch:
			exit(1)
		case <-stop:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(ch)
			cancel()
			close(stop)
		})
		<-done
	}
}
