// Package e2e is the end-to-end test of the compose cluster
// (deploy/docker-compose.yaml). The scenario itself (e2e_test.go) carries the
// build tag e2e and needs a running cluster: hack/e2e.sh starts one and runs
//
//	go test -tags e2e -count=1 -v ./test/e2e/
//
// This file holds the pure decisions the scenario makes about what it
// observes, table-tested without Docker in checks_test.go.
package e2e

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/core"
)

// livePods are the pods that count toward a workload: not being deleted and
// not finished.
func livePods(pods []core.Pod) []core.Pod {
	var out []core.Pod
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Status.Phase == core.PodSucceeded || p.Status.Phase == core.PodFailed {
			continue
		}
		out = append(out, p)
	}
	return out
}

// readyPodsPerNode counts the live, ready pods on each node.
func readyPodsPerNode(pods []core.Pod) map[string]int {
	out := map[string]int{}
	for _, p := range livePods(pods) {
		if p.Spec.NodeName != "" && core.IsPodReady(&p) {
			out[p.Spec.NodeName]++
		}
	}
	return out
}

// converged says whether want ready pods run, none of them on a node in
// avoid, spread over at least minNodes nodes; otherwise why not.
func converged(pods []core.Pod, want, minNodes int, avoid ...string) (bool, string) {
	perNode := readyPodsPerNode(pods)
	total := 0
	for node, n := range perNode {
		for _, a := range avoid {
			if node == a {
				return false, fmt.Sprintf("%d ready pods still on %s", n, node)
			}
		}
		total += n
	}
	if total != want {
		return false, fmt.Sprintf("%d ready pods of %d (%v)", total, want, perNode)
	}
	if len(perNode) < minNodes {
		return false, fmt.Sprintf("pods on %d nodes, want at least %d (%v)", len(perNode), minNodes, perNode)
	}
	return true, fmt.Sprintf("%d ready pods: %v", total, perNode)
}

// endpointPodNames lists the pods named by the ready addresses of ep, sorted.
func endpointPodNames(ep *core.Endpoints) []string {
	var out []string
	for _, s := range ep.Subsets {
		for _, a := range s.Addresses {
			if a.TargetRef != nil && a.TargetRef.Kind == "Pod" {
				out = append(out, a.TargetRef.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// readyPodNames lists the live, ready pods' names, sorted.
func readyPodNames(pods []core.Pod) []string {
	var out []string
	for _, p := range livePods(pods) {
		if core.IsPodReady(&p) {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// leaderHost is the hostname in a leader-election identity, which is
// "<hostname>_<random hex>"; in the compose cluster the hostname is the
// compose service's name.
func leaderHost(identity string) string {
	if i := strings.LastIndex(identity, "_"); i > 0 {
		return identity[:i]
	}
	return identity
}

// targets is the part of Prometheus's /api/v1/targets answer we read.
type targets struct {
	Status string `json:"status"`
	Data   struct {
		ActiveTargets []struct {
			Labels    map[string]string `json:"labels"`
			Health    string            `json:"health"`
			LastError string            `json:"lastError"`
		} `json:"activeTargets"`
	} `json:"data"`
}

// unhealthyTargets parses /api/v1/targets and returns the targets that are
// not up ("job instance: error") and the number of targets.
func unhealthyTargets(body []byte) (bad []string, total int, err error) {
	var t targets
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, 0, fmt.Errorf("decode targets: %w", err)
	}
	if t.Status != "success" {
		return nil, 0, fmt.Errorf("targets: status %q", t.Status)
	}
	for _, at := range t.Data.ActiveTargets {
		if at.Health != "up" {
			bad = append(bad, fmt.Sprintf("%s %s: %s %s", at.Labels["job"], at.Labels["instance"], at.Health, at.LastError))
		}
	}
	sort.Strings(bad)
	return bad, len(t.Data.ActiveTargets), nil
}

// vectorInstances parses a Prometheus instant-query answer and returns the
// instance label of each sample, sorted.
func vectorInstances(body []byte) ([]string, error) {
	var v struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("decode query answer: %w", err)
	}
	if v.Status != "success" || v.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query answer: status %q, result type %q", v.Status, v.Data.ResultType)
	}
	var out []string
	for _, r := range v.Data.Result {
		out = append(out, r.Metric["instance"])
	}
	sort.Strings(out)
	return out, nil
}

// createdTwice compares the pods a watch saw added under each controlling
// owner (pod name -> owner name) with the number each owner had to create,
// and describes every owner that created more: a create that reached etcd
// while its answer was lost, then retried under a new name.
func createdTwice(added map[string]string, want map[string]int) []string {
	got := map[string][]string{}
	for pod, owner := range added {
		got[owner] = append(got[owner], pod)
	}
	var out []string
	for owner, pods := range got {
		if len(pods) > want[owner] {
			sort.Strings(pods)
			out = append(out, fmt.Sprintf("%s created %d pods, want %d: %v", owner, len(pods), want[owner], pods))
		}
	}
	sort.Strings(out)
	return out
}

// sameNames reports whether two name sets hold the same names, and describes
// the difference.
func sameNames(a, b map[string]bool) (bool, string) {
	var onlyA, onlyB []string
	for n := range a {
		if !b[n] {
			onlyA = append(onlyA, n)
		}
	}
	for n := range b {
		if !a[n] {
			onlyB = append(onlyB, n)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	if len(onlyA)+len(onlyB) == 0 {
		return true, fmt.Sprintf("same %d names", len(a))
	}
	return false, fmt.Sprintf("only in the first: %v, only in the second: %v", onlyA, onlyB)
}
