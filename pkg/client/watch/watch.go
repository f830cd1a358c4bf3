// Package watch is the client side of a watch stream: typed events read from
// the apiserver's chunked `{"type":...,"object":...}` lines.
package watch

import "github.com/tinykube/tinykube/pkg/api/meta"

// Event is one decoded watch event. Object is the decoded object (a pointer
// type such as *core.Pod) for ADDED, MODIFIED, DELETED and BOOKMARK (where
// only metadata.resourceVersion, and maybe annotations, are set); Status is
// set, and Object is the zero value, for ERROR.
type Event[T any] struct {
	Type   string
	Object T
	Status *meta.Status
}

// Interface is an open watch. ResultChan is closed when the stream ends (the
// server closed it, timeoutSeconds elapsed, the connection broke, or Stop was
// called). Stop is safe to call more than once and from any goroutine.
type Interface[T any] interface {
	ResultChan() <-chan Event[T]
	Stop()
}
