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
