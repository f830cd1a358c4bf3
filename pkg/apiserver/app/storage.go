package app

import (
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// newStorage returns the storage of one resource: the etcd store (to be
// wrapped in the watch cache once pkg/storage/cacher lands).
func newStorage(client *clientv3.Client, r *registry.Resource, log *zap.Logger) storage.Interface {
	return etcd3.New(client, r.Group, r.Resource, registry.StoragePrefix, r.New, log)
}
