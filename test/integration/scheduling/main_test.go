// Package scheduling tests PriorityClasses and HorizontalPodAutoscalers end
// to end: the built-in classes the apiserver bootstraps, the Priority
// admission on pod create, and a real kubectl creating and listing classes
// and autoscalers, on a real apiserver with embedded etcd.
package scheduling

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
