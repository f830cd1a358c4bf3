package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/tinykube/tinykube/pkg/client/rest"
)

// The fan-out's watchers read the stream as raw lines instead of decoding
// each event: a thousand watchers decoding JSON would cost the harness as
// much CPU as the apiserver spends sending, on the same cores, and inflate
// the latency it measures.

var (
	typeKey = []byte(`"type":"`)
	sentKey = []byte(`"` + sentAnnotation + `":"`)
)

// markerSent extracts an event line's type and the marker's send time; ok
// is false for a line that is not a marker event.
func markerSent(line []byte) (typ string, sent time.Time, ok bool) {
	typ, ok = stringAfter(line, typeKey)
	if !ok {
		return "", time.Time{}, false
	}
	v, ok := stringAfter(line, sentKey)
	if !ok {
		return typ, time.Time{}, false
	}
	ns, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return typ, time.Time{}, false
	}
	return typ, time.Unix(0, ns), true
}

// stringAfter returns the characters between key and the next '"'.
func stringAfter(line, key []byte) (string, bool) {
	i := bytes.Index(line, key)
	if i < 0 {
		return "", false
	}
	rest := line[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// openRawWatch opens a watch on the pods of ns from rv and returns its body.
func openRawWatch(ctx context.Context, c *rest.Client, ns, rv string) (io.ReadCloser, error) {
	body, err := podsRequest(c, ns).Param("watch", "true").Param("resourceVersion", rv).Stream(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch pods in %s from %s: %w", ns, rv, err)
	}
	return body, nil
}

// readMarkers reads event lines from body until want markers were ADDED,
// the stream ends or ctx ends (the caller closes body to stop it). Each
// delivery goes to record with the marker's send time and the arrival time.
func readMarkers(body io.Reader, want int, record func(sent, at time.Time)) (int, error) {
	r := bufio.NewReaderSize(body, 64<<10)
	seen := 0
	for seen < want {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return seen, fmt.Errorf("watch event longer than %d bytes", r.Size())
		}
		if err != nil {
			return seen, nil // the stream ended
		}
		now := time.Now()
		typ, sent, ok := markerSent(line)
		if typ == "ERROR" {
			return seen, fmt.Errorf("watch error event: %s", bytes.TrimSpace(line))
		}
		if ok && typ == "ADDED" {
			record(sent, now)
			seen++
		}
	}
	return seen, nil
}
