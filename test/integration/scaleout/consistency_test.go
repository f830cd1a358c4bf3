package scaleout

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

// collectN reads n non-bookmark events, checking resourceVersions strictly
// increase, and returns their names.
func collectN(t *testing.T, ch <-chan event, n int) []string {
	t.Helper()
	var names []string
	last := ""
	for len(names) < n {
		ev, _ := next(t, ch, false)
		if ev.Type == "BOOKMARK" {
			continue
		}
		if ev.Type != "ADDED" {
			t.Fatalf("event %d: type %s (%+v), want ADDED", len(names), ev.Type, ev.Status)
		}
		if last != "" && !rvLess(last, ev.RV) {
			t.Fatalf("resourceVersion %s after %s: not increasing", ev.RV, last)
		}
		last = ev.RV
		names = append(names, ev.Name)
	}
	return names
}

// TestListOnAWatchOnB: a list resourceVersion of instance A is a valid
// watch start on instance B; writes on both instances, before and after the
// watch opens, arrive exactly once and in order.
func TestListOnAWatchOnB(t *testing.T) {
	a, b := startPair(t)
	for i := 0; i < 5; i++ {
		createCM(t, a, cmName("before", i))
	}
	rv := listRV(t, a, cmPath)
	write := func(i int) {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		createCM(t, srv, cmName("ab", i))
	}
	for i := 0; i < 15; i++ {
		write(i)
	}
	ch, _ := watch(t, b, cmPath+"?watch=1&resourceVersion="+rv)
	for i := 15; i < 30; i++ {
		write(i)
	}
	checkSequence(t, collectN(t, ch, 30), "ab", 0, 30)
	select {
	case ev := <-ch:
		t.Fatalf("unexpected extra event %+v", ev)
	default:
	}
}

// TestPaginateAcrossInstances: a continue token of A is served by B and
// back: every object once, in key order, all pages at the first page's
// resourceVersion (an object created between pages is not included).
func TestPaginateAcrossInstances(t *testing.T) {
	a, b := startPair(t)
	for i := 0; i < 25; i++ {
		createCM(t, a, cmName("page", i))
	}
	type page struct {
		Metadata struct {
			ResourceVersion string `json:"resourceVersion"`
			Continue        string `json:"continue"`
		} `json:"metadata"`
		Items []objMeta `json:"items"`
	}
	var names []string
	cont, rv := "", ""
	servers := []*framework.TestServer{a, b, a}
	for i, srv := range servers {
		path := cmPath + "?limit=10"
		if cont != "" {
			path += "&continue=" + cont
		}
		var p page
		must(t, srv, http.StatusOK, "GET", path, nil, &p)
		if i == 0 {
			rv = p.Metadata.ResourceVersion
			createCM(t, b, "late") // after the snapshot: must not show up
		} else if p.Metadata.ResourceVersion != rv {
			t.Fatalf("page %d at resourceVersion %s, want the first page's %s", i, p.Metadata.ResourceVersion, rv)
		}
		for _, it := range p.Items {
			names = append(names, it.Metadata.Name)
		}
		cont = p.Metadata.Continue
		if (cont == "") != (i == len(servers)-1) {
			t.Fatalf("page %d (%s): continue %q", i, srv.URL, cont)
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Fatalf("names not in key order: %v", names)
	}
	checkSequence(t, names, "page", 0, 25)
}

// TestWatchFailoverToSurvivor: a client watching instance A while writes go
// through instance B loses A mid-stream (graceful stop), re-watches on B
// from the last resourceVersion it saw, and ends up with every write
// exactly once, in order.
func TestWatchFailoverToSurvivor(t *testing.T) {
	a, b := startPair(t)
	const n = 60
	rv := listRV(t, a, cmPath)
	chA, _ := watch(t, a, cmPath+"?watch=1&resourceVersion="+rv)

	writeErr := make(chan error, 1)
	go func() { // the writer talks to the survivor only
		for i := 0; i < n; i++ {
			code, body := postCM(b.URL, cmName("fo", i))
			if code != http.StatusCreated {
				writeErr <- fmt.Errorf("create %d: code %d: %s", i, code, body)
				return
			}
		}
		writeErr <- nil
	}()

	var names []string
	last := rv
	for len(names) < 20 {
		ev, _ := next(t, chA, false)
		names, last = append(names, ev.Name), ev.RV
	}
	a.Stop() // in-flight watches on A end
	for {
		ev, ok := next(t, chA, true)
		if !ok {
			break
		}
		if ev.Type == "ADDED" {
			names, last = append(names, ev.Name), ev.RV
		}
	}
	t.Logf("A delivered %d events before it stopped; resuming on B from %s", len(names), last)
	chB, _ := watch(t, b, cmPath+"?watch=1&resourceVersion="+last)
	names = append(names, collectN(t, chB, n-len(names))...)
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	checkSequence(t, names, "fo", 0, n)
}

// postCM creates a configmap without the testing.T (for writer goroutines).
func postCM(base, name string) (int, string) {
	body := fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":%q}}`, name)
	resp, err := http.Post(base+cmPath, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 512)
	k, _ := resp.Body.Read(buf)
	sb.Write(buf[:k])
	return resp.StatusCode, sb.String()
}
