package kubelet

import (
	"testing"

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
