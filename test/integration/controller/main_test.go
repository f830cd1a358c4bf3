// Package controller tests the controller-manager's controllers against a
// real apiserver on an embedded etcd, with the controllers running
// in-process. No kubelet runs: tests mark pods Running/Ready (or finished)
// through pods/status themselves, as a kubelet would.
package controller

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
