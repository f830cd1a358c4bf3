// Package crdclients tests the clients of custom resources end to end
// against a real apiserver on an embedded etcd: ctl (resource types found
// through discovery, get, describe, apply, label, scale, wait, delete of
// custom objects, compared with the real kubectl where one is on PATH),
// the garbage collector (custom objects as owners and dependents) and the
// namespace controller (custom objects of a deleted namespace).
package crdclients

import (
	"os"
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) {
	// No kubeconfig of the machine's user leaks into the tests.
	os.Setenv("KUBECONFIG", os.DevNull+".missing")
	framework.RunWithLeakCheck(m)
}
