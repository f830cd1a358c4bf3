package rest

import (
	"bytes"
	"encoding/json"
	"io"
)

// watchReadBuffer is the initial read buffer of a watch stream: a few pods'
// worth. It grows to hold the longest event seen, and up to
// maxWatchReadBuffer while reads fill it: the apiserver writes a burst of
// events as one batch of up to 64 KB, which then takes one read.
const (
	watchReadBuffer    = 16 << 10
	maxWatchReadBuffer = 64 << 10
)

// lineReader splits a watch stream into the JSON values the apiserver
// writes, one per line, and returns each where it lies in its buffer.
type lineReader struct {
	r   io.Reader
	buf []byte
	// buf[start:end] is read and not yet returned; buf[start:scanned] holds
	// no newline.
	start, scanned, end int
	filled              bool  // the last read filled buf: more was waiting
	err                 error // from r; returned once buf is drained
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, buf: make([]byte, watchReadBuffer)}
}

// next returns the next line with its newline; or, when the bytes read so
// far hold no newline but end in '}' and start with a whole JSON value (a
// server that does not end its values with a newline), those bytes, so that
// no event is held back until more data comes; or, with an error from the
// stream, whatever was left before it. The result is valid until the next
// call.
func (lr *lineReader) next() ([]byte, error) {
	for {
		if i := bytes.IndexByte(lr.buf[lr.scanned:lr.end], '\n'); i >= 0 {
			return lr.take(lr.scanned + i + 1), nil
		}
		lr.scanned = lr.end
		if lr.err != nil {
			return lr.take(lr.end), lr.err
		}
		if lr.holdsValue() {
			return lr.take(lr.end), nil
		}
		lr.fill()
	}
}

// take returns buf[start:end] and marks it returned.
func (lr *lineReader) take(end int) []byte {
	line := lr.buf[lr.start:end]
	lr.start, lr.scanned = end, max(lr.scanned, end)
	return line
}

// holdsValue reports whether the unreturned bytes, which hold no newline,
// end in '}' and are one JSON value or start with one. It scans them only
// in that case, which a newline-framed stream shows only when a read ends
// inside a line just after a '}'.
func (lr *lineReader) holdsValue() bool {
	v := trimSpace(lr.buf[lr.start:lr.end])
	if len(v) < 2 || v[len(v)-1] != '}' {
		return false
	}
	if json.Valid(v) {
		return true
	}
	var first json.RawMessage
	return json.NewDecoder(bytes.NewReader(v)).Decode(&first) == nil
}

// fill reads more of the stream, first moving the unreturned bytes to the
// front of buf; it grows buf when they fill it, or when the last read
// filled it and it is below maxWatchReadBuffer.
func (lr *lineReader) fill() {
	if lr.start > 0 {
		n := copy(lr.buf, lr.buf[lr.start:lr.end])
		lr.scanned -= lr.start
		lr.start, lr.end = 0, n
	}
	if lr.end == len(lr.buf) || (lr.filled && len(lr.buf) < maxWatchReadBuffer) {
		buf := make([]byte, 2*len(lr.buf))
		copy(buf, lr.buf[:lr.end])
		lr.buf = buf
	}
	n, err := lr.r.Read(lr.buf[lr.end:])
	lr.end += n
	lr.filled = lr.end == len(lr.buf)
	lr.err = err
}

// Read reads what next has not returned: the rest of the stream, for the
// general decoder.
func (lr *lineReader) Read(p []byte) (int, error) {
	if lr.start < lr.end {
		n := copy(p, lr.buf[lr.start:lr.end])
		lr.take(lr.start + n)
		return n, nil
	}
	if lr.err != nil {
		return 0, lr.err
	}
	return lr.r.Read(p)
}

// trimSpace drops JSON whitespace from both ends of b.
func trimSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
