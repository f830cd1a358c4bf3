package app

import (
	"context"
	"fmt"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/cacher"
	"github.com/tinykube/tinykube/pkg/storage/etcd3"
)

// storageSet builds and runs one watch cache per resource over its etcd
// store.
type storageSet struct {
	client     *clientv3.Client
	log        *zap.Logger
	windowSize int

	mu      sync.Mutex
	cachers map[string]*cacher.Cacher
}

// newStorage returns the storage of one resource: the etcd store wrapped in
// a watch cache that serves WATCH and LIST resourceVersion=0 from memory.
// The cache runs until ctx ends; wg tracks it.
func (s *storageSet) newStorage(ctx context.Context, wg *sync.WaitGroup, r *registry.Resource) storage.Interface {
	store := etcd3.New(s.client, r.Group, r.Resource, registry.StoragePrefix, r.NewTyped, s.log)
	c := cacher.New(store, cacher.Config{ResourcePrefix: r.Prefix(""), WindowSize: s.windowSize, Logger: s.log})
	s.mu.Lock()
	if s.cachers == nil {
		s.cachers = map[string]*cacher.Cacher{}
	}
	s.cachers[r.GroupResource()] = c
	s.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.Run(ctx)
	}()
	return c
}

// newCustomStorage returns the storage of a custom resource, as
// newStorage, running until ctx ends (the resource is no longer served).
// Its watch cache is not among the ones readiness waits for: custom
// resources come and go while the server runs.
func (s *storageSet) newCustomStorage(ctx context.Context, wg *sync.WaitGroup, r *registry.Resource) storage.Interface {
	store := etcd3.New(s.client, r.Group, r.Resource, registry.StoragePrefix, r.NewTyped, s.log)
	c := cacher.New(store, cacher.Config{ResourcePrefix: r.Prefix(""), WindowSize: s.windowSize, Logger: s.log})
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.Run(ctx)
	}()
	return c
}

// get returns the storage built for a resource ("leases.coordination.k8s.io"),
// or nil.
func (s *storageSet) get(groupResource string) storage.Interface {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cachers[groupResource]; ok {
		return c
	}
	return nil
}

// ready fails while a watch cache has not loaded its resource.
func (s *storageSet) ready(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, c := range s.cachers {
		if !c.Ready() {
			return fmt.Errorf("watch cache of %s not ready", name)
		}
	}
	return nil
}
