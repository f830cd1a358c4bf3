// Package etcd3 implements storage.Interface on an etcd v3 cluster.
//
// Objects are stored as JSON without metadata.resourceVersion; a read sets
// resourceVersion to the key's ModRevision, a list's resourceVersion is the
// etcd revision it was read at. Keys given to a Store are relative to its
// prefix: with prefix "/registry", key "/pods/default/web" is stored at
// "/registry/pods/default/web" and "/pods/" lists every pod.
//
// Construct one Store per resource:
//
//	s := etcd3.New(client, "apps", "deployments", "/registry", func() meta.Object { return &apps.Deployment{} }, log)
//
// and wrap it in a cacher.Cacher to serve LIST and WATCH from memory. Run one
// Compactor per apiserver (several apiservers on one etcd coordinate through
// a key so only one compacts per interval).
package etcd3

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/storage"
	"github.com/tinykube/tinykube/pkg/storage/metrics"
)

// OptimisticLockErrorMsg is the message of the Conflict returned when an
// update carries a stale resourceVersion (the same text as Kubernetes).
const OptimisticLockErrorMsg = "the object has been modified; please apply your changes to the latest version and try again"

// Store is one resource's storage on etcd.
type Store struct {
	client   *clientv3.Client
	group    string
	resource string
	prefix   string
	newFunc  func() meta.Object
	log      *zap.Logger
}

var _ storage.Interface = &Store{}

// New returns a Store for the resource named group/resource (group "" for the
// core group) whose keys live under prefix (for example "/registry");
// newFunc returns an empty object to decode into.
func New(client *clientv3.Client, group, resource, prefix string, newFunc func() meta.Object, log *zap.Logger) *Store {
	if log == nil {
		log = zap.NewNop()
	}
	return &Store{
		client: client, group: group, resource: resource,
		prefix: strings.TrimRight(prefix, "/"), newFunc: newFunc,
		log: log.With(zap.String("resource", qualified(group, resource))),
	}
}

func qualified(group, resource string) string {
	if group == "" {
		return resource
	}
	return resource + "." + group
}

// Client returns the etcd client.
func (s *Store) Client() *clientv3.Client { return s.client }

// Group returns the API group of the resource.
func (s *Store) Group() string { return s.group }

// Resource returns the resource name ("pods").
func (s *Store) Resource() string { return s.resource }

// QualifiedResource returns "pods" or "deployments.apps", the metric label.
func (s *Store) QualifiedResource() string { return qualified(s.group, s.resource) }

// NewObject returns an empty object of the resource's type.
func (s *Store) NewObject() meta.Object { return s.newFunc() }

// EtcdKey maps a store key ("/pods/ns/name" or "/pods/") to its etcd key.
func (s *Store) EtcdKey(key string) string { return s.prefix + "/" + strings.TrimLeft(key, "/") }

// nameOf returns the last segment of a key, the object name errors carry.
func nameOf(key string) string {
	key = strings.TrimRight(key, "/")
	return key[strings.LastIndexByte(key, '/')+1:]
}

// Decode decodes stored JSON into a new object with resourceVersion rev.
func (s *Store) Decode(data []byte, rev int64) (meta.Object, error) {
	obj := s.newFunc()
	if err := json.Unmarshal(data, obj); err != nil {
		return nil, fmt.Errorf("decode %s: %w", s.QualifiedResource(), err)
	}
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(rev, 10)
	return obj, nil
}

// encode returns obj's JSON without its resourceVersion.
func encode(obj meta.Object) ([]byte, error) {
	m := obj.GetObjectMeta()
	rv := m.ResourceVersion
	m.ResourceVersion = ""
	data, err := json.Marshal(obj)
	m.ResourceVersion = rv
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	return data, nil
}

// ParseResourceVersion parses a resourceVersion; "" is 0.
func ParseResourceVersion(rv string) (int64, error) {
	if rv == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(rv, 10, 64)
	if err != nil || n < 0 {
		return 0, apierrors.NewBadRequest(fmt.Sprintf("invalid resource version %q", rv))
	}
	return n, nil
}

func (s *Store) observe(op string, start time.Time) {
	metrics.ObserveEtcd(op, s.QualifiedResource(), start)
}

