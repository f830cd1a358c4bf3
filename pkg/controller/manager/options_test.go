package manager

import (
	"bytes"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/client/rest"
)

func TestEnabled(t *testing.T) {
	tests := []struct {
		flags []string
		name  string
		want  bool
	}{
		{[]string{"*"}, "job", true},
		{[]string{"*", "-job"}, "job", false},
		{[]string{"-job", "*"}, "job", false},
		{[]string{"*", "-job"}, "deployment", true},
		{[]string{"deployment"}, "deployment", true},
		{[]string{"deployment"}, "job", false},
		{nil, "job", false},
	}
	for _, tt := range tests {
		if got := Enabled(tt.flags, tt.name); got != tt.want {
			t.Errorf("Enabled(%v, %s) = %v, want %v", tt.flags, tt.name, got, tt.want)
		}
	}
}

func TestFlags(t *testing.T) {
	o := NewOptions()
	fs := pflag.NewFlagSet("cm", pflag.ContinueOnError)
	o.AddFlags(fs)
	err := fs.Parse([]string{"--controllers=*,-daemonset", "--concurrent-deployment-syncs=7",
		"--node-monitor-grace-period=10s", "--leader-elect=false"})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Controllers, []string{"*", "-daemonset"}) || o.Concurrent["deployment"] != 7 ||
		o.Concurrent["replicaset"] != 5 || o.NodeMonitorGracePeriod.Seconds() != 10 || o.LeaderElection.LeaderElect {
		t.Fatalf("options %+v", o)
	}
	for _, name := range []string{"replicaset", "deployment", "daemonset", "job", "nodelifecycle", "namespace", "garbagecollector", "endpoints", "disruption"} {
		if fs.Lookup("concurrent-"+name+"-syncs") == nil {
			t.Errorf("no --concurrent-%s-syncs", name)
		}
	}
	o.HostPathVolumeDir = ".local/run/volumes"
	if o.Validate() == nil {
		t.Error("a relative --host-path-volume-dir must be rejected")
	}
	o.HostPathVolumeDir = "/var/lib/tinykube/volumes"
	o.Controllers = []string{"nope"}
	if o.Validate() == nil {
		t.Error("unknown controller must be rejected")
	}
	if err := fs.Parse([]string{"--concurrent-job-syncs=0"}); err == nil {
		t.Error("0 workers must be rejected")
	}
}

func TestResolveRootCA(t *testing.T) {
	dir := t.TempDir()
	pemOf := func(s string) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte(s)})
	}
	flagFile, kcFile, junk := filepath.Join(dir, "flag.crt"), filepath.Join(dir, "kc.crt"), filepath.Join(dir, "junk")
	for f, b := range map[string][]byte{flagFile: pemOf("flag"), kcFile: pemOf("kubeconfig file"), junk: []byte("junk")} {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		flag    string
		client  rest.TLSClientConfig
		want    []byte
		wantErr bool
	}{
		{"--root-ca-file wins", flagFile, rest.TLSClientConfig{CAData: pemOf("kubeconfig")}, pemOf("flag"), false},
		{"kubeconfig data", "", rest.TLSClientConfig{CAData: pemOf("kubeconfig")}, pemOf("kubeconfig"), false},
		{"kubeconfig file", "", rest.TLSClientConfig{CAFile: kcFile}, pemOf("kubeconfig file"), false},
		{"neither: none", "", rest.TLSClientConfig{}, nil, false},
		{"missing file", filepath.Join(dir, "nope"), rest.TLSClientConfig{}, nil, true},
		{"not PEM", junk, rest.TLSClientConfig{}, nil, true},
	} {
		o := NewOptions()
		o.RootCAFile = tc.flag
		err := o.ResolveRootCA(tc.client)
		if (err != nil) != tc.wantErr || !bytes.Equal(o.RootCA, tc.want) {
			t.Errorf("%s: %q %v, want %q (error %v)", tc.name, o.RootCA, err, tc.want, tc.wantErr)
		}
	}
}
