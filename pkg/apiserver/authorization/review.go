package authorization

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	authzapi "github.com/tinykube/tinykube/pkg/api/authorization"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

// Review resources of authorization.k8s.io/v1.
const (
	ResourceSelfSubjectAccessReviews = "selfsubjectaccessreviews"
	ResourceSubjectAccessReviews     = "subjectaccessreviews"
	ResourceSelfSubjectRulesReviews  = "selfsubjectrulesreviews"
)

// maxReviewBytes bounds a review body.
const maxReviewBytes = 1 << 20

// IsReviewRequest reports whether group/resource is an access review the
// ReviewHandler answers.
func IsReviewRequest(group, resource string) bool {
	return group == authzapi.GroupName && (resource == ResourceSelfSubjectAccessReviews ||
		resource == ResourceSubjectAccessReviews || resource == ResourceSelfSubjectRulesReviews)
}

// Review answers an access review: the returned object is the request's
// with status filled. Reviews are not stored.
func Review(ctx context.Context, az Authorizer, resource string, body []byte) (any, error) {
	switch resource {
	case ResourceSelfSubjectAccessReviews:
		var r authzapi.SelfSubjectAccessReview
		if err := decodeReview(body, &r, "SelfSubjectAccessReview"); err != nil {
			return nil, err
		}
		u, ok := user.From(ctx)
		if !ok {
			u = user.AnonymousUser()
		}
		st, err := review(ctx, az, u, r.Spec.ResourceAttributes, r.Spec.NonResourceAttributes)
		if err != nil {
			return nil, err
		}
		r.Status = st
		r.TypeMeta.Kind, r.TypeMeta.APIVersion = "SelfSubjectAccessReview", authzapi.APIVersion
		return &r, nil
	case ResourceSelfSubjectRulesReviews:
		var r authzapi.SelfSubjectRulesReview
		if err := decodeReview(body, &r, "SelfSubjectRulesReview"); err != nil {
			return nil, err
		}
		u, ok := user.From(ctx)
		if !ok {
			u = user.AnonymousUser()
		}
		st, err := ListRules(ctx, az, u, r.Spec.Namespace)
		if err != nil {
			return nil, err
		}
		r.Status = st
		r.TypeMeta.Kind, r.TypeMeta.APIVersion = "SelfSubjectRulesReview", authzapi.APIVersion
		return &r, nil
	case ResourceSubjectAccessReviews:
		var r authzapi.SubjectAccessReview
		if err := decodeReview(body, &r, "SubjectAccessReview"); err != nil {
			return nil, err
		}
		if r.Spec.User == "" && len(r.Spec.Groups) == 0 {
			return nil, apierrors.NewInvalid(authzapi.GroupName, "SubjectAccessReview", "",
				[]meta.StatusCause{{Field: "spec.user", Message: "at least one of user or group must be specified"}})
		}
		u := &user.Info{Name: r.Spec.User, UID: r.Spec.UID, Groups: r.Spec.Groups, Extra: r.Spec.Extra}
		st, err := review(ctx, az, u, r.Spec.ResourceAttributes, r.Spec.NonResourceAttributes)
		if err != nil {
			return nil, err
		}
		r.Status = st
		r.TypeMeta.Kind, r.TypeMeta.APIVersion = "SubjectAccessReview", authzapi.APIVersion
		return &r, nil
	}
	return nil, apierrors.NewNotFound(authzapi.GroupName, resource, "")
}

func decodeReview(body []byte, v any, kind string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apierrors.NewBadRequest("the request body is empty")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return apierrors.NewBadRequest(fmt.Sprintf("unable to decode request body into %s: %v", kind, err))
	}
	return nil
}

// review authorizes the described request as u.
func review(ctx context.Context, az Authorizer, u *user.Info, ra *authzapi.ResourceAttributes, nra *authzapi.NonResourceAttributes) (authzapi.SubjectAccessReviewStatus, error) {
	var a Attributes
	switch {
	case ra != nil && nra != nil:
		return authzapi.SubjectAccessReviewStatus{}, apierrors.NewInvalid(authzapi.GroupName, "SelfSubjectAccessReview", "",
			[]meta.StatusCause{{Field: "spec.resourceAttributes", Message: "cannot be specified in combination with nonResourceAttributes"}})
	case ra != nil:
		a = Attributes{User: u, Verb: ra.Verb, ResourceRequest: true, Namespace: ra.Namespace, APIGroup: ra.Group,
			APIVersion: ra.Version, Resource: ra.Resource, Subresource: ra.Subresource, Name: ra.Name}
	case nra != nil:
		a = Attributes{User: u, Verb: nra.Verb, Path: nra.Path}
	default:
		return authzapi.SubjectAccessReviewStatus{}, apierrors.NewInvalid(authzapi.GroupName, "SelfSubjectAccessReview", "",
			[]meta.StatusCause{{Field: "spec.resourceAttributes", Message: "exactly one of nonResourceAttributes or resourceAttributes must be specified"}})
	}
	d, reason, err := az.Authorize(ctx, a)
	st := authzapi.SubjectAccessReviewStatus{Allowed: d == DecisionAllow, Denied: d == DecisionDeny, Reason: reason}
	if err != nil {
		st.EvaluationError = err.Error()
	}
	return st, nil
}

// ReadReviewBody reads a review body of at most 1 MiB.
func ReadReviewBody(req *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(req.Body, maxReviewBytes+1))
	if err != nil {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("read request body: %v", err))
	}
	if len(b) > maxReviewBytes {
		return nil, apierrors.NewRequestEntityTooLarge(fmt.Sprintf("the request body is larger than the limit of %d bytes", maxReviewBytes))
	}
	return b, nil
}
