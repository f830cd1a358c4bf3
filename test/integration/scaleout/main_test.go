// Package scaleout tests several apiserver instances on one etcd, over
// real HTTP: resourceVersions and continue tokens of one instance are valid
// on another, a watch resumes on a survivor with nothing lost or repeated,
// each instance holds an identity lease, and the kubernetes Endpoints list
// exactly the live instances.
package scaleout

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
