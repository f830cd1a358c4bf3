// Package scheduler tests the scheduler against a real apiserver on an
// embedded etcd (test/integration/framework): Node objects are created
// directly, no kubelet runs.
package scheduler

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
