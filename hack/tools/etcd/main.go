// Command etcd is the etcd server built from its official Go module
// (go.etcd.io/etcd/server/v3, the same code as the upstream etcd binary),
// so that the compose cluster can run etcd from an image built FROM scratch
// without pulling one. It lives in its own module so that etcd's extra
// dependencies (its proxy and gateway) stay out of tinykube's go.mod.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
