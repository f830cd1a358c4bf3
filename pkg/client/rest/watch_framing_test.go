package rest

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tinykube/tinykube/pkg/client/watch"
)

// collect runs a streamWatcher over body and returns every event it sends.
func collect(body io.Reader, general bool) []watch.Event[*testObj] {
	w := &streamWatcher[*testObj]{
		result: make(chan watch.Event[*testObj]), done: make(chan struct{}),
		body: io.NopCloser(body), cancel: func() {},
		decode: DecodeJSON[testObj](),
	}
	if general {
		go func() {
			defer close(w.result)
			w.decodeStream(body)
		}()
	} else {
		go w.receive()
	}
	var evs []watch.Event[*testObj]
	for ev := range w.ResultChan() {
		evs = append(evs, ev)
	}
	return evs
}

// checkSameAsGeneral fails unless the line fast path yields exactly the
// events of the general decoder alone.
func checkSameAsGeneral(t *testing.T, stream string) []watch.Event[*testObj] {
	t.Helper()
	want := collect(strings.NewReader(stream), true)
	got := collect(strings.NewReader(stream), false)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stream %q:\n got %s\nwant %s", stream, dump(got), dump(want))
	}
	// Reads that end anywhere (inside a line, right after a '}') change nothing.
	for name, r := range map[string]io.Reader{
		"one byte reads": iotest.OneByteReader(strings.NewReader(stream)),
		"half reads":     iotest.HalfReader(strings.NewReader(stream)),
	} {
		if split := collect(r, false); !reflect.DeepEqual(split, want) {
			t.Fatalf("stream %q with %s:\n got %s\nwant %s", stream, name, dump(split), dump(want))
		}
	}
	return got
}

func dump(evs []watch.Event[*testObj]) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, "{%s %+v %+v} ", ev.Type, ev.Object, ev.Status)
	}
	return b.String()
}

func TestWatchFramingSameAsGeneralDecoder(t *testing.T) {
	added := `{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"6"},"spec":"one"}}`
	gone := `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old","reason":"Expired","code":410}}`
	long := fmt.Sprintf(`{"type":"MODIFIED","object":{"metadata":{"name":"a"},"spec":%q}}`, strings.Repeat("x", 3*watchReadBuffer))
	for name, tc := range map[string]struct {
		stream string
		want   int // events
	}{
		"lines":                 {added + "\n" + long + "\n" + gone + "\n", 3},
		"crlf and blank lines":  {"\r\n" + added + "\r\n\n  \t\n" + gone + "\r\n", 2},
		"no final newline":      {added + "\n" + added, 2},
		"no newline framing":    {added + added + " " + gone, 3},
		"no framing after line": {added + "\n" + added + added + "\n" + added, 4},
		"other key order":       {`{"object":{"metadata":{"name":"a"}},"type":"ADDED"}` + "\n" + added + "\n", 2},
		"spaced":                {`{ "type": "ADDED", "object": {"metadata":{"name":"a"}} }` + "\n" + added + "\n", 2},
		"pretty printed":        {"{\n  \"type\": \"ADDED\",\n  \"object\": {\"spec\": \"x\"}\n}\n" + added + "\n", 2},
		"escaped type":          {`{"type":"ADD\u0045D","object":{"spec":"x"}}` + "\n", 1},
		"unknown type":          {`{"type":"NEW","object":{"spec":"x"}}` + "\n" + added + "\n", 1},
		"object not decodable":  {`{"type":"ADDED","object":{"spec":5}}` + "\n" + added + "\n", 1},
		"status not decodable":  {`{"type":"ERROR","object":{"code":"x"}}` + "\n" + added + "\n", 1},
		"two values on a line":  {`{"type":"ADDED","object":{"spec":"x"}} {"type":"ADDED","object":{"spec":"y"}}` + "\n", 2},
		"duplicate type":        {`{"type":"ADDED","object":{"spec":"x"},"type":"DELETED"}` + "\n", 1},
		"missing object":        {`{"type":"ADDED"}` + "\n" + added + "\n", 1},
		"null object":           {`{"type":"ADDED","object":null}` + "\n", 1},
		"malformed":             {added + "\n" + `{"type":"ADDED","object":{"metadata":` + "\n}}}\n", 2},
		"truncated":             {added + "\n" + `{"type":"ADDED","object":{"spec":"x"}`, 1},
		"garbage":               {added + "\nnope\n" + added + "\n", 2},
	} {
		t.Run(name, func(t *testing.T) {
			if got := checkSameAsGeneral(t, tc.stream); len(got) != tc.want {
				t.Fatalf("%d events, want %d: %s", len(got), tc.want, dump(got))
			}
		})
	}
}

