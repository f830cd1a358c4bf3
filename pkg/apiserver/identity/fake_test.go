package identity

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// memStorage is a small storage.Interface in memory for the controller's
// unit tests: objects kept as JSON, one revision counter for all stores
// (as etcd), optimistic concurrency on update and delete. No watch.
type memStorage struct {
	res *registry.Resource
	mu  *sync.Mutex
	rev *int64
	kv  map[string][]byte
	// writes counts successful writes (a no-op update is not one).
	writes int
}

var _ storage.Interface = &memStorage{}

func newMemStorages(rs ...*registry.Resource) []*memStorage {
	mu, rev := &sync.Mutex{}, new(int64)
	out := make([]*memStorage, len(rs))
	for i, r := range rs {
		out[i] = &memStorage{res: r, mu: mu, rev: rev, kv: map[string][]byte{}}
	}
	return out
}

func (s *memStorage) decode(data []byte) meta.Object {
	obj := s.res.New()
	if err := json.Unmarshal(data, obj); err != nil {
		panic(err)
	}
	return obj
}

func (s *memStorage) putLocked(key string, obj meta.Object) (meta.Object, error) {
	*s.rev++
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(*s.rev, 10)
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	s.kv[key] = data
	s.writes++
	return s.decode(data), nil
}

func (s *memStorage) notFound(key string) error {
	return apierrors.NewNotFound(s.res.Group, s.res.Resource, key[strings.LastIndex(key, "/")+1:])
}

func (s *memStorage) Create(_ context.Context, key string, obj meta.Object) (meta.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.kv[key]; ok {
		return nil, apierrors.NewAlreadyExists(s.res.Group, s.res.Resource, obj.GetObjectMeta().Name)
	}
	return s.putLocked(key, obj)
}

func (s *memStorage) Get(_ context.Context, key string, _ storage.GetOptions) (meta.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.kv[key]
	if !ok {
		return nil, s.notFound(key)
	}
	return s.decode(data), nil
}

func (s *memStorage) List(_ context.Context, prefix string, _ storage.ListOptions) (*storage.ListResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.kv {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	res := &storage.ListResult{ResourceVersion: strconv.FormatInt(*s.rev, 10)}
	for _, k := range keys {
		res.Items = append(res.Items, s.decode(s.kv[k]))
	}
	return res, nil
}

func (s *memStorage) GuaranteedUpdate(_ context.Context, key string, _ *meta.Preconditions, ignoreNotFound bool,
	tryUpdate func(current meta.Object) (meta.Object, error)) (meta.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.kv[key]
	if !ok && !ignoreNotFound {
		return nil, s.notFound(key)
	}
	var cur meta.Object
	if ok {
		cur = s.decode(data)
	}
	obj, err := tryUpdate(cur)
	if err != nil {
		return nil, err
	}
	if cur != nil && obj.GetObjectMeta().ResourceVersion != cur.GetObjectMeta().ResourceVersion {
		return nil, apierrors.NewConflict(s.res.Group, s.res.Resource, cur.GetObjectMeta().Name, errors.New("stale"))
	}
	if next, err := json.Marshal(obj); err == nil && string(next) == string(data) {
		return cur, nil
	}
	return s.putLocked(key, obj)
}

func (s *memStorage) Delete(_ context.Context, key string, p *meta.Preconditions, _ func(meta.Object) error) (meta.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.kv[key]
	if !ok {
		return nil, s.notFound(key)
	}
	cur := s.decode(data)
	if p != nil && p.ResourceVersion != nil && *p.ResourceVersion != cur.GetObjectMeta().ResourceVersion {
		return nil, apierrors.NewConflict(s.res.Group, s.res.Resource, cur.GetObjectMeta().Name, errors.New("precondition"))
	}
	delete(s.kv, key)
	*s.rev++
	s.writes++
	return cur, nil
}

func (s *memStorage) Watch(context.Context, string, storage.ListOptions) (storage.Watcher, error) {
	return nil, errors.New("memStorage: no watch")
}

func (s *memStorage) Count(_ context.Context, prefix string) (int64, error) {
	res, err := s.List(context.Background(), prefix, storage.ListOptions{})
	if err != nil {
		return 0, err
	}
	return int64(len(res.Items)), nil
}

// fakeMasterLeases keeps master leases with expiry on a fake clock.
type fakeMasterLeases struct {
	mu      sync.Mutex
	now     func() int64 // seconds
	ttl     int64
	expires map[Endpoint]int64
}

func (f *fakeMasterLeases) UpdateLease(_ context.Context, ep Endpoint) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expires[ep] = f.now() + f.ttl
	return nil
}

func (f *fakeMasterLeases) ListLeases(context.Context) ([]Endpoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Endpoint
	for ep, exp := range f.expires {
		if exp > f.now() {
			out = append(out, ep)
		}
	}
	return out, nil
}

func (f *fakeMasterLeases) RemoveLease(_ context.Context, ep Endpoint) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.expires, ep)
	return nil
}
