package app

import (
	"testing"

	"github.com/spf13/pflag"
)

func parse(t *testing.T, args ...string) (*Options, error) {
	t.Helper()
	o := NewOptions()
	fs := pflag.NewFlagSet("scheduler", pflag.ContinueOnError)
	o.AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	o.Complete(fs)
	return o, o.Validate()
}

func TestFlags(t *testing.T) {
	o, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if o.SchedulerName != "default-scheduler" || !o.LeaderElection.LeaderElect || o.Serving.Port != 10259 ||
		o.Parallelism != 16 || o.PercentageOfNodesToScore != 0 || o.LeaderElection.ResourceName != "kube-scheduler" {
		t.Fatalf("defaults: %+v %+v", o, o.LeaderElection)
	}
	o, err = parse(t, "--scheduler-name=batch", "--leader-elect=false", "--parallelism=4", "--percentage-of-nodes-to-score=30",
		"--port=11000", "--server=http://x:8080", "--token=t", "--log-level=debug", "--log-format=console")
	if err != nil {
		t.Fatal(err)
	}
	if o.SchedulerName != "batch" || o.LeaderElection.LeaderElect || o.Parallelism != 4 || o.PercentageOfNodesToScore != 30 ||
		o.Serving.Port != 11000 || o.Client.Server != "http://x:8080" || o.Client.Token != "t" {
		t.Fatalf("parsed: %+v", o)
	}
	if o.LeaderElection.ResourceName != "batch" {
		t.Fatalf("a named scheduler elects on lease %q, want its own name", o.LeaderElection.ResourceName)
	}
	if o, _ := parse(t, "--scheduler-name=batch", "--leader-elect-resource-name=shared"); o.LeaderElection.ResourceName != "shared" {
		t.Fatalf("explicit lease name lost: %q", o.LeaderElection.ResourceName)
	}
	for _, bad := range [][]string{{"--parallelism=0"}, {"--percentage-of-nodes-to-score=101"}, {"--scheduler-name="}, {"--log-format=xml"}} {
		if _, err := parse(t, bad...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
