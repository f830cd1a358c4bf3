// Command ctl is tinykube's kubectl-like CLI; see pkg/ctl.
package main

import "github.com/tinykube/tinykube/pkg/ctl"

func main() { ctl.Main() }
