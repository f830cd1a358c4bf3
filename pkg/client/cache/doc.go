// Package cache keeps a local, indexed copy of one resource in sync with the
// apiserver: a Reflector lists and then watches, a ThreadSafeStore/Indexer
// holds the objects, a SharedIndexInformer fans changes out to event
// handlers, and Listers read the cache.
//
// Objects handed out by a store, an informer or a lister are shared with
// every other reader and are read-only: copy one with meta.DeepCopy before
// changing it.
package cache