// Create stores obj at key if the key does not exist and returns obj itself
// with the write's resourceVersion (the store takes obj over). A
// storage.Written on ctx receives the object's JSON.
func (s *Store) Create(ctx context.Context, key string, obj meta.Object) (meta.Object, error) {
	out, st, err := s.CreateStored(ctx, key, obj)
	if err != nil {
		return nil, err
	}
	recordWritten(ctx, out, st)
	return out, nil
}

// Stored is what a write left in etcd.
type Stored struct {
	// Data is the stored value: the object's JSON without resourceVersion.
	Data []byte
	// Rev is the revision of the value (the object's resourceVersion).
	Rev int64
	// Wrote is false for an update that changed nothing (Data and Rev are
	// then those of the value already stored).
	Wrote bool
}

// recordWritten hands a storage.Written on ctx, if any, the JSON of obj
// (the stored value with its resourceVersion).
func recordWritten(ctx context.Context, obj meta.Object, st Stored) {
	w := storage.WrittenFrom(ctx)
	if w == nil {
		return
	}
	if data, ok := meta.WithResourceVersion(st.Data, st.Rev); ok {
		w.Set(obj, st.Rev, data)
	}
}

// CreateStored is Create, also returning what it stored; it does not fill
// a storage.Written (the caller does).
func (s *Store) CreateStored(ctx context.Context, key string, obj meta.Object) (meta.Object, Stored, error) {
	if rv := obj.GetObjectMeta().ResourceVersion; rv != "" {
		return nil, Stored{}, apierrors.NewBadRequest("resourceVersion should not be set on objects to be created")
	}
	data, err := encode(obj)
	if err != nil {
		return nil, Stored{}, err
	}
	k := s.EtcdKey(key)
	defer s.observe("create", time.Now())
	resp, err := s.client.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).
		Then(clientv3.OpPut(k, string(data))).
		Commit()
	if err != nil {
		return nil, Stored{}, fmt.Errorf("create %s: %w", k, err)
	}
	if !resp.Succeeded {
		return nil, Stored{}, apierrors.NewAlreadyExists(s.group, s.resource, nameOf(key))
	}
	// obj encodes as data, and the API types decode what they encode back
	// to the same object: return it rather than decoding data again.
	rev := resp.Header.Revision
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(rev, 10)
	return obj, Stored{Data: data, Rev: rev, Wrote: true}, nil
}

// Get reads the object at key from etcd (every resourceVersion is served by
// a quorum read here; the cacher serves "0" from memory).
func (s *Store) Get(ctx context.Context, key string, opts storage.GetOptions) (meta.Object, error) {
	if _, err := ParseResourceVersion(opts.ResourceVersion); err != nil {
		return nil, err
	}
	kv, _, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	if kv == nil {
		return nil, apierrors.NewNotFound(s.group, s.resource, nameOf(key))
	}
	return s.Decode(kv.Value, kv.ModRevision)
}

// get returns the key's current value (nil if absent) and the read's revision.
func (s *Store) get(ctx context.Context, key string) (*kvPair, int64, error) {
	defer s.observe("get", time.Now())
	resp, err := s.client.Get(ctx, s.EtcdKey(key))
	if err != nil {
		return nil, 0, fmt.Errorf("get %s: %w", s.EtcdKey(key), err)
	}
	if len(resp.Kvs) == 0 {
		return nil, resp.Header.Revision, nil
	}
	kv := resp.Kvs[0]
	return &kvPair{Value: kv.Value, ModRevision: kv.ModRevision}, resp.Header.Revision, nil
}

// kvPair is the part of an etcd key-value a read-modify-write needs.
type kvPair struct {
	Value       []byte
	ModRevision int64
}

// Count returns the number of keys under prefix with a count-only range.
func (s *Store) Count(ctx context.Context, prefix string) (int64, error) {
	defer s.observe("count", time.Now())
	resp, err := s.client.Get(ctx, s.EtcdKey(prefix), clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", s.EtcdKey(prefix), err)
	}
	return resp.Count, nil
}

// CurrentRevision returns etcd's current revision (a cheap count-only read).
func (s *Store) CurrentRevision(ctx context.Context) (int64, error) {
	resp, err := s.client.Get(ctx, s.EtcdKey("/"), clientv3.WithCountOnly(), clientv3.WithLimit(1))
	if err != nil {
		return 0, fmt.Errorf("read current revision: %w", err)
	}
	return resp.Header.Revision, nil
}
