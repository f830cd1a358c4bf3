package fake

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// historySize bounds the events kept for watches from an old
// resourceVersion; older ones get 410 Gone, as a compacted etcd would give.
const historySize = 4096

// memStore is storage.Interface in memory, for one resource. Objects are
// kept as JSON so every read returns a private copy.
type memStore struct {
	res          *registry.Resource
	rev          *atomic.Int64 // shared by all stores of one server, as etcd's revision
	historyLimit int

	mu       sync.Mutex // guards the fields below
	items    map[string]stored
	history  []change // the last historySize changes, oldest first
	watchers map[*memWatcher]struct{}
}

type stored struct {
	data []byte
	rev  int64
}

// change is one write, kept for watches.
type change struct {
	typ      string
	key      string
	rev      int64
	obj, old meta.Object // old is nil for ADDED
}

var _ storage.Interface = &memStore{}

func newMemStore(res *registry.Resource, rev *atomic.Int64) *memStore {
	return &memStore{res: res, rev: rev, historyLimit: historySize, items: map[string]stored{}, watchers: map[*memWatcher]struct{}{}}
}

func (s *memStore) decode(data []byte) (meta.Object, error) {
	obj := s.res.New()
	if err := json.Unmarshal(data, obj); err != nil {
		return nil, fmt.Errorf("memstore: decode %s: %w", s.res.GroupResource(), err)
	}
	return obj, nil
}

// clone copies obj through JSON into a fresh object of the resource's kind.
func (s *memStore) clone(obj meta.Object) (meta.Object, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("memstore: encode: %w", err)
	}
	return s.decode(b)
}

func nameOf(key string) string { return key[strings.LastIndex(key, "/")+1:] }

// writeLocked stores obj at key with a new revision and records the change.
func (s *memStore) writeLocked(key, typ string, obj, old meta.Object) (meta.Object, error) {
	rev := s.rev.Add(1)
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(rev, 10)
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("memstore: encode: %w", err)
	}
	if typ == meta.Deleted {
		delete(s.items, key)
	} else {
		s.items[key] = stored{data: data, rev: rev}
	}
	snap, err := s.decode(data)
	if err != nil {
		return nil, err
	}
	s.recordLocked(change{typ: typ, key: key, rev: rev, obj: snap, old: old})
	return s.decode(data)
}

func (s *memStore) recordLocked(c change) {
	s.history = append(s.history, c)
	if len(s.history) > s.historyLimit {
		s.history = append([]change(nil), s.history[len(s.history)-s.historyLimit:]...)
	}
	for w := range s.watchers {
		w.deliver(c)
	}
}

func (s *memStore) Create(_ context.Context, key string, obj meta.Object) (meta.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.items[key]; ok {
		return nil, apierrors.NewAlreadyExists(s.res.Group, s.res.Resource, nameOf(key))
	}
	if obj.GetObjectMeta().ResourceVersion != "" {
		return nil, apierrors.NewBadRequest("resourceVersion should not be set on objects to be created")
	}
	cp, err := s.clone(obj)
	if err != nil {
		return nil, err
	}
	return s.writeLocked(key, meta.Added, cp, nil)
}

func (s *memStore) Get(_ context.Context, key string, _ storage.GetOptions) (meta.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok {
		return nil, apierrors.NewNotFound(s.res.Group, s.res.Resource, nameOf(key))
	}
	return s.decode(it.data)
}

// List serves the whole prefix, sorted by key, with limit and continue (the
// continue token is the last key returned).
func (s *memStore) List(_ context.Context, prefix string, opts storage.ListOptions) (*storage.ListResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	after := ""
	if opts.Continue != "" {
		b, err := base64.RawURLEncoding.DecodeString(opts.Continue)
		if err != nil {
			return nil, apierrors.NewBadRequest("invalid continue token")
		}
		after = string(b)
	}
	out := &storage.ListResult{ResourceVersion: strconv.FormatInt(s.rev.Load(), 10)}
	for _, k := range s.keysLocked(prefix) {
		if k <= after {
			continue
		}
		obj, err := s.decode(s.items[k].data)
		if err != nil {
			return nil, err
		}
		if opts.Predicate != nil && !opts.Predicate(obj) {
			continue
		}
		if opts.Limit > 0 && int64(len(out.Items)) == opts.Limit {
			out.Continue = base64.RawURLEncoding.EncodeToString([]byte(s.keyOf(out.Items[len(out.Items)-1])))
			break
		}
		out.Items = append(out.Items, obj)
	}
	return out, nil
}

// keyOf finds the storage key of a listed object.
func (s *memStore) keyOf(obj meta.Object) string {
	m := obj.GetObjectMeta()
	return s.res.Key(m.Namespace, m.Name)
}

func (s *memStore) keysLocked(prefix string) []string {
	var keys []string
	for k := range s.items {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func (s *memStore) Count(_ context.Context, prefix string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.keysLocked(prefix))), nil
}

func checkPreconditions(res *registry.Resource, key string, p *meta.Preconditions, cur meta.Object) error {
	if p == nil {
		return nil
	}
	m := cur.GetObjectMeta()
	if p.UID != nil && *p.UID != m.UID {
		return apierrors.NewConflict(res.Group, res.Resource, nameOf(key),
			fmt.Errorf("precondition failed: UID in precondition: %v, UID in object meta: %v", *p.UID, m.UID))
	}
	if p.ResourceVersion != nil && *p.ResourceVersion != m.ResourceVersion {
		return apierrors.NewConflict(res.Group, res.Resource, nameOf(key),
			fmt.Errorf("precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *p.ResourceVersion, m.ResourceVersion))
	}
	return nil
}
