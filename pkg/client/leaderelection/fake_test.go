package leaderelection

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/tinykube/tinykube/pkg/api/coordination"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// fakeLeases is an in-memory Lease store with optimistic concurrency.
type fakeLeases struct {
	mu     sync.Mutex
	leases map[string]*coordination.Lease
	rv     int
	fail   map[string]bool // identity -> writes from it fail
}

func newFakeLeases() *fakeLeases {
	return &fakeLeases{leases: map[string]*coordination.Lease{}, fail: map[string]bool{}}
}

func (f *fakeLeases) Get(_ context.Context, name string, _ meta.GetOptions) (*coordination.Lease, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.leases[name]
	if !ok {
		return nil, apierrors.NewNotFound("coordination.k8s.io", "leases", name)
	}
	return meta.DeepCopy(l), nil
}

func (f *fakeLeases) Create(_ context.Context, l *coordination.Lease, _ meta.CreateOptions) (*coordination.Lease, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing(l) {
		return nil, errors.New("injected failure")
	}
	if _, ok := f.leases[l.Name]; ok {
		return nil, apierrors.NewAlreadyExists("coordination.k8s.io", "leases", l.Name)
	}
	return f.storeLocked(l), nil
}

func (f *fakeLeases) Update(_ context.Context, l *coordination.Lease, _ meta.UpdateOptions) (*coordination.Lease, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing(l) {
		return nil, errors.New("injected failure")
	}
	cur, ok := f.leases[l.Name]
	if !ok {
		return nil, apierrors.NewNotFound("coordination.k8s.io", "leases", l.Name)
	}
	if cur.ResourceVersion != l.ResourceVersion {
		return nil, apierrors.NewConflict("coordination.k8s.io", "leases", l.Name, errors.New("stale resourceVersion"))
	}
	return f.storeLocked(l), nil
}

// failing reports whether writes by the lease's would-be holder (or by the
// current holder, for releases) are set to fail.
func (f *fakeLeases) failing(l *coordination.Lease) bool {
	if l.Spec.HolderIdentity != nil && f.fail[*l.Spec.HolderIdentity] {
		return true
	}
	if cur, ok := f.leases[l.Name]; ok && cur.Spec.HolderIdentity != nil {
		return f.fail[*cur.Spec.HolderIdentity] && (l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity == "")
	}
	return false
}

func (f *fakeLeases) storeLocked(l *coordination.Lease) *coordination.Lease {
	f.rv++
	c := meta.DeepCopy(l)
	c.ResourceVersion = strconv.Itoa(f.rv)
	f.leases[l.Name] = c
	return meta.DeepCopy(c)
}

func (f *fakeLeases) setFail(identity string, b bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[identity] = b
}

func (f *fakeLeases) record(name string) record {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.leases[name]; ok {
		return recordOf(l)
	}
	return record{}
}
