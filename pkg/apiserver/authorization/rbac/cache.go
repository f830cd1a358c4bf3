package rbac

import (
	"sync"

	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/rbac"
)

// PolicySource gives the authorizer the RBAC objects. Returned objects are
// shared: do not modify them.
type PolicySource interface {
	GetRole(namespace, name string) (*rbac.Role, bool)
	GetClusterRole(name string) (*rbac.ClusterRole, bool)
	RoleBindings(namespace string) []*rbac.RoleBinding
	ClusterRoleBindings() []*rbac.ClusterRoleBinding
}

// The four kinds a PolicyCache holds, by resource name.
const (
	ResourceRoles               = "roles"
	ResourceClusterRoles        = "clusterroles"
	ResourceRoleBindings        = "rolebindings"
	ResourceClusterRoleBindings = "clusterrolebindings"
)

// Resources lists the four RBAC resources.
var Resources = []string{ResourceRoles, ResourceClusterRoles, ResourceRoleBindings, ResourceClusterRoleBindings}

// PolicyCache is an in-memory PolicySource: objects are added, replaced and
// removed by Set, Delete and Replace (the cache's reflectors call them; tests
// may too).
type PolicyCache struct {
	mu                  sync.RWMutex
	roles               map[string]map[string]*rbac.Role        // namespace -> name ->
	clusterRoles        map[string]*rbac.ClusterRole            // name ->
	roleBindings        map[string]map[string]*rbac.RoleBinding // namespace -> name ->
	clusterRoleBindings map[string]*rbac.ClusterRoleBinding     // name ->
	synced              map[string]bool                         // resource -> listed once
}

var _ PolicySource = &PolicyCache{}

// NewPolicyCache returns an empty cache.
func NewPolicyCache() *PolicyCache {
	return &PolicyCache{
		roles: map[string]map[string]*rbac.Role{}, clusterRoles: map[string]*rbac.ClusterRole{},
		roleBindings: map[string]map[string]*rbac.RoleBinding{}, clusterRoleBindings: map[string]*rbac.ClusterRoleBinding{},
		synced: map[string]bool{},
	}
}

// Set adds or replaces an RBAC object; other kinds are ignored.
func (c *PolicyCache) Set(obj meta.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(obj)
}

func (c *PolicyCache) setLocked(obj meta.Object) {
	switch o := obj.(type) {
	case *rbac.Role:
		if c.roles[o.Namespace] == nil {
			c.roles[o.Namespace] = map[string]*rbac.Role{}
		}
		c.roles[o.Namespace][o.Name] = o
	case *rbac.ClusterRole:
		c.clusterRoles[o.Name] = o
	case *rbac.RoleBinding:
		if c.roleBindings[o.Namespace] == nil {
			c.roleBindings[o.Namespace] = map[string]*rbac.RoleBinding{}
		}
		c.roleBindings[o.Namespace][o.Name] = o
	case *rbac.ClusterRoleBinding:
		c.clusterRoleBindings[o.Name] = o
	}
}

// Delete removes an RBAC object.
func (c *PolicyCache) Delete(obj meta.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := obj.GetObjectMeta()
	switch obj.(type) {
	case *rbac.Role:
		delete(c.roles[m.Namespace], m.Name)
	case *rbac.ClusterRole:
		delete(c.clusterRoles, m.Name)
	case *rbac.RoleBinding:
		delete(c.roleBindings[m.Namespace], m.Name)
	case *rbac.ClusterRoleBinding:
		delete(c.clusterRoleBindings, m.Name)
	}
}

// Replace sets the whole content of one resource (a fresh LIST) and marks
// it synced.
func (c *PolicyCache) Replace(resource string, objs []meta.Object) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch resource {
	case ResourceRoles:
		c.roles = map[string]map[string]*rbac.Role{}
	case ResourceClusterRoles:
		c.clusterRoles = map[string]*rbac.ClusterRole{}
	case ResourceRoleBindings:
		c.roleBindings = map[string]map[string]*rbac.RoleBinding{}
	case ResourceClusterRoleBindings:
		c.clusterRoleBindings = map[string]*rbac.ClusterRoleBinding{}
	}
	for _, o := range objs {
		c.setLocked(o)
	}
	c.synced[resource] = true
}

// HasSynced reports whether each of the four resources was listed once.
func (c *PolicyCache) HasSynced() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, r := range Resources {
		if !c.synced[r] {
			return false
		}
	}
	return true
}

// GetRole implements PolicySource.
func (c *PolicyCache) GetRole(namespace, name string) (*rbac.Role, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	r, ok := c.roles[namespace][name]
	return r, ok
}

// GetClusterRole implements PolicySource.
func (c *PolicyCache) GetClusterRole(name string) (*rbac.ClusterRole, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	r, ok := c.clusterRoles[name]
	return r, ok
}

// RoleBindings implements PolicySource.
func (c *PolicyCache) RoleBindings(namespace string) []*rbac.RoleBinding {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*rbac.RoleBinding, 0, len(c.roleBindings[namespace]))
	for _, b := range c.roleBindings[namespace] {
		out = append(out, b)
	}
	return out
}

// ClusterRoleBindings implements PolicySource.
func (c *PolicyCache) ClusterRoleBindings() []*rbac.ClusterRoleBinding {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*rbac.ClusterRoleBinding, 0, len(c.clusterRoleBindings))
	for _, b := range c.clusterRoleBindings {
		out = append(out, b)
	}
	return out
}
