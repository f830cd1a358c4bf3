// Package storage keeps API objects in etcd under /registry/{resource}/{namespace}/{name}
// and serves LIST and WATCH from a per-resource watch cache fed by a single
// etcd watch. Errors it returns are *errors.StatusError values (NotFound,
// AlreadyExists, Conflict, Gone, ...) qualified with the store's resource, so
// the HTTP layer can write them as they are.
package storage

import (
	"context"

	"github.com/tinykube/tinykube/pkg/api/meta"
)

// Interface is one resource's storage.
type Interface interface {
	// Create stores obj at key; it fails with AlreadyExists if the key exists.
	// obj's resourceVersion must be empty. Returns the stored object with
	// resourceVersion set to the etcd revision of the write; the store takes
	// obj over (it may return obj itself with its resourceVersion set).
	Create(ctx context.Context, key string, obj meta.Object) (meta.Object, error)

	// Get reads one object (NotFound if absent). opts.ResourceVersion "0" may
	// be served from the watch cache; "" reads etcd (quorum).
	Get(ctx context.Context, key string, opts GetOptions) (meta.Object, error)

	// List returns the objects under prefix (a "/"-terminated key prefix) that
	// match opts.Predicate, with the list's resourceVersion and continue token.
	List(ctx context.Context, prefix string, opts ListOptions) (*ListResult, error)

	// GuaranteedUpdate reads the object at key, calls tryUpdate with a private
	// copy, and writes the result if the object did not change meanwhile,
	// retrying the read-modify-write on conflict. tryUpdate may return an error
	// to abort (returned as is). If tryUpdate sets a resourceVersion on the
	// object it returns that differs from the current one, the update fails
	// with Conflict (optimistic concurrency for client updates) instead of
	// retrying. If the object does not exist and ignoreNotFound is true,
	// tryUpdate receives nil (create-on-update); otherwise NotFound.
	// tryUpdate may run more than once. The object it returns last becomes
	// the result, with the write's resourceVersion set.
	GuaranteedUpdate(ctx context.Context, key string, preconditions *meta.Preconditions, ignoreNotFound bool,
		tryUpdate func(current meta.Object) (meta.Object, error)) (meta.Object, error)

	// Delete removes the object at key if preconditions hold and validate (if
	// not nil) accepts the current object; returns the deleted object (with
	// the resourceVersion of the deletion). NotFound if absent.
	Delete(ctx context.Context, key string, preconditions *meta.Preconditions,
		validate func(current meta.Object) error) (meta.Object, error)

	// Watch streams changes to key (a single object) or, with a "/"-terminated
	// prefix, to every object under it, starting after opts.ResourceVersion:
	//   ""  -> the current state as ADDED events, then changes;
	//   "0" -> the watch cache's current state as ADDED events, then changes;
	//   N   -> every change with revision > N, exactly once, in order; if N is
	//          older than the cache window (or compacted), one ERROR event with
	//          a 410 Gone Status, then the channel closes. (The cacher serves N
	//          older than its window from etcd's history while etcd has it,
	//          so in practice 410 means compacted.)
	// With a Predicate, an object that starts matching arrives as ADDED and
	// one that stops matching as DELETED, as Kubernetes does.
	Watch(ctx context.Context, key string, opts ListOptions) (Watcher, error)

	// Count returns the number of objects under prefix (apiserver_storage_objects).
	Count(ctx context.Context, prefix string) (int64, error)
}

// GetOptions tune a Get.
type GetOptions struct {
	ResourceVersion string
}

// ListOptions tune a List or a Watch.
type ListOptions struct {
	// ResourceVersion follows Kubernetes: "" = most recent (from etcd),
	// "0" = any (from the watch cache), N = not older than N.
	ResourceVersion      string
	ResourceVersionMatch string // "", "NotOlderThan", "Exact"
	Limit                int64
	Continue             string
	// Predicate selects objects (label and field selectors); nil selects all.
	Predicate func(meta.Object) bool
	// AllowWatchBookmarks asks for BOOKMARK events carrying only a resourceVersion.
	AllowWatchBookmarks bool
	// SendInitialEvents (watch-list) sends the state as ADDED then a bookmark
	// annotated k8s.io/initial-events-end.
	SendInitialEvents *bool
}

// ListResult is the answer of a List.
type ListResult struct {
	Items           []meta.Object
	ResourceVersion string
	Continue        string
	// RemainingItemCount is set when the list was cut by Limit, if known.
	RemainingItemCount *int64
}

// EventType is one of meta.Added, meta.Modified, meta.Deleted, meta.Bookmark, meta.Error.
type EventType = string

// Event is one change delivered by a Watcher.
type Event struct {
	Type EventType
	// Object is the object after the change (for DELETED, its last state with
	// the deletion's resourceVersion). For BOOKMARK, an empty object of the
	// resource's kind whose only field set is metadata.resourceVersion.
	// Nil for ERROR.
	Object meta.Object
	// Status is set for ERROR events (for example 410 Gone).
	Status *meta.Status
	// Cached, when not nil, wraps Object with its JSON encoding computed once
	// and shared by every watcher the event fans out to (the watch cache sets
	// it). The HTTP layer should write Cached.JSON() rather than encode Object
	// itself. Objects delivered by the watch cache are shared: do not mutate.
	Cached *CachedObject
}

// Watcher is an open watch. ResultChan is closed when the watch ends: on
// Stop, on context end, when the watcher is too slow to keep up (its buffer
// filled; the client must re-watch or re-list), or after an ERROR event.
type Watcher interface {
	ResultChan() <-chan Event
	Stop()
}
