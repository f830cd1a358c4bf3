// Package crd tests CustomResourceDefinitions on the real apiserver over an
// embedded etcd (test/integration/framework): establishing a definition,
// serving its custom objects through every verb, schema validation,
// pruning and defaults, the status and scale subresources, deletion of a
// definition with its objects, restarts, and the real kubectl.
package crd

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
