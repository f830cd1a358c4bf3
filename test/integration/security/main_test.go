// Package security tests authentication, RBAC authorization, escalation
// prevention, access reviews and TLS against a real apiserver on an
// embedded etcd (test/integration/framework).
package security

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
