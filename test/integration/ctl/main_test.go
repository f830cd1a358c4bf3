// Package ctl tests tinykube's ctl end to end, and a real kubectl when one
// is on PATH, against a real apiserver on an embedded etcd started
// in-process by test/integration/framework.
package ctl

import (
	"os"
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) {
	// No kubeconfig of the machine's user leaks into the tests; each test
	// passes --server or its own kubeconfig.
	os.Setenv("KUBECONFIG", os.DevNull+".missing")
	framework.RunWithLeakCheck(m)
}
