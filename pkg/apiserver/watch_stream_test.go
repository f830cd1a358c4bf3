package apiserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
)

// feedWatcher is a storage.Watcher fed by a test, shaped like the watch
// cache's: events are put into a buffered input and a goroutine relays them
// one by one to an unbuffered result.
type feedWatcher struct {
	input  chan storage.Event
	result chan storage.Event
	done   chan struct{}
	once   sync.Once
}

func newFeedWatcher() *feedWatcher {
	w := &feedWatcher{input: make(chan storage.Event, 1000), result: make(chan storage.Event), done: make(chan struct{})}
	go func() {
		defer close(w.result)
		for {
			select {
			case ev, ok := <-w.input:
				if !ok {
					return
				}
				select {
				case w.result <- ev:
				case <-w.done:
					return
				}
			case <-w.done:
				return
			}
		}
	}()
	return w
}

func (w *feedWatcher) ResultChan() <-chan storage.Event { return w.result }
func (w *feedWatcher) Stop()                            { w.once.Do(func() { close(w.done) }) }

// feedStore serves every watch with the next watcher from watchers.
type feedStore struct {
	*benchStore
	watchers chan *feedWatcher
}

func (s *feedStore) Watch(context.Context, string, storage.ListOptions) (storage.Watcher, error) {
	return <-s.watchers, nil
}

// watchStream is one pod watch over a real loopback connection, from the
// full handler chain to a client reading it as pkg/client/rest does (large
// reads, lines split where they lie).
type watchStream struct {
	feed *feedWatcher
	body io.ReadCloser
	buf  []byte
	n    int // bytes in buf not yet split
}

func openWatchStream(tb testing.TB) *watchStream {
	tb.Helper()
	watchers := make(chan *feedWatcher, 1)
	h := newBenchServer(tb, func(st *benchStore) storage.Interface {
		return &feedStore{benchStore: st, watchers: watchers}
	})
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	feed := newFeedWatcher()
	watchers <- feed
	resp, err := srv.Client().Get(srv.URL + "/api/v1/pods?watch=1")
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("watch: %s", resp.Status)
	}
	s := &watchStream{feed: feed, body: resp.Body, buf: make([]byte, 16<<10)}
	tb.Cleanup(func() {
		feed.Stop()
		_ = resp.Body.Close()
	})
	return s
}

// readLines reads once and returns how many whole lines it completed.
func (s *watchStream) readLines() (int, error) {
	if s.n == len(s.buf) {
		s.buf = slices.Grow(s.buf[:s.n], len(s.buf))[:2*len(s.buf)]
	}
	m, err := s.body.Read(s.buf[s.n:])
	s.n += m
	lines := bytes.Count(s.buf[s.n-m:s.n], []byte{'\n'})
	if i := bytes.LastIndexByte(s.buf[:s.n], '\n'); i >= 0 {
		s.n = copy(s.buf, s.buf[i+1:s.n])
	}
	return lines, err
}

// syscallCount is the process's read and write syscalls so far (Linux), or
// -1.
func syscallCount() int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	var total int64
	for line := range bytes.Lines(data) {
		for _, k := range []string{"syscr: ", "syscw: "} {
			if v, ok := bytes.CutPrefix(line, []byte(k)); ok {
				n, _ := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
				total += n
			}
		}
	}
	return total
}

// BenchmarkWatchStream sends the end-to-end bench's pod events, one op each,
// to one watch over loopback at a given pace (0: back to back) and reads
// them as a client does. It reports process CPU (server and client) and
// read+write syscalls per event, events per client read (about per flush)
// and the delivery delay from the watch cache's side to the client's read.
func BenchmarkWatchStream(b *testing.B) {
	for _, pace := range []struct {
		every time.Duration
		burst int
	}{{0, 1}, {500 * time.Microsecond, 1}, {2 * time.Millisecond, 4}, {5 * time.Millisecond, 1}} {
		b.Run(fmt.Sprintf("every=%v/burst=%d", pace.every, pace.burst), func(b *testing.B) {
			benchWatchStream(b, pace.every, pace.burst)
		})
	}
}

func benchWatchStream(b *testing.B, every time.Duration, burst int) {
	s := openWatchStream(b)
	ev := storage.Event{Type: meta.Modified, Cached: storage.NewCachedObject(benchPod("node-1"))}
	sent := make([]time.Time, 0, 1<<16)
	var mu sync.Mutex
	var producer sync.WaitGroup
	defer producer.Wait()
	defer s.feed.Stop()
	// The producer paces itself on an absolute schedule, so a late wake-up
	// sends the events that are due back to back.
	producer.Go(func() {
		start := time.Now()
		for i := 0; ; i++ {
			if every > 0 && i%burst == 0 {
				if d := time.Until(start.Add(time.Duration(i/burst) * every)); d > 0 {
					time.Sleep(d)
				}
			}
			mu.Lock()
			sent = append(sent, time.Now())
			mu.Unlock()
			select {
			case s.feed.input <- ev:
			case <-s.feed.done:
				return
			}
		}
	})
	delays := make([]time.Duration, 0, 1<<16)
	reads, got, events := 0, 0, 0
	b.ReportAllocs()
	sys, cpu := syscallCount(), processCPU()
	for b.Loop() {
		events++
		for got < events {
			lines, err := s.readLines()
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			reads++
			mu.Lock()
			for i := got; i < got+lines; i++ {
				delays = append(delays, now.Sub(sent[i]))
			}
			mu.Unlock()
			got += lines
		}
	}
	reportCPU(b, cpu)
	if sys >= 0 {
		b.ReportMetric(float64(syscallCount()-sys)/float64(b.N), "syscalls/op")
	}
	b.ReportMetric(float64(got)/float64(reads), "events/read")
	slices.Sort(delays)
	b.ReportMetric(float64(delays[len(delays)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(delays[len(delays)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(delays[len(delays)-1].Microseconds()), "max-µs")
}
