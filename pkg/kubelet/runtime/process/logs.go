package process

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/kubelet/runtime"
)

// The process writes its log file itself (O_APPEND), so a restarted kubelet
// does not break its output. Rotation copies the file to "<n>.log.1" and
// truncates it in place. Times of lines are not written by the process; the
// runtime remembers when the file grew (logMarks) and a line gets the time
// of the first mark at or past its end, so timestamps are accurate to the
// poll interval (and to the kubelet's start for lines of an adopted process).

func logPath(dir string, attempt int32) string {
	return filepath.Join(dir, strconv.Itoa(int(attempt))+".log")
}

func removeLogs(dir string, attempt int32) {
	if attempt < 0 {
		return
	}
	p := logPath(dir, attempt)
	_ = os.Remove(p)
	_ = os.Remove(p + ".1")
}

// logMarks remember at what time the log reached which size, counting bytes
// of rotated-away content too (base).
type logMarks struct {
	base  int64 // bytes rotated into .1 (and dropped) before the current file
	marks []logMark
}

type logMark struct {
	off int64
	at  time.Time
}

const maxMarks = 4096

func (m *logMarks) mark(off int64, at time.Time) {
	if n := len(m.marks); n > 0 && m.marks[n-1].off >= off {
		return
	}
	if len(m.marks) >= maxMarks {
		m.marks = append(m.marks[:0], m.marks[maxMarks/2:]...)
	}
	m.marks = append(m.marks, logMark{off: off, at: at})
}

// timeAt is the time the byte before off was seen (zero: unknown).
func (m *logMarks) timeAt(off int64) time.Time {
	for _, mk := range m.marks {
		if mk.off >= off {
			return mk.at
		}
	}
	return time.Time{}
}

// rotateLocked notes the log's growth and rotates it past MaxLogSize.
func (r *Runtime) rotateLocked(c *container) {
	p := logPath(c.dir, c.rec.Attempt)
	fi, err := os.Stat(p)
	if err != nil {
		return
	}
	c.log.mark(c.log.base+fi.Size(), time.Now())
	if fi.Size() <= r.opts.MaxLogSize {
		return
	}
	if err := copyFile(p, p+".1"); err != nil {
		r.log.Warn("log rotation failed", zap.String("file", p), zap.Error(err))
		return
	}
	if err := os.Truncate(p, 0); err != nil {
		r.log.Warn("log truncation failed", zap.String("file", p), zap.Error(err))
		return
	}
	c.log.base += fi.Size()
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("read %s: %w", from, err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", to, err)
	}
	return nil
}

// logLine is one line of a log with its (approximate) time.
type logLine struct {
	at   time.Time
	text []byte // with its newline, if it had one
}

// Logs implements runtime.Runtime.
func (r *Runtime) Logs(ctx context.Context, podUID, name string, opts runtime.LogOptions, w io.Writer) error {
	r.mu.Lock()
	c := r.pods[podUID][name]
	if c == nil {
		r.mu.Unlock()
		return fmt.Errorf("container %q of pod %s: %w", name, podUID, os.ErrNotExist)
	}
	attempt, running, started := c.rec.Attempt, c.rec.Running, c.rec.StartedAt
	marks := logMarks{base: c.log.base, marks: append([]logMark(nil), c.log.marks...)}
	r.mu.Unlock()
	if opts.Previous {
		if attempt == 0 {
			return fmt.Errorf("previous terminated container %q of pod %s: %w", name, podUID, os.ErrNotExist)
		}
		attempt, running, marks = attempt-1, false, logMarks{}
	}
	p := logPath(c.dir, attempt)
	rotated, _ := os.ReadFile(p + ".1")
	cur, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("read log of container %q: %w", name, err)
	}
	fallback := started
	if fi, err := os.Stat(p); err == nil && opts.Previous {
		fallback = fi.ModTime()
	}
	lines := splitLines(rotated, cur, marks, fallback)
	lw := &limitWriter{w: w, left: opts.LimitBytes}
	err = writeLines(lw, selectLines(lines, opts), opts.Timestamps)
	if err == nil && opts.Follow && running {
		err = r.follow(ctx, c, p, int64(len(cur)), lw, opts.Timestamps)
	}
	if errors.Is(err, errLimit) {
		return nil
	}
	return err
}

