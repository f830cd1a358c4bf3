package apiserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
	"github.com/tinykube/tinykube/pkg/registry"
)

// anonymousPaths answer requests without credentials even when an
// authenticator is configured (as kube-apiserver's anonymous-auth
// endpoints); authorization still applies (RBAC's
// system:public-info-viewer allows them).
var anonymousPaths = map[string]bool{"/healthz": true, "/livez": true, "/readyz": true, "/version": true}

// withAuthentication puts the request's user in its context. Without an
// authenticator every request is system:anonymous. With one, a request with
// invalid credentials gets 401, and one without credentials too unless its
// path is one of anonymousPaths.
func (s *Server) withAuthentication(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u, err := s.authenticate(req)
		if err != nil {
			s.log.Debug("unauthorized request", zap.String("path", req.URL.Path), zap.Error(err))
			writeError(w, req, apierrors.NewUnauthorized(""))
			return
		}
		// The metrics filter's request context carries the user (answering
		// user.From) when there is one: no request copy for it.
		if who, ok := req.Context().Value(requestUserKey{}).(*requestUser); ok {
			who.set(u)
			next.ServeHTTP(w, req)
			return
		}
		next.ServeHTTP(w, req.WithContext(user.WithUser(req.Context(), u)))
	})
}

// requestUser carries the authenticated user out to the request log line,
// which is written outside the authentication filter, and in to the
// handlers, through the request context of the metrics filter.
type requestUser struct {
	mu   sync.Mutex
	info *user.Info
}

type requestUserKey struct{}

func (r *requestUser) set(u *user.Info) {
	r.mu.Lock()
	r.info = u
	r.mu.Unlock()
}

// user is the authenticated user, nil before authentication.
func (r *requestUser) user() *user.Info {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.info
}

// get is the authenticated user's name ("" before authentication).
func (r *requestUser) get() string {
	if u := r.user(); u != nil {
		return u.Name
	}
	return ""
}

// anonymous is the user of every request when no authenticator is
// configured, one shared value (a request's user is not modified).
var anonymous = user.AnonymousUser()

func (s *Server) authenticate(req *http.Request) (*user.Info, error) {
	if s.cfg.Authenticator == nil {
		return anonymous, nil
	}
	u, ok, err := s.cfg.Authenticator.AuthenticateRequest(req)
	if err != nil {
		return nil, err
	}
	if ok {
		req.Header.Del("Authorization")
		return authentication.WithAuthenticatedGroup(u), nil
	}
	if anonymousPaths[req.URL.Path] {
		return user.AnonymousUser(), nil
	}
	return nil, errors.New("no credentials")
}

// withAuthorization asks the authorizer (AlwaysAllow when none) about the
// request and answers 403 unless it is allowed. Allowed access reviews are
// answered here: they are not stored.
func (s *Server) withAuthorization(next http.Handler) http.Handler {
	az := s.cfg.Authorizer
	if az == nil {
		az = authorization.AlwaysAllow
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		a := requestAttributes(req)
		d, reason, err := az.Authorize(req.Context(), a)
		if err != nil {
			s.log.Debug("authorization errors", zap.String("user", a.User.Name), zap.Error(err))
		}
		if d != authorization.DecisionAllow {
			writeError(w, req, forbidden(a, reason))
			return
		}
		if a.ResourceRequest && authorization.IsReviewRequest(a.APIGroup, a.Resource) && a.Subresource == "" {
			s.serveReview(w, req, az, a)
			return
		}
		next.ServeHTTP(w, req)
	})
}

// authzVerbs maps the request-info verbs to Kubernetes' authorization verbs
// (the verbs discovery lists).
var authzVerbs = map[string]string{
	"GET": "get", "LIST": "list", "WATCH": "watch", "POST": "create", "PUT": "update",
	"PATCH": "patch", "DELETE": "delete", "DELETECOLLECTION": "deletecollection",
}

// requestAttributes describes a request for the authorizer.
func requestAttributes(req *http.Request) authorization.Attributes {
	u, ok := user.From(req.Context())
	if !ok {
		u = user.AnonymousUser()
	}
	ri, ok := requestInfoFrom(req.Context())
	if !ok {
		return authorization.Attributes{User: u, Verb: strings.ToLower(req.Method), Path: req.URL.Path}
	}
	verb, known := authzVerbs[ri.Verb]
	if !known {
		verb = strings.ToLower(ri.Verb)
	}
	if (ri.Subresource == "exec" || ri.Subresource == "attach" || ri.Subresource == "portforward") && verb == "get" {
		// As Kubernetes: exec, attach and port-forward are authorized as
		// create on pods/exec, pods/attach and pods/portforward, also when
		// they come as a GET with a WebSocket upgrade.
		verb = "create"
	}
	a := authorization.Attributes{User: u, Verb: verb, ResourceRequest: true, Namespace: ri.Namespace,
		APIGroup: ri.Group, APIVersion: ri.Version, Resource: ri.Resource, Subresource: ri.Subresource, Name: ri.Name}
	if a.Name == "" && (verb == "list" || verb == "watch") {
		// As Kubernetes: a list or watch of one name by field selector is
		// authorized as that name.
		a.Name = singleNameSelector(query(req).Get("fieldSelector"))
	}
	return a
}

// singleNameSelector returns X for "metadata.name=X" (or ==X), else "".
func singleNameSelector(sel string) string {
	for _, op := range []string{"==", "="} {
		if v, ok := strings.CutPrefix(sel, "metadata.name"+op); ok && !strings.ContainsAny(v, ",=!") {
			return v
		}
	}
	return ""
}

// forbidden is the 403 Status Kubernetes writes.
func forbidden(a authorization.Attributes, reason string) error {
	msg := authorization.ForbiddenMessage(a)
	if reason != "" {
		msg += ": " + reason
	}
	if !a.ResourceRequest {
		return apierrors.FromStatus(meta.Status{
			TypeMeta: meta.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: meta.StatusFailure,
			Code: http.StatusForbidden, Reason: meta.StatusReasonForbidden, Message: "forbidden: " + msg,
			Details: &meta.StatusDetails{}})
	}
	return apierrors.NewForbidden(a.APIGroup, a.Resource, a.Name, errors.New(msg))
}

// serveReview answers POST of an access review with 201 and the review's
// status; other verbs get 405.
func (s *Server) serveReview(w http.ResponseWriter, req *http.Request, az authorization.Authorizer, a authorization.Attributes) {
	if a.Verb != "create" || a.Name != "" {
		writeError(w, req, apierrors.NewMethodNotSupported(a.APIGroup, a.Resource, a.Verb))
		return
	}
	body, err := authorization.ReadReviewBody(req)
	if err == nil {
		body, err = bodyAsJSON(mediaType(req), body)
	}
	if err != nil {
		writeError(w, req, err)
		return
	}
	out, err := authorization.Review(req.Context(), az, a.Resource, body)
	if err != nil {
		writeError(w, req, err)
		return
	}
	writeJSON(w, req, http.StatusCreated, out)
}

// admitWrite runs the node restriction (admission_noderestriction.go) and
// the configured write admission (RBAC escalation checks) on a create (old
// nil) or update.
func (s *Server) admitWrite(ctx context.Context, res *registry.Resource, obj, old meta.Object) error {
	if err := s.admitNodeWrite(ctx, res, obj, old); err != nil {
		return err
	}
	if s.cfg.WriteAdmission == nil {
		return nil
	}
	if err := s.cfg.WriteAdmission(ctx, res, obj, old); err != nil {
		return fmt.Errorf("admission: %w", err)
	}
	return nil
}
