// Package authentication finds who sent a request: bearer tokens from a
// static token file (kube-apiserver's --token-auth-file) and client
// certificates signed by a CA (--client-ca-file).
package authentication

import (
	"errors"
	"net/http"

	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

// Request authenticates an HTTP request. ok is false when the request
// carries no credentials this authenticator understands; err is set when it
// carries credentials that are invalid (the request then gets 401).
type Request interface {
	AuthenticateRequest(req *http.Request) (u *user.Info, ok bool, err error)
}

// RequestFunc adapts a function to Request.
type RequestFunc func(req *http.Request) (*user.Info, bool, error)

// AuthenticateRequest calls f.
func (f RequestFunc) AuthenticateRequest(req *http.Request) (*user.Info, bool, error) { return f(req) }

// Union tries each authenticator in order; the first that recognises the
// request answers. Errors are reported only when none succeeded.
type Union []Request

// AuthenticateRequest implements Request.
func (u Union) AuthenticateRequest(req *http.Request) (*user.Info, bool, error) {
	var errs []error
	for _, a := range u {
		info, ok, err := a.AuthenticateRequest(req)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			return info, true, nil
		}
	}
	return nil, false, errors.Join(errs...)
}

// WithAuthenticatedGroup adds system:authenticated to a user lacking it, as
// every authenticated (non-anonymous) identity belongs to it.
func WithAuthenticatedGroup(u *user.Info) *user.Info {
	if u.InGroup(user.AllAuthenticated) || u.Name == user.Anonymous {
		return u
	}
	out := *u
	out.Groups = append(append([]string(nil), u.Groups...), user.AllAuthenticated)
	return &out
}
