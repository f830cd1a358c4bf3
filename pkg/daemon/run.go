package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// RunAll runs every fn with a shared context derived from ctx. When ctx ends
// or any fn returns a non-nil error, the shared context is cancelled; RunAll
// then waits for every fn to return and yields the first error (nil when all
// ended cleanly or only because ctx was cancelled). It is the graceful-shutdown
// spine of a daemon: servers, controllers and the leader-election loop all
// stop together.
func RunAll(ctx context.Context, fns ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && !errors.Is(err, context.Canceled) {
				once.Do(func() { first = err })
				cancel()
			}
		}()
	}
	wg.Wait()
	return first
}

// ServeUntilDone serves srv on its listener until ctx ends, then shuts it down
// gracefully within timeout (in-flight requests finish; after the timeout the
// remaining connections are closed). serve is srv.Serve(l) or
// srv.ServeTLS(l, ...) bound by the caller.
func ServeUntilDone(ctx context.Context, srv *http.Server, serve func() error, timeout time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- serve() }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("serve %s: %w", srv.Addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
		err = fmt.Errorf("shutdown %s: %w", srv.Addr, err)
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("serve %s: %w", srv.Addr, serr)
	}
	return err
}
