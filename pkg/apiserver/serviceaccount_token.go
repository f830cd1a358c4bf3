package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/api/validation"
	"github.com/tinykube/tinykube/pkg/api/validation/field"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/serviceaccount"
	"github.com/tinykube/tinykube/pkg/storage"
)

// SubToken is the subresource of serviceaccounts that issues tokens; it is
// served only when the apiserver has a signing key (the table lists it
// then, else the path is a 404 as in Kubernetes).
const SubToken = "token"

// ServiceAccountTokenConfig is what the token subresource and the issuer
// discovery documents need (--service-account-* and --api-audiences).
type ServiceAccountTokenConfig struct {
	// Issuer signs the tokens.
	Issuer *serviceaccount.Issuer
	// Audiences are the default audiences of a token (--api-audiences).
	Audiences []string
	// MaxExpirationSeconds caps a token's lifetime (0: no cap).
	MaxExpirationSeconds int64
	// OpenIDConfig and JWKS are the bodies of /.well-known/openid-configuration
	// and /openid/v1/jwks; nil when the issuer is no https URL.
	OpenIDConfig, JWKS []byte
	// Now is the clock of issued tokens (nil: the server's).
	Now func() time.Time
}

// createToken serves POST serviceaccounts/{name}/token: a TokenRequest
// answered with a token of the service account, as Kubernetes' TokenREST.
func (s *Server) createToken(w http.ResponseWriter, req *http.Request, r *request) error {
	tc := s.cfg.ServiceAccountTokens
	if tc == nil {
		return notFoundPath(req.URL.Path)
	}
	if r.ri.Verb != "POST" {
		return s.notAllowed(r, authzVerbs[r.ri.Verb])
	}
	body, err := bodyJSON(req)
	if err != nil {
		return err
	}
	var tr authentication.TokenRequest
	if err := decodeInto(body, &tr, "TokenRequest"); err != nil {
		return err
	}
	ctx, ns, name := req.Context(), r.ri.Namespace, r.ri.Name
	if err := checkTokenRequestMeta(&tr, ns, name); err != nil {
		return err
	}
	obj, err := r.store.Get(ctx, r.res.Key(ns, name), storage.GetOptions{})
	if err != nil {
		return fmt.Errorf("token: get serviceaccount: %w", err)
	}
	sa, ok := obj.(*core.ServiceAccount)
	if !ok {
		return apierrors.NewInternalError(fmt.Errorf("token: stored serviceaccount is %T", obj))
	}
	if len(tr.Spec.Audiences) == 0 {
		tr.Spec.Audiences = append([]string(nil), tc.Audiences...)
	}
	authentication.DefaultTokenRequest(&tr)
	tr.Name, tr.Namespace = sa.Name, sa.Namespace
	now := s.now()
	if tc.Now != nil {
		now = tc.Now()
	}
	tr.CreationTimestamp = meta.NewTime(now.UTC().Truncate(time.Second))
	tr.Status = authentication.TokenRequestStatus{}
	if errs := validation.ValidateTokenRequest(&tr); len(errs) > 0 {
		// As Kubernetes: the Status names no object.
		return apierrors.NewInvalid(authentication.GroupName, "TokenRequest", "", errs.Causes())
	}
	if err := s.admitNodeToken(ctx, r, &tr); err != nil {
		return err
	}
	bound, err := s.boundObjects(ctx, ns, name, tr.Spec.BoundObjectRef)
	if err != nil {
		return err
	}
	if exp := *tr.Spec.ExpirationSeconds; tc.MaxExpirationSeconds > 0 && exp > tc.MaxExpirationSeconds {
		w.Header().Add("Warning", fmt.Sprintf("299 - %q", fmt.Sprintf("requested expiration of %d seconds shortened to %d seconds", exp, tc.MaxExpirationSeconds)))
		tr.Spec.ExpirationSeconds = meta.Ptr(tc.MaxExpirationSeconds)
	}
	claims := serviceaccount.NewClaims(sa, bound, tr.Spec.Audiences, *tr.Spec.ExpirationSeconds, now, registry.NewUID())
	token, err := tc.Issuer.GenerateToken(claims)
	if err != nil {
		return apierrors.NewInternalError(fmt.Errorf("failed to generate token: %w", err))
	}
	tr.TypeMeta = meta.TypeMeta{Kind: "TokenRequest", APIVersion: authentication.APIVersion}
	tr.Status = authentication.TokenRequestStatus{Token: token,
		ExpirationTimestamp: meta.NewTime(now.Add(time.Duration(*tr.Spec.ExpirationSeconds) * time.Second).UTC().Truncate(time.Second))}
	s.log.Info("issued service account token", zap.String("namespace", ns), zap.String("serviceaccount", name),
		zap.String("jti", claims.ID), zap.Int64("expirationSeconds", *tr.Spec.ExpirationSeconds),
		zap.Strings("audiences", tr.Spec.Audiences))
	writeJSON(w, req, http.StatusCreated, &tr)
	return nil
}

// checkTokenRequestMeta refuses a request whose metadata names another
// service account or namespace than its path.
func checkTokenRequestMeta(tr *authentication.TokenRequest, ns, name string) error {
	var errs field.ErrorList
	if tr.Name != "" && tr.Name != name {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), tr.Name, "must match the service account name if specified"))
	}
	if tr.Namespace != "" && tr.Namespace != ns {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "namespace"), tr.Namespace, "must match the service account namespace if specified"))
	}
	if len(errs) > 0 {
		return apierrors.NewInvalid(authentication.GroupName, "TokenRequest", name, errs.Causes())
	}
	return nil
}

