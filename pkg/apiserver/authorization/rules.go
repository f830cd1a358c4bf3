package authorization

import (
	"context"
	"errors"

	authzapi "github.com/tinykube/tinykube/pkg/api/authorization"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

// RuleLister lists the rules an authorizer grants a user in a namespace,
// for SelfSubjectRulesReview. incomplete is true when the list may miss
// permissions.
type RuleLister interface {
	RulesFor(ctx context.Context, u *user.Info, namespace string) (rs []authzapi.ResourceRule, nrs []authzapi.NonResourceRule, incomplete bool, err error)
}

// everything is what AlwaysAllow and system:masters may do.
func everything() ([]authzapi.ResourceRule, []authzapi.NonResourceRule) {
	return []authzapi.ResourceRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}},
		[]authzapi.NonResourceRule{{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}}
}

// ListRules asks every authorizer of az that lists rules (a Union is
// walked, AlwaysAllow and PrivilegedGroups answer "everything"); those
// that cannot list make the answer incomplete.
func ListRules(ctx context.Context, az Authorizer, u *user.Info, namespace string) (authzapi.SubjectRulesReviewStatus, error) {
	st := authzapi.SubjectRulesReviewStatus{ResourceRules: []authzapi.ResourceRule{}, NonResourceRules: []authzapi.NonResourceRule{}}
	var errs []error
	var walk func(az Authorizer)
	walk = func(az Authorizer) {
		switch a := az.(type) {
		case Union:
			for _, m := range a {
				walk(m)
			}
		case RuleLister:
			rs, nrs, incomplete, err := a.RulesFor(ctx, u, namespace)
			st.ResourceRules = append(st.ResourceRules, rs...)
			st.NonResourceRules = append(st.NonResourceRules, nrs...)
			st.Incomplete = st.Incomplete || incomplete
			if err != nil {
				errs = append(errs, err)
			}
		default:
			st.Incomplete = true
		}
	}
	walk(az)
	if err := errors.Join(errs...); err != nil {
		st.EvaluationError = err.Error()
	}
	return st, nil
}

// alwaysAllow is AlwaysAllow's type, listing "everything".
type alwaysAllow struct{}

func (alwaysAllow) Authorize(context.Context, Attributes) (Decision, string, error) {
	return DecisionAllow, "", nil
}

func (alwaysAllow) RulesFor(context.Context, *user.Info, string) ([]authzapi.ResourceRule, []authzapi.NonResourceRule, bool, error) {
	rs, nrs := everything()
	return rs, nrs, false, nil
}

// privilegedGroups is PrivilegedGroups' type.
type privilegedGroups []string

func (p privilegedGroups) Authorize(_ context.Context, a Attributes) (Decision, string, error) {
	for _, g := range p {
		if a.User.InGroup(g) {
			return DecisionAllow, "", nil
		}
	}
	return DecisionNoOpinion, "", nil
}

func (p privilegedGroups) RulesFor(_ context.Context, u *user.Info, _ string) ([]authzapi.ResourceRule, []authzapi.NonResourceRule, bool, error) {
	for _, g := range p {
		if u.InGroup(g) {
			rs, nrs := everything()
			return rs, nrs, false, nil
		}
	}
	return nil, nil, false, nil
}
