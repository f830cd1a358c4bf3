package bench

import (
	"math"
	"sort"
	"strings"
)

// WriteCount is how many writes of one kind the apiserver made during the
// pod load, and how many per Running pod.
type WriteCount struct {
	Kind   string  `json:"kind"`
	Count  float64 `json:"count"`
	PerPod float64 `json:"per_pod"`
}

// writeMetrics are the counters the write accounting reads.
var writeMetrics = []string{"apiserver_request_total", "etcd_request_duration_seconds_count"}

// mutatingVerbs are the HTTP verbs of apiserver_request_total that write.
var mutatingVerbs = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "DELETE": true, "DELETECOLLECTION": true}

// etcdWriteOps are the operations of etcd_request_duration_seconds that
// write to etcd.
var etcdWriteOps = map[string]bool{"create": true, "update": true, "delete": true}

// writeKind names the write a sample counts, or "" for reads: apiserver
// requests as "api POST pods/binding" (with the code appended when it is not
// 2xx: "api POST pods 429"), etcd transactions as "etcd update pods".
func writeKind(s Sample) string {
	switch s.Name {
	case "apiserver_request_total":
		if !mutatingVerbs[s.Labels["verb"]] {
			return ""
		}
		res := s.Labels["resource"]
		if sub := s.Labels["subresource"]; sub != "" {
			res += "/" + sub
		}
		kind := "api " + s.Labels["verb"] + " " + res
		if code := s.Labels["code"]; code != "" && !strings.HasPrefix(code, "2") {
			kind += " " + code // rejected requests (429, 409, ...) apart
		}
		return kind
	case "etcd_request_duration_seconds_count":
		if !etcdWriteOps[s.Labels["operation"]] {
			return ""
		}
		return "etcd " + s.Labels["operation"] + " " + s.Labels["type"]
	}
	return ""
}

// WriteDeltas counts the writes between two scrapes, by kind, largest
// first, with the count per pod (pods <= 0 leaves PerPod 0).
func WriteDeltas(before, after []Sample, pods int) []WriteCount {
	sum := func(samples []Sample) map[string]float64 {
		m := map[string]float64{}
		for _, s := range samples {
			if k := writeKind(s); k != "" {
				m[k] += s.Value
			}
		}
		return m
	}
	b, a := sum(before), sum(after)
	var out []WriteCount
	for k, v := range a {
		d := v - b[k]
		if d <= 0 {
			continue
		}
		wc := WriteCount{Kind: k, Count: d}
		if pods > 0 {
			wc.PerPod = math.Round(d/float64(pods)*100) / 100
		}
		out = append(out, wc)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// EtcdWritesPerPod adds the per-pod counts of the etcd writes.
func EtcdWritesPerPod(ws []WriteCount) float64 {
	total := 0.0
	for _, w := range ws {
		if strings.HasPrefix(w.Kind, "etcd ") {
			total += w.PerPod
		}
	}
	return math.Round(total*100) / 100
}
