package bench

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestReadMarkers(t *testing.T) {
	sent := time.Now().Add(-time.Second).UnixNano()
	marker := func(typ string) string {
		return `{"type":"` + typ + `","object":{"kind":"Pod","metadata":{"name":"m","annotations":{"` + sentAnnotation +
			`":"` + strconv.FormatInt(sent, 10) + `"}},"spec":{"containers":[{"name":"main"}]}}}` + "\n"
	}
	stream := marker("ADDED") +
		`{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"9"}}}` + "\n" +
		`{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"not-a-marker"}}}` + "\n" +
		marker("MODIFIED") + marker("ADDED") + marker("ADDED")
	var got []time.Duration
	n, err := readMarkers(strings.NewReader(stream), 2, func(s, at time.Time) { got = append(got, at.Sub(s)) })
	if err != nil || n != 2 || len(got) != 2 {
		t.Fatalf("readMarkers = %d, %v (latencies %v); want 2 markers", n, err, got)
	}
	if got[0] < time.Second {
		t.Fatalf("latency %v, want at least the second since the send time", got[0])
	}

	n, err = readMarkers(strings.NewReader(marker("ADDED")), 5, func(time.Time, time.Time) {})
	if err != nil || n != 1 {
		t.Fatalf("short stream: %d, %v; want 1 and no error", n, err)
	}
	_, err = readMarkers(strings.NewReader(`{"type":"ERROR","object":{"kind":"Status","code":410}}`+"\n"), 1, func(time.Time, time.Time) {})
	if err == nil {
		t.Fatal("ERROR event not reported")
	}
}
