// Package networking tests networking.k8s.io/v1 on a real apiserver and
// embedded etcd through the typed clientset: the DefaultIngressClass
// admission, the Ingress status subresource and generation, and
// NetworkPolicy defaults and validation.
package networking

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