// TestWatchWithoutNewlinesDeliversEachEventAtOnce: a server that ends its
// values with no newline and then waits must not have its events held back
// until more data comes.
func TestWatchWithoutNewlinesDeliversEachEventAtOnce(t *testing.T) {
	pr, pw := io.Pipe()
	w := &streamWatcher[*testObj]{
		result: make(chan watch.Event[*testObj]), done: make(chan struct{}),
		body: pr, cancel: func() {}, decode: DecodeJSON[testObj](),
	}
	go w.receive()
	defer w.Stop()
	writes := []struct {
		data  string
		specs []string
	}{
		{`{"type":"ADDED","object":{"spec":"one"}}`, []string{"one"}},
		{` {"type":"MODIFIED","object":{"spec":"two"}}`, []string{"two"}},
		{`{"type":"MODIFIED","object":{"spec":"three"}}{"type":"MODIFIED","object":{"spec":"four"}}`, []string{"three", "four"}},
		{`{"object":{"spec":"five"},"type":"MODIFIED"}`, []string{"five"}},
		{`{"type":"MODIFIED","object":{"spec":"six"}}`, []string{"six"}},
	}
	for _, wr := range writes {
		go func() { _, _ = io.WriteString(pw, wr.data) }()
		for _, spec := range wr.specs {
			if ev, ok := next(t, w); !ok || ev.Object == nil || ev.Object.Spec != spec {
				t.Fatalf("after %q: event %s (open %v), want spec %q", wr.data, dump([]watch.Event[*testObj]{ev}), ok, spec)
			}
		}
	}
	_ = pw.Close()
	if ev, ok := next(t, w); ok {
		t.Fatalf("event %s after the stream ended", dump([]watch.Event[*testObj]{ev}))
	}
}

func TestWatchFramingLinesDoNotShareBuffers(t *testing.T) {
	// Events decoded from one read buffer must not alias each other.
	var stream strings.Builder
	for i := range 50 {
		line, _ := json.Marshal(map[string]any{"type": "MODIFIED", "object": map[string]any{"spec": fmt.Sprint("v", i)}})
		stream.Write(line)
		stream.WriteByte('\n')
	}
	evs := collect(strings.NewReader(stream.String()), false)
	for i, ev := range evs {
		if ev.Object.Spec != fmt.Sprint("v", i) {
			t.Fatalf("event %d: spec %q", i, ev.Object.Spec)
		}
	}
}

// FuzzWatchFraming: the line fast path and the general decoder agree on
// every stream.
func FuzzWatchFraming(f *testing.F) {
	f.Add(`{"type":"ADDED","object":{"metadata":{"name":"a"}}}` + "\n" + `{"type":"ERROR","object":{"kind":"Status","code":410}}`)
	f.Add(`{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"5"}}}{"type":"X"}`)
	f.Add(`{"type":"ADDED","object":{"spec":"a"}}` + "\r\n" + `{"type":"MODIFIED","object":{"spec":"b"}} ` + "\n")
	f.Add(`{"type":"ADDED","object":{"spec":"a"}} {"type":"DELETED","object":{}}` + "\n")
	f.Add(`{"type":"ADDED","object":`)
	f.Fuzz(func(t *testing.T, stream string) {
		checkSameAsGeneral(t, stream)
	})
}

// chunkReader returns at most n bytes per Read, as a connection returns what
// has arrived.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestLineReaderGrowsWhileReadsFillIt: the read buffer grows, up to
// maxWatchReadBuffer, while reads fill it (a batch larger than the buffer),
// and not when they do not.
func TestLineReaderGrowsWhileReadsFillIt(t *testing.T) {
	line := `{"type":"ADDED","object":{"spec":"` + strings.Repeat("x", 1000) + `"}}` + "\n"
	stream := strings.Repeat(line, 200) // 200 KB
	for _, tt := range []struct {
		name    string
		perRead int
		want    int
	}{
		{"batches larger than the buffer", 1 << 20, maxWatchReadBuffer},
		{"small reads", 4 << 10, watchReadBuffer},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lr := newLineReader(&chunkReader{r: strings.NewReader(stream), n: tt.perRead})
			lines := 0
			for {
				l, err := lr.next()
				if len(l) > 0 {
					if string(l) != line {
						t.Fatalf("line %d is %q", lines, l)
					}
					lines++
				}
				if err != nil {
					break
				}
			}
			if lines != 200 {
				t.Fatalf("%d lines, want 200", lines)
			}
			if len(lr.buf) != tt.want {
				t.Errorf("buffer of %d bytes, want %d", len(lr.buf), tt.want)
			}
		})
	}
}
