package apiserver

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/apiextensions"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// Custom resources come and go at run time with their definitions: the
// CRD controller (crd_controller.go) calls ServeCustomResources once a
// definition is established and on every change of it, and
// StopServingCustomResources when it is deleted. The served versions of one
// definition share one storage (the same etcd keys), which runs from the
// first registration until the last removal.
//
// Reading: the built-in resources' stores are a map built once by New; the
// stores of custom resources are a second, copy-on-write map behind an
// atomic pointer, read only for resources the first map lacks, so a request
// for a built-in resource takes no lock and reads nothing more than before.

// customSet is what is served for one CustomResourceDefinition.
type customSet struct {
	resources []*registry.Resource
	store     storage.Interface
	prefix    string // the storage key prefix the store was built for
	cancel    context.CancelFunc
}

type atomicStores = atomic.Pointer[map[*registry.Resource]storage.Interface]

// customResources are the served custom resources, by CRD name.
type customResources struct {
	mu    sync.Mutex // serializes changes; readers use stores
	byCRD map[string]*customSet
	// stores maps every served custom resource entry to its storage
	// (replaced whole on each change).
	stores atomicStores
}

// storeOf returns the storage of a served resource (nil when it is not
// served, for example a custom resource removed meanwhile).
func (s *Server) storeOf(res *registry.Resource) storage.Interface {
	if st, ok := s.stores[res]; ok {
		return st
	}
	if m := s.custom.stores.Load(); m != nil {
		return (*m)[res]
	}
	return nil
}

// ServeCustomResources serves the resources crd defines (one per served
// version, registry.CustomResources), replacing the ones served for it so
// far. The storage is kept when the new entries use the same keys (the
// same group, plural and scope), else a new one is started.
func (s *Server) ServeCustomResources(crd *apiextensions.CustomResourceDefinition) ([]*registry.Resource, error) {
	if s.cfg.CustomStorage == nil {
		return nil, fmt.Errorf("serve %s: the server has no storage for custom resources", crd.Name)
	}
	rs := registry.CustomResources(crd)
	if len(rs) == 0 {
		s.StopServingCustomResources(crd.Name)
		return nil, nil
	}
	c := &s.custom
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.byCRD[crd.Name]
	prefix := rs[0].Prefix("")
	if rs[0].Namespaced {
		prefix += "namespaced"
	}
	var set *customSet
	if old != nil && old.prefix == prefix {
		set = &customSet{resources: rs, store: old.store, prefix: prefix, cancel: old.cancel}
	} else {
		ctx, cancel := context.WithCancel(s.lifetime)
		st, err := s.cfg.CustomStorage(ctx, rs[0])
		if err != nil {
			cancel()
			return nil, fmt.Errorf("storage for %s: %w", crd.Name, err)
		}
		set = &customSet{resources: rs, store: st, prefix: prefix, cancel: cancel}
	}
	// The stores first, so that a request finding a new entry in the table
	// finds its storage; the old entries' stores go after the table change.
	next := c.storesWith(func(m map[*registry.Resource]storage.Interface) {
		for _, r := range rs {
			m[r] = set.store
		}
	})
	c.stores.Store(&next)
	var oldRs []*registry.Resource
	if old != nil {
		oldRs = old.resources
	}
	s.cfg.Resources.Replace(oldRs, rs...)
	if c.byCRD == nil {
		c.byCRD = map[string]*customSet{}
	}
	c.byCRD[crd.Name] = set
	if old != nil {
		c.dropLocked(old)
		if old.store != set.store {
			old.cancel()
		}
	}
	s.log.Info("serving custom resource", zap.String("crd", crd.Name), zap.Int("versions", len(rs)))
	return rs, nil
}

// StopServingCustomResources stops serving the resources of the named CRD
// and stops their storage: open watches on them end.
func (s *Server) StopServingCustomResources(name string) {
	c := &s.custom
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.byCRD[name]
	if old == nil {
		return
	}
	delete(c.byCRD, name)
	s.cfg.Resources.Remove(old.resources...)
	c.dropLocked(old)
	old.cancel()
	s.log.Info("stopped serving custom resource", zap.String("crd", name))
}

// CustomResourcesOf returns the entries served for the named CRD.
func (s *Server) CustomResourcesOf(name string) []*registry.Resource {
	c := &s.custom
	c.mu.Lock()
	defer c.mu.Unlock()
	if set := c.byCRD[name]; set != nil {
		return set.resources
	}
	return nil
}

// dropLocked removes the store entries of set's resources.
func (c *customResources) dropLocked(set *customSet) {
	next := c.storesWith(func(m map[*registry.Resource]storage.Interface) {
		for _, r := range set.resources {
			delete(m, r)
		}
	})
	c.stores.Store(&next)
}

// storesWith returns a copy of the store map changed by f.
func (c *customResources) storesWith(f func(map[*registry.Resource]storage.Interface)) map[*registry.Resource]storage.Interface {
	m := map[*registry.Resource]storage.Interface{}
	if cur := c.stores.Load(); cur != nil {
		m = maps.Clone(*cur)
	}
	f(m)
	return m
}

// atStorageVersion gives a custom object about to be written the apiVersion
// of its definition's storage version, which Kubernetes stores custom
// objects at whatever version they were written through (conversion None
// changes nothing else); answers and watch events show the version asked
// for (typed). obj is the request's own object. Built-in objects are left
// alone.
func atStorageVersion(res *registry.Resource, obj meta.Object) {
	if res.Custom == nil {
		return
	}
	if v := res.Custom.CRD.StorageVersion(); v != "" {
		obj.GetTypeMeta().APIVersion = res.Group + "/" + v
	}
}
