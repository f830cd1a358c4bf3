// Command controller-manager is not implemented yet; it prints its flags (see the issues).
package main

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

func main() {
	fs := pflag.NewFlagSet("controller-manager", pflag.ExitOnError)
	fs.String("kubeconfig", "", "path to a kubeconfig file")
	fs.String("server", "", "the apiserver URL")
	fs.String("token", "", "bearer token")
	_ = fs.Parse(os.Args[1:])
	fmt.Fprintln(os.Stderr, "controller-manager: not implemented yet; flags:")
	fs.PrintDefaults()
	os.Exit(2)
}