// boundKind is the kind a BoundObjectReference names, when the token may
// be bound to it: Pod, Secret or Node of the core group.
func boundKind(ref *authentication.BoundObjectReference) (string, error) {
	group, version, found := strings.Cut(ref.APIVersion, "/")
	if !found {
		group, version = "", ref.APIVersion
	}
	if group == "" {
		switch ref.Kind {
		case "Pod", "Secret", "Node":
			return ref.Kind, nil
		}
	}
	// As Kubernetes prints a GroupVersionKind.
	return "", apierrors.NewBadRequest(fmt.Sprintf("cannot bind token to object of type %s/%s, Kind=%s", group, version, ref.Kind))
}

// boundObjects reads the object a token is to be bound to (and, for a pod,
// the node it runs on when that exists) and checks it as Kubernetes does:
// a pod must run as the service account, and a uid in the reference must
// be the object's.
func (s *Server) boundObjects(ctx context.Context, ns, saName string, ref *authentication.BoundObjectReference) (serviceaccount.Bound, error) {
	var b serviceaccount.Bound
	if ref == nil {
		return b, nil
	}
	kind, err := boundKind(ref)
	if err != nil {
		return b, err
	}
	var uid string
	switch kind {
	case "Pod":
		pod, err := getTyped[*core.Pod](ctx, s, "pods", ns, ref.Name, "")
		if err != nil {
			return b, err
		}
		if pod.Spec.ServiceAccountName != saName {
			return b, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token for serviceaccount %q to pod running with different serviceaccount name.", saName))
		}
		b.Pod, uid = pod, pod.UID
		if pod.Spec.NodeName != "" {
			// A pod-bound token names its node too, when the node exists.
			node, err := getTyped[*core.Node](ctx, s, "nodes", "", pod.Spec.NodeName, "0")
			switch {
			case err == nil:
				b.Node = node
			case !apierrors.IsNotFound(err):
				return b, apierrors.NewInternalError(fmt.Errorf("failed to get node %q of pod %s/%s: %w", pod.Spec.NodeName, ns, pod.Name, err))
			}
		}
	case "Secret":
		secret, err := getTyped[*core.Secret](ctx, s, "secrets", ns, ref.Name, "")
		if err != nil {
			return b, err
		}
		b.Secret, uid = secret, secret.UID
	case "Node":
		node, err := getTyped[*core.Node](ctx, s, "nodes", "", ref.Name, "")
		if err != nil {
			return b, err
		}
		b.Node, uid = node, node.UID
	}
	if ref.UID != "" && ref.UID != uid {
		return b, apierrors.NewConflict("", kind, ref.Name, fmt.Errorf(
			"the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	return b, nil
}

// getTyped reads a core/v1 object (resourceVersion "0": from the watch
// cache; "": from etcd).
func getTyped[T meta.Object](ctx context.Context, s *Server, resource, ns, name, rv string) (T, error) {
	var zero T
	res, ok := s.cfg.Resources.Lookup("", "v1", resource)
	if !ok || s.stores[res] == nil {
		return zero, apierrors.NewInternalError(fmt.Errorf("%s not served", resource))
	}
	obj, err := s.stores[res].Get(ctx, res.Key(ns, name), storage.GetOptions{ResourceVersion: rv})
	if err != nil {
		return zero, fmt.Errorf("get %s %s: %w", resource, name, err)
	}
	t, ok := obj.(T)
	if !ok {
		return zero, apierrors.NewInternalError(fmt.Errorf("stored %s is %T", resource, obj))
	}
	return t, nil
}

// admitNodeToken applies the node restriction to a kubelet's token
// request: the pod it binds the token to is read for the decision.
func (s *Server) admitNodeToken(ctx context.Context, r *request, tr *authentication.TokenRequest) error {
	node, ok := requestNode(ctx)
	if !ok {
		return nil
	}
	nr := nodeRequest{Op: opCreate, Resource: r.res.Resource, Subresource: SubToken,
		Namespace: r.ri.Namespace, Name: r.ri.Name, Obj: tr}
	if ref := tr.Spec.BoundObjectRef; ref != nil && ref.Kind == "Pod" && ref.APIVersion == "v1" && ref.Name != "" && ref.UID != "" {
		pod, err := getTyped[*core.Pod](ctx, s, "pods", r.ri.Namespace, ref.Name, "")
		if err != nil {
			return err // as Kubernetes: a missing pod is a 404
		}
		nr.Old = pod
	}
	return admitNodeRequest(node, nr)
}

// installServiceAccountIssuerDiscovery serves the OpenID configuration
// and the JWKS of the service account issuer, when the issuer is an https
// URL (ServiceAccountIssuerDiscovery; RBAC's
// system:service-account-issuer-discovery lets service accounts read them).
func (s *Server) installServiceAccountIssuerDiscovery(r *mux.Router) {
	tc := s.cfg.ServiceAccountTokens
	if tc == nil || tc.OpenIDConfig == nil {
		return
	}
	serve := func(body []byte, mediaType string) http.HandlerFunc {
		return func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Content-Type", mediaType)
			w.Header().Set("Cache-Control", "public, max-age=3600")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(body)
		}
	}
	r.Path(serviceaccount.OpenIDConfigPath).Methods(http.MethodGet).HandlerFunc(serve(tc.OpenIDConfig, serviceaccount.OpenIDConfigMediaType))
	r.Path(serviceaccount.JWKSPath).Methods(http.MethodGet).HandlerFunc(serve(tc.JWKS, serviceaccount.JWKSMediaType))
}
