package crdclients

import (
	"strings"
	"testing"
)

// TestDescribeCustomResourceMatchesKubectl: ctl describes a custom object
// byte for byte as kubectl 1.32's generic describer does (labels,
// annotations, nested maps and lists, integers, metadata without the
// managed fields), and prints the same table rows as kubectl get.
func TestDescribeCustomResourceMatchesKubectl(t *testing.T) {
	c := startCluster(t)
	k := c.findKubectl(t)
	t.Setenv("TZ", "UTC")
	c.installCronTab(t)
	c.mustCtlIn(t, mixedManifest, "apply", "-f", "-")
	k.must(t, "label", "ct", "c2", "tier=batch", "team=infra")
	k.must(t, "annotate", "ct", "c2", "long="+strings.Repeat("x", 150))
	for _, args := range [][]string{{"ct", "c1"}, {"crontab", "c2"}, {"crontabs.stable.example.com/c1"}} {
		want := k.must(t, append([]string{"describe"}, args...)...)
		got := c.mustCtl(t, append([]string{"describe"}, args...)...)
		if got != want {
			t.Errorf("ctl describe %v differs from kubectl:\nctl:\n%s\nkubectl:\n%s", args, got, want)
		}
	}
	// Tables: the same rows, but for ages that may tick between the runs.
	for _, args := range [][]string{{"get", "ct"}, {"get", "ct", "-A", "--show-labels"}, {"get", "cm,ct"}, {"get", "ct", "-o", "wide", "-l", "tier=batch"}} {
		want, got := withoutAges(k.must(t, args...)), withoutAges(c.mustCtl(t, args...))
		if got != want {
			t.Errorf("ctl %v differs from kubectl:\nctl:\n%s\nkubectl:\n%s", args, got, want)
		}
	}
}

// withoutAges blanks the durations ("0s", "12s", "3m") of a table.
func withoutAges(s string) string {
	fields := strings.Split(s, " ")
	for i, f := range fields {
		trimmed := strings.TrimRight(f, "\n")
		if len(trimmed) >= 2 && strings.TrimRight(trimmed, "0123456789smhd") == "" && strings.ContainsAny(trimmed[:1], "0123456789") {
			fields[i] = strings.Repeat("?", len(trimmed)) + f[len(trimmed):]
		}
	}
	return strings.Join(fields, " ")
}
