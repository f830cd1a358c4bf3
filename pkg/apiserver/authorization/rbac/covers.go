package rbac

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tinykube/tinykube/pkg/api/rbac"
)

// Covers reports whether the owner's rules grant everything the servant
// rules grant, and lists the servant permissions that are not covered, each
// as a rule with one verb, one group, one resource and at most one name (or
// one non-resource URL). Wildcards are compared as written: only "*" in the
// owner covers "*" in the servant.
func Covers(owner, servant []rbac.PolicyRule) (bool, []rbac.PolicyRule) {
	var missing []rbac.PolicyRule
	for _, s := range servant {
		for _, atom := range breakdown(s) {
			if !coveredByAny(owner, &atom) {
				missing = append(missing, atom)
			}
		}
	}
	return len(missing) == 0, missing
}

// breakdown splits a rule into rules of one verb, group, resource and name.
func breakdown(r rbac.PolicyRule) []rbac.PolicyRule {
	var out []rbac.PolicyRule
	for _, v := range r.Verbs {
		for _, u := range r.NonResourceURLs {
			out = append(out, rbac.PolicyRule{Verbs: []string{v}, NonResourceURLs: []string{u}})
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				if len(r.ResourceNames) == 0 {
					out = append(out, rbac.PolicyRule{Verbs: []string{v}, APIGroups: []string{g}, Resources: []string{res}})
					continue
				}
				for _, n := range r.ResourceNames {
					out = append(out, rbac.PolicyRule{Verbs: []string{v}, APIGroups: []string{g},
						Resources: []string{res}, ResourceNames: []string{n}})
				}
			}
		}
	}
	return out
}

func coveredByAny(owner []rbac.PolicyRule, atom *rbac.PolicyRule) bool {
	for i := range owner {
		if ruleCovers(&owner[i], atom) {
			return true
		}
	}
	return false
}

// ruleCovers: owner grants the single permission atom.
func ruleCovers(owner, atom *rbac.PolicyRule) bool {
	if !VerbMatches(owner, atom.Verbs[0]) {
		return false
	}
	if len(atom.NonResourceURLs) > 0 {
		return nonResourceCovers(owner.NonResourceURLs, atom.NonResourceURLs[0])
	}
	if !APIGroupMatches(owner, atom.APIGroups[0]) || !resourceCovers(owner.Resources, atom.Resources[0]) {
		return false
	}
	if len(owner.ResourceNames) == 0 {
		return true
	}
	return len(atom.ResourceNames) == 1 && has(owner.ResourceNames, atom.ResourceNames[0])
}

func resourceCovers(owner []string, res string) bool {
	for _, o := range owner {
		if o == rbac.ResourceAll || o == res {
			return true
		}
		if sub, ok := strings.CutPrefix(o, "*/"); ok {
			if _, rs, found := strings.Cut(res, "/"); found && rs == sub {
				return true
			}
		}
	}
	return false
}

func nonResourceCovers(owner []string, url string) bool {
	for _, o := range owner {
		if o == rbac.NonResourceAll || o == url {
			return true
		}
		if strings.HasSuffix(o, "*") && strings.HasPrefix(url, strings.TrimSuffix(o, "*")) {
			return true
		}
	}
	return false
}

// FormatRules renders rules compactly for error messages, as Kubernetes
// does: {APIGroups:[""], Resources:["pods"], Verbs:["delete"]}.
func FormatRules(rules []rbac.PolicyRule) string {
	lines := make([]string, 0, len(rules))
	for _, r := range rules {
		var parts []string
		add := func(name string, vals []string) {
			if len(vals) > 0 {
				q := make([]string, len(vals))
				for i, v := range vals {
					q[i] = fmt.Sprintf("%q", v)
				}
				parts = append(parts, name+":["+strings.Join(q, " ")+"]")
			}
		}
		add("APIGroups", r.APIGroups)
		add("Resources", r.Resources)
		add("ResourceNames", r.ResourceNames)
		add("NonResourceURLs", r.NonResourceURLs)
		add("Verbs", r.Verbs)
		lines = append(lines, "{"+strings.Join(parts, ", ")+"}")
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
