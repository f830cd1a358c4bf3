// Package endpointslice tests the endpointslice controller against a real
// apiserver on an embedded etcd, with the controller-manager's controllers
// running in-process (the garbage collector too where a test needs it).
// No kubelet runs: tests set pods' IPs and readiness through pods/status,
// as a kubelet would.
package endpointslice

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