// splitLines cuts the rotated and current content into timed lines.
func splitLines(rotated, cur []byte, marks logMarks, fallback time.Time) []logLine {
	var out []logLine
	add := func(b []byte, base int64) {
		off := int64(0)
		for len(b) > 0 {
			n := bytes.IndexByte(b, '\n') + 1
			if n == 0 {
				n = len(b)
			}
			off += int64(n)
			at := marks.timeAt(base + off)
			if at.IsZero() {
				at = fallback
			}
			out = append(out, logLine{at: at, text: b[:n]})
			b = b[n:]
		}
	}
	add(rotated, marks.base-int64(len(rotated)))
	add(cur, marks.base)
	return out
}

// selectLines applies Since then TailLines.
func selectLines(lines []logLine, opts runtime.LogOptions) []logLine {
	if !opts.Since.IsZero() {
		i := 0
		for i < len(lines) && lines[i].at.Before(opts.Since) {
			i++
		}
		lines = lines[i:]
	}
	if opts.TailLines >= 0 && int64(len(lines)) > opts.TailLines {
		lines = lines[int64(len(lines))-opts.TailLines:]
	}
	return lines
}

func writeLines(w io.Writer, lines []logLine, timestamps bool) error {
	bw := bufio.NewWriter(w)
	for _, l := range lines {
		if timestamps {
			bw.WriteString(l.at.UTC().Format(time.RFC3339Nano))
			bw.WriteByte(' ')
		}
		bw.Write(l.text)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write log: %w", err)
	}
	flush(w)
	return nil
}

// follow writes what the container appends from pos on, until it exits or
// ctx ends.
func (r *Runtime) follow(ctx context.Context, c *container, p string, pos int64, w io.Writer, timestamps bool) error {
	t := time.NewTicker(r.opts.PollInterval)
	defer t.Stop()
	for {
		r.mu.Lock()
		running := c.rec.Running
		r.mu.Unlock()
		b, err := readFrom(p, &pos)
		if err != nil {
			return err
		}
		if len(b) > 0 {
			if err := writeLines(w, splitLines(nil, b, logMarks{}, time.Now()), timestamps); err != nil {
				return err
			}
		}
		if !running {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// readFrom reads p past *pos; a file shorter than *pos was rotated and is
// read from its start.
func readFrom(p string, pos *int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("follow log: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("follow log: %w", err)
	}
	if fi.Size() < *pos {
		*pos = 0
	}
	b, err := io.ReadAll(io.NewSectionReader(f, *pos, fi.Size()-*pos))
	*pos += int64(len(b))
	if err != nil {
		return b, fmt.Errorf("follow log: %w", err)
	}
	return b, nil
}

func flush(w io.Writer) {
	for {
		switch x := w.(type) {
		case interface{ Flush() }:
			x.Flush()
			return
		case *limitWriter:
			w = x.w
		default:
			return
		}
	}
}

// errLimit ends a log copy at LimitBytes.
var errLimit = errors.New("log limit reached")

// limitWriter passes at most left bytes (no limit when left <= 0 at start).
type limitWriter struct {
	w     io.Writer
	left  int64
	limit bool
}

func (l *limitWriter) Write(b []byte) (int, error) {
	if l.left <= 0 && !l.limit {
		return l.w.Write(b)
	}
	l.limit = true
	if int64(len(b)) > l.left {
		n, err := l.w.Write(b[:l.left])
		l.left -= int64(n)
		if err == nil {
			err = errLimit
		}
		return n, err
	}
	n, err := l.w.Write(b)
	l.left -= int64(n)
	return n, err
}
