// Package apiserver tests the real apiserver over HTTP against an embedded
// etcd (test/integration/framework): every verb and resource, watch
// exactness, error statuses, limits, discovery, health and metrics.
package apiserver

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
