package rbac

import (
	"strings"
	"testing"

	"github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
)

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// FuzzRuleMatching checks, for arbitrary rules and requests, that matching
// never panics and agrees with coverage: a rule allows a request exactly when
// it covers the single permission the request asks for, and a rule always
// covers itself.
func FuzzRuleMatching(f *testing.F) {
	f.Add("get,list", "", "pods", "", "get", "", "pods", "", "p", "")
	f.Add("*", "*", "*/log", "a", "get", "", "pods", "log", "a", "")
	f.Add("get", "", "", "", "get", "", "", "", "", "/apis/*")
	f.Add("get", "apps", "deployments/scale", "x,y", "update", "apps", "deployments", "scale", "y", "")
	f.Fuzz(func(t *testing.T, verbs, groups, resources, names, verb, group, resource, sub, name, urls string) {
		r := rbac.PolicyRule{Verbs: split(verbs), APIGroups: split(groups), Resources: split(resources),
			ResourceNames: split(names), NonResourceURLs: split(urls)}
		if verb == "" || strings.Contains(verb+group+resource+sub+name, ",") || strings.Contains(resource, "/") {
			return
		}
		a := authorization.Attributes{Verb: verb, ResourceRequest: true, APIGroup: group, Resource: resource,
			Subresource: sub, Name: name}
		allowed := RuleAllows(&a, &r)
		combined := resource
		if sub != "" {
			combined += "/" + sub
		}
		atom := rbac.PolicyRule{Verbs: []string{verb}, APIGroups: []string{group}, Resources: []string{combined}}
		if name != "" {
			atom.ResourceNames = []string{name}
		}
		if covered, _ := Covers([]rbac.PolicyRule{r}, []rbac.PolicyRule{atom}); covered != allowed && !strings.Contains(verb+group+combined, "*") {
			t.Fatalf("rule %+v: allows %+v = %v but covers it = %v", r, a, allowed, covered)
		}
		if ok, missing := Covers([]rbac.PolicyRule{r}, []rbac.PolicyRule{r}); !ok {
			t.Fatalf("rule %+v does not cover itself: %v", r, missing)
		}
		p := authorization.Attributes{Verb: verb, Path: urls}
		_ = RuleAllows(&p, &r)
	})
}
