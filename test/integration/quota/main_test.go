// Package quota tests ResourceQuota and LimitRange end to end: the
// apiserver's LimitRanger and ResourceQuota admission on a real apiserver
// and embedded etcd, with the resourcequota controller running in-process,
// and a real kubectl against them.
package quota

import (
	"testing"

	"github.com/tinykube/tinykube/test/integration/framework"
)

func TestMain(m *testing.M) { framework.RunWithLeakCheck(m) }
