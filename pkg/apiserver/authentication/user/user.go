// Package user is the identity a request was authenticated as, and the
// well-known user and group names of Kubernetes.
package user

import "context"

// Well-known names.
const (
	Anonymous          = "system:anonymous"
	AllAuthenticated   = "system:authenticated"
	AllUnauthenticated = "system:unauthenticated"
	// SystemPrivilegedGroup (system:masters) may do anything, whatever RBAC says.
	SystemPrivilegedGroup = "system:masters"
	NodesGroup            = "system:nodes"
	NodeUserPrefix        = "system:node:"
	KubeScheduler         = "system:kube-scheduler"
	KubeControllerManager = "system:kube-controller-manager"
	MonitoringGroup       = "system:monitoring"
)

// Info is an authenticated identity.
type Info struct {
	Name   string
	UID    string
	Groups []string
	Extra  map[string][]string
}

// InGroup reports whether the user is a member of group.
func (u *Info) InGroup(group string) bool {
	if u == nil {
		return false
	}
	for _, g := range u.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// AnonymousUser is the identity of a request that presented no credentials.
func AnonymousUser() *Info {
	return &Info{Name: Anonymous, Groups: []string{AllUnauthenticated}}
}

// ContextKey is the key of the user in a context: WithUser stores it there,
// and a context that carries the user itself answers Value(ContextKey{})
// with its *Info.
type ContextKey struct{}

// WithUser returns ctx carrying u.
func WithUser(ctx context.Context, u *Info) context.Context {
	return context.WithValue(ctx, ContextKey{}, u)
}

// From returns the user ctx carries, if any.
func From(ctx context.Context) (*Info, bool) {
	u, ok := ctx.Value(ContextKey{}).(*Info)
	return u, ok && u != nil
}
