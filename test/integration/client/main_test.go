// Package client tests the client library (REST client, clientset,
// informers, workqueue, leader election) against a real apiserver on an
// embedded etcd, started in-process by test/integration/framework.
package client

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
