package kubelet

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestProfilingFlag(t *testing.T) {
	o := NewOptions()
	if o.Profiling {
		t.Fatal("profiling is on by default")
	}
	fs := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
	o.AddFlags(fs)
	if f := fs.Lookup("profiling"); f == nil || f.Usage == "" {
		t.Fatal("--profiling is not documented in --help")
	}
	if err := fs.Parse([]string{"--profiling"}); err != nil {
		t.Fatal(err)
	}
	if !o.Profiling {
		t.Fatal("--profiling did not turn profiling on")
	}
}

func TestStatusReportFrequencyDefaults(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{nil, DefaultNodeStatusReportFrequency},
		{[]string{"--node-status-update-frequency=20s"}, 20 * time.Second},
		{[]string{"--node-status-update-frequency=20s", "--node-status-report-frequency=1m"}, time.Minute},
		{[]string{"--node-status-report-frequency=30s"}, 30 * time.Second},
	} {
		o := NewOptions()
		fs := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
		o.AddFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if got := o.StatusReportFrequency(fs.Changed("node-status-update-frequency")); got != tc.want {
			t.Errorf("%v: report frequency %s, want %s", tc.args, got, tc.want)
		}
	}
}

// --address is where the kubelet serves, --node-ip the node's IP, as in
// Kubernetes: one no longer implies the other.
func TestAddressAndNodeIPFlags(t *testing.T) {
	o := NewOptions()
	if o.Address != "0.0.0.0" || o.NodeIP != "" {
		t.Fatalf("defaults: --address %q --node-ip %q, want 0.0.0.0 and detected", o.Address, o.NodeIP)
	}
	fs := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse([]string{"--node-ip", "10.0.0.7"}); err != nil {
		t.Fatal(err)
	}
	if o.NodeIP != "10.0.0.7" || o.Address != "0.0.0.0" {
		t.Fatalf("--node-ip 10.0.0.7: address %q node IP %q", o.Address, o.NodeIP)
	}
	if err := fs.Parse([]string{"--address", "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if o.NodeIP != "10.0.0.7" || o.Address != "127.0.0.1" {
		t.Fatalf("--address 127.0.0.1: address %q node IP %q", o.Address, o.NodeIP)
	}
}
