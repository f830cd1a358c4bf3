package ctl

import (
	"github.com/tinykube/tinykube/pkg/client/clientcmd"
	"github.com/tinykube/tinykube/pkg/registry"
)

// testClientOptions are client options that need no kubeconfig.
func testClientOptions(ns string) *clientcmd.ClientOptions {
	o := clientcmd.NewClientOptions()
	o.Namespace = ns
	o.Server = "http://127.0.0.1:1"
	o.Kubeconfig = "testdata/empty-kubeconfig.yaml"
	return o
}

func fixturesTable() *registry.Table { return registry.Default() }
