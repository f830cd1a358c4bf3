package ctl

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

// tokenFlags are kubectl create token's flags.
type tokenFlags struct {
	audiences                   []string
	duration                    time.Duration
	boundKind, boundName, bound string // bound: the object's uid
}

func (f *tokenFlags) addFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.audiences, "audience", nil,
		"create token: intended audience of the token (repeatable); default the API's audiences")
	fs.DurationVar(&f.duration, "duration", 0,
		"create token: requested lifetime of the token; the server may return one with another duration")
	fs.StringVar(&f.boundKind, "bound-object-kind", "",
		"create token: kind of an object to bind the token to: Node, Pod, Secret")
	fs.StringVar(&f.boundName, "bound-object-name", "", "create token: name of the object to bind the token to")
	fs.StringVar(&f.bound, "bound-object-uid", "", "create token: uid of the object to bind the token to")
}

// tokenBoundKinds are the kinds a token may be bound to, with their
// apiVersion.
var tokenBoundKinds = map[string]string{"Node": "v1", "Pod": "v1", "Secret": "v1"}

// tokenRequest checks the flags as kubectl does and builds the request.
func (f *tokenFlags) tokenRequest() (*authentication.TokenRequest, error) {
	tr := &authentication.TokenRequest{}
	for _, a := range f.audiences {
		if a == "" {
			return nil, fmt.Errorf("--audience must not be an empty string")
		}
	}
	tr.Spec.Audiences = f.audiences
	switch {
	case f.duration < 0:
		return nil, fmt.Errorf("--duration must be greater than or equal to 0")
	case f.duration%time.Second != 0:
		return nil, fmt.Errorf("--duration cannot be expressed in units less than seconds")
	case f.duration > 0:
		tr.Spec.ExpirationSeconds = meta.Ptr(int64(f.duration / time.Second))
	}
	if f.boundKind == "" {
		if f.boundName != "" {
			return nil, fmt.Errorf("--bound-object-name can only be set if --bound-object-kind is provided")
		}
		if f.bound != "" {
			return nil, fmt.Errorf("--bound-object-uid can only be set if --bound-object-kind is provided")
		}
		return tr, nil
	}
	version, ok := tokenBoundKinds[f.boundKind]
	if !ok {
		return nil, fmt.Errorf("supported --bound-object-kind values are Node, Pod, Secret")
	}
	if f.boundName == "" {
		return nil, fmt.Errorf("--bound-object-name is required if --bound-object-kind is provided")
	}
	tr.Spec.BoundObjectRef = &authentication.BoundObjectReference{Kind: f.boundKind, APIVersion: version,
		Name: f.boundName, UID: f.bound}
	return tr, nil
}

// createToken runs "create token SERVICE_ACCOUNT": it prints the token
// the server issues.
func createToken(ctx context.Context, env *Env, f *tokenFlags, args []string) error {
	if len(args) != 1 {
		return usageError("exactly one SERVICE_ACCOUNT_NAME is required")
	}
	tr, err := f.tokenRequest()
	if err != nil {
		return err
	}
	tr.Kind, tr.APIVersion = "TokenRequest", authentication.APIVersion
	ns, err := env.Namespace()
	if err != nil {
		return err
	}
	cs, err := env.Clientset()
	if err != nil {
		return err
	}
	var out authentication.TokenRequest
	err = cs.RESTClient().Post().Namespace(ns).Resource("serviceaccounts").Name(args[0]).SubResource("token").
		Body(tr).Do(ctx).Into(&out)
	if err != nil {
		return fmt.Errorf("failed to create token: %w", err)
	}
	if out.Status.Token == "" {
		return fmt.Errorf("failed to create token: no token in response")
	}
	fmt.Fprintln(env.Streams.Out, out.Status.Token)
	return nil
}
