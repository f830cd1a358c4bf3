package authorization

import (
	"context"
	"errors"
	"testing"

	authzapi "github.com/tinykube/tinykube/pkg/api/authorization"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

func TestForbiddenMessage(t *testing.T) {
	alice := &user.Info{Name: "alice"}
	tests := []struct {
		a    Attributes
		want string
	}{
		{Attributes{User: alice, Verb: "list", ResourceRequest: true, Resource: "pods", Namespace: "default"},
			`User "alice" cannot list resource "pods" in API group "" in the namespace "default"`},
		{Attributes{User: alice, Verb: "get", ResourceRequest: true, Resource: "pods", Subresource: "log", Namespace: "ns1", Name: "p"},
			`User "alice" cannot get resource "pods/log" in API group "" in the namespace "ns1"`},
		{Attributes{User: alice, Verb: "create", ResourceRequest: true, APIGroup: "rbac.authorization.k8s.io", Resource: "clusterroles"},
			`User "alice" cannot create resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope`},
		{Attributes{User: alice, Verb: "get", Path: "/metrics"}, `User "alice" cannot get path "/metrics"`},
	}
	for _, tc := range tests {
		if got := ForbiddenMessage(tc.a); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestUnionAndPrivilegedGroups(t *testing.T) {
	deny := AuthorizerFunc(func(context.Context, Attributes) (Decision, string, error) { return DecisionDeny, "no", nil })
	none := AuthorizerFunc(func(context.Context, Attributes) (Decision, string, error) {
		return DecisionNoOpinion, "dunno", errors.New("x")
	})
	masters := PrivilegedGroups(user.SystemPrivilegedGroup)
	admin := Attributes{User: &user.Info{Name: "root", Groups: []string{user.SystemPrivilegedGroup}}}
	bob := Attributes{User: &user.Info{Name: "bob"}}
	tests := []struct {
		name string
		u    Union
		a    Attributes
		want Decision
	}{
		{"masters allowed first", Union{masters, deny}, admin, DecisionAllow},
		{"others fall through to deny", Union{masters, deny}, bob, DecisionDeny},
		{"no opinion from all", Union{masters, none}, bob, DecisionNoOpinion},
		{"always allow", Union{none, AlwaysAllow}, bob, DecisionAllow},
		{"nil user is not a master", Union{masters}, Attributes{}, DecisionNoOpinion},
	}
	for _, tc := range tests {
		d, _, _ := tc.u.Authorize(context.Background(), tc.a)
		if d != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, d, tc.want)
		}
	}
	_, reason, err := Union{none, none}.Authorize(context.Background(), bob)
	if reason != "dunno\ndunno" || err == nil {
		t.Errorf("reasons %q err %v", reason, err)
	}
}

func TestReview(t *testing.T) {
	onlyPods := AuthorizerFunc(func(_ context.Context, a Attributes) (Decision, string, error) {
		if a.User.Name == "alice" && a.Resource == "pods" && a.Verb == "list" {
			return DecisionAllow, "ok", nil
		}
		return DecisionNoOpinion, "", nil
	})
	ctx := user.WithUser(context.Background(), &user.Info{Name: "alice"})
	tests := []struct {
		name     string
		resource string
		body     string
		allowed  bool
		wantErr  bool
	}{
		{"self allowed", ResourceSelfSubjectAccessReviews,
			`{"spec":{"resourceAttributes":{"verb":"list","resource":"pods","namespace":"default"}}}`, true, false},
		{"self denied", ResourceSelfSubjectAccessReviews,
			`{"spec":{"resourceAttributes":{"verb":"delete","resource":"pods"}}}`, false, false},
		{"self non-resource", ResourceSelfSubjectAccessReviews, `{"spec":{"nonResourceAttributes":{"verb":"get","path":"/x"}}}`, false, false},
		{"self empty spec", ResourceSelfSubjectAccessReviews, `{"spec":{}}`, false, true},
		{"self both", ResourceSelfSubjectAccessReviews,
			`{"spec":{"resourceAttributes":{"verb":"get"},"nonResourceAttributes":{"verb":"get"}}}`, false, true},
		{"bad json", ResourceSelfSubjectAccessReviews, `{`, false, true},
		{"empty body", ResourceSelfSubjectAccessReviews, ``, false, true},
		{"other user", ResourceSubjectAccessReviews,
			`{"spec":{"user":"alice","resourceAttributes":{"verb":"list","resource":"pods"}}}`, true, false},
		{"other user denied", ResourceSubjectAccessReviews,
			`{"spec":{"user":"bob","resourceAttributes":{"verb":"list","resource":"pods"}}}`, false, false},
		{"no user", ResourceSubjectAccessReviews, `{"spec":{"resourceAttributes":{"verb":"list"}}}`, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Review(ctx, onlyPods, tc.resource, []byte(tc.body))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v", err)
			}
			if err != nil {
				return
			}
			var allowed bool
			switch r := out.(type) {
			case *selfReview:
				allowed = r.Status.Allowed
			case *subjectReview:
				allowed = r.Status.Allowed
			}
			if allowed != tc.allowed {
				t.Fatalf("allowed %v, want %v", allowed, tc.allowed)
			}
		})
	}
}

type (
	selfReview    = authzapi.SelfSubjectAccessReview
	subjectReview = authzapi.SubjectAccessReview
)

func TestListRules(t *testing.T) {
	ctx := context.Background()
	alice := &user.Info{Name: "alice"}
	admin := &user.Info{Name: "root", Groups: []string{user.SystemPrivilegedGroup}}
	lister := fakeLister{}
	tests := []struct {
		name       string
		az         Authorizer
		u          *user.Info
		rules      int
		incomplete bool
	}{
		{"always allow lists everything", AlwaysAllow, alice, 1, false},
		{"masters list everything", Union{PrivilegedGroups(user.SystemPrivilegedGroup), lister}, admin, 2, false},
		{"others get the lister's rules", Union{PrivilegedGroups(user.SystemPrivilegedGroup), lister}, alice, 1, false},
		{"an authorizer that cannot list makes it incomplete", Union{lister, AuthorizerFunc(func(context.Context, Attributes) (Decision, string, error) {
			return DecisionNoOpinion, "", nil
		})}, alice, 1, true},
	}
	for _, tc := range tests {
		st, err := ListRules(ctx, tc.az, tc.u, "ns")
		if err != nil || len(st.ResourceRules) != tc.rules || st.Incomplete != tc.incomplete {
			t.Errorf("%s: %+v %v", tc.name, st, err)
		}
	}
	out, err := Review(user.WithUser(ctx, alice), lister, ResourceSelfSubjectRulesReviews, []byte(`{"spec":{"namespace":"ns"}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := out.(*authzapi.SelfSubjectRulesReview)
	if r.Kind != "SelfSubjectRulesReview" || len(r.Status.ResourceRules) != 1 || r.Status.ResourceRules[0].Resources[0] != "pods" {
		t.Fatalf("review %+v", r)
	}
}

type fakeLister struct{}

func (fakeLister) Authorize(context.Context, Attributes) (Decision, string, error) {
	return DecisionNoOpinion, "", nil
}

func (fakeLister) RulesFor(_ context.Context, _ *user.Info, ns string) ([]authzapi.ResourceRule, []authzapi.NonResourceRule, bool, error) {
	return []authzapi.ResourceRule{{Verbs: []string{"get"}, APIGroups: []string{""}, Resources: []string{"pods"}}}, nil, false, nil
}
