package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"
)

// profiler takes CPU profiles of the daemons that serve pprof while a
// phase runs, and heap profiles on demand. Files go to dir as
// <daemon>-<kind>.pprof.
type profiler struct {
	dir  string
	urls map[string]string
	log  *zap.Logger
	wg   sync.WaitGroup
}

// newProfiler returns nil (profiling off) when dir is empty.
func newProfiler(dir string, urls map[string]string, log *zap.Logger) (*profiler, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("profile dir: %w", err)
	}
	return &profiler{dir: dir, urls: urls, log: log}, nil
}

// startCPU begins a CPU profile of seconds on every daemon, saved as
// <daemon>-<phase>-cpu.pprof; wait collects them.
func (p *profiler) startCPU(ctx context.Context, phase string, seconds int) {
	for name, base := range p.urls {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			url := base + "/profile?seconds=" + strconv.Itoa(seconds)
			p.save(ctx, name+"-"+phase+"-cpu.pprof", url, time.Duration(seconds+30)*time.Second)
		}()
	}
}

// heap saves a heap profile of every daemon as <daemon>-<phase>-heap.pprof.
func (p *profiler) heap(ctx context.Context, phase string) {
	for name, base := range p.urls {
		p.save(ctx, name+"-"+phase+"-heap.pprof", base+"/heap", 30*time.Second)
	}
}

func (p *profiler) wait() { p.wg.Wait() }

func (p *profiler) save(ctx context.Context, file, url string, timeout time.Duration) {
	if err := fetchTo(ctx, filepath.Join(p.dir, file), url, timeout); err != nil {
		p.log.Warn("profile", zap.String("url", url), zap.Error(err))
		return
	}
	p.log.Info("profile saved", zap.String("file", filepath.Join(p.dir, file)))
}

func fetchTo(ctx context.Context, path, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("request %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
