package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	"github.com/tinykube/tinykube/pkg/api/authentication"
	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/apiserver"
	"github.com/tinykube/tinykube/pkg/serviceaccount"
	"github.com/tinykube/tinykube/pkg/storage"
)

// ServiceAccountOptions are kube-apiserver's service account token flags.
type ServiceAccountOptions struct {
	// Issuers (--service-account-issuer): the first is the iss of issued
	// tokens, every one is accepted.
	Issuers []string
	// KeyFiles (--service-account-key-file): PEM public keys (or private
	// keys, of which the public part) that verify tokens.
	KeyFiles []string
	// SigningKeyFile (--service-account-signing-key-file): the PEM RSA or
	// ECDSA private key tokens are signed with; without it no token is
	// issued (serviceaccounts/token is a 404).
	SigningKeyFile string
	// APIAudiences (--api-audiences): a token must name one; the default
	// audiences of issued tokens. Empty: the first issuer.
	APIAudiences []string
	// MaxTokenExpiration (--service-account-max-token-expiration) caps
	// the lifetime of issued tokens (0: no cap).
	MaxTokenExpiration time.Duration
	// JWKSURI (--service-account-jwks-uri) is the jwks_uri of the OpenID
	// configuration (empty: https://<advertise address>:<port>/openid/v1/jwks).
	JWKSURI string
	// Now is the clock of issuing and checking tokens (tests; nil: time.Now).
	Now func() time.Time
}

// AddFlags binds the options.
func (o *ServiceAccountOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&o.Issuers, "service-account-issuer", o.Issuers,
		"identifier of the service account token issuer (the iss claim); repeatable: the first signs, all are accepted")
	fs.StringArrayVar(&o.KeyFiles, "service-account-key-file", o.KeyFiles,
		"PEM file of public keys (or private keys) verifying service account tokens; repeatable. The signing key's public part is always included")
	fs.StringVar(&o.SigningKeyFile, "service-account-signing-key-file", o.SigningKeyFile,
		"PEM RSA or ECDSA private key signing service account tokens (needs --service-account-issuer); without it no token is issued")
	fs.StringSliceVar(&o.APIAudiences, "api-audiences", o.APIAudiences,
		"audiences of the API: a service account token must name one (default: the first --service-account-issuer)")
	fs.DurationVar(&o.MaxTokenExpiration, "service-account-max-token-expiration", o.MaxTokenExpiration,
		"longest lifetime of an issued service account token; longer requests are shortened (0: no limit)")
	fs.StringVar(&o.JWKSURI, "service-account-jwks-uri", o.JWKSURI,
		"jwks_uri of /.well-known/openid-configuration (default: https://<advertise address>:<port>/openid/v1/jwks)")
}

// Validate reports inconsistent flags, in Kubernetes' words where it has
// some.
func (o *ServiceAccountOptions) Validate() error {
	if o.SigningKeyFile != "" && len(o.Issuers) == 0 {
		return errors.New("service-account-issuer is a required flag when service-account-signing-key-file is set")
	}
	if len(o.Issuers) > 0 && o.SigningKeyFile == "" && len(o.KeyFiles) == 0 {
		return errors.New("service-account-key-file or service-account-signing-key-file is a required flag when service-account-issuer is set")
	}
	if len(o.KeyFiles) > 0 && len(o.Issuers) == 0 {
		return errors.New("service-account-issuer is a required flag when service-account-key-file is set")
	}
	for _, iss := range o.Issuers {
		if iss == "" {
			return errors.New("service-account-issuer should not be an empty string")
		}
		if strings.Contains(iss, ":") {
			if _, err := url.Parse(iss); err != nil {
				return fmt.Errorf("service-account-issuer %q contained a ':' but was not a valid URL: %w", iss, err)
			}
		}
	}
	if m := o.MaxTokenExpiration; m != 0 && (m < time.Hour || m > time.Duration(authentication.MaxExpirationSeconds)*time.Second) {
		return errors.New("the service-account-max-token-expiration must be between 1 hour and 2^32 seconds")
	}
	return nil
}

// configureServiceAccounts loads the keys, serves the token subresource
// and issuer discovery when there is a signing key, and returns the
// authenticator of service account tokens (nil without issuers).
func (inst *Instance) configureServiceAccounts(cfg *apiserver.Config) (*serviceaccount.Authenticator, error) {
	o := inst.opts.ServiceAccount
	if len(o.Issuers) == 0 {
		return nil, nil
	}
	var keys []serviceaccount.PublicKey
	for _, f := range o.KeyFiles {
		ks, err := serviceaccount.ReadPublicKeysFile(f)
		if err != nil {
			return nil, err
		}
		keys = append(keys, ks...)
	}
	audiences := o.APIAudiences
	if len(audiences) == 0 {
		audiences = []string{o.Issuers[0]}
	}
	if o.SigningKeyFile != "" {
		key, err := serviceaccount.ReadPrivateKeyFile(o.SigningKeyFile)
		if err != nil {
			return nil, err
		}
		issuer, err := serviceaccount.NewIssuer(o.Issuers[0], key)
		if err != nil {
			return nil, fmt.Errorf("service account signing key %s: %w", o.SigningKeyFile, err)
		}
		keys = append(keys, issuer.PublicKey())
		tc := &apiserver.ServiceAccountTokenConfig{Issuer: issuer, Audiences: audiences,
			MaxExpirationSeconds: int64(o.MaxTokenExpiration / time.Second), Now: o.Now}
		if err := serviceaccount.CheckDiscoveryIssuer(o.Issuers[0]); err != nil {
			inst.log.Warn("service account issuer discovery disabled", zap.Error(err))
		} else if tc.OpenIDConfig, tc.JWKS, err = inst.discoveryDocuments(keys); err != nil {
			return nil, err
		}
		cfg.ServiceAccountTokens = tc
		if sa, ok := cfg.Resources.Lookup("", "v1", "serviceaccounts"); ok && !sa.HasSubresource(apiserver.SubToken) {
			sa.Subresources = append(sa.Subresources, apiserver.SubToken)
		}
	}
	inst.log.Info("service account tokens", zap.Strings("issuers", o.Issuers), zap.Strings("audiences", audiences),
		zap.Int("keys", len(keys)), zap.Bool("issuing", o.SigningKeyFile != ""))
	return &serviceaccount.Authenticator{Issuers: o.Issuers, Keys: keys, Audiences: audiences,
		Getter: objectGetter{inst}, Now: o.Now}, nil
}

// discoveryDocuments are the OpenID configuration and JWKS bodies.
func (inst *Instance) discoveryDocuments(keys []serviceaccount.PublicKey) (cfgDoc, jwks []byte, err error) {
	o := inst.opts
	uri := o.ServiceAccount.JWKSURI
	if uri == "" {
		host := o.Identity.AdvertiseAddress
		if host == "" {
			host = o.BindAddress
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		uri = "https://" + net.JoinHostPort(host, strconv.Itoa(o.Port)) + serviceaccount.JWKSPath
	}
	if cfgDoc, err = serviceaccount.OpenIDConfiguration(o.ServiceAccount.Issuers[0], uri, keys); err != nil {
		return nil, nil, err
	}
	if jwks, err = serviceaccount.JWKS(keys); err != nil {
		return nil, nil, err
	}
	return cfgDoc, jwks, nil
}

// objectGetter reads what service account tokens name from the watch
// cache, and from etcd when the cache does not have it (yet): a token
// issued for an object just created authenticates at once.
type objectGetter struct{ inst *Instance }

func getObject[T any](ctx context.Context, g objectGetter, resource, ns, name string) (T, error) {
	var zero T
	res, ok := g.inst.table.Lookup("", "v1", resource)
	if !ok {
		return zero, fmt.Errorf("%s not served", resource)
	}
	st := g.inst.stores.get(res.GroupResource())
	if st == nil {
		return zero, fmt.Errorf("no storage for %s", resource)
	}
	obj, err := st.Get(ctx, res.Key(ns, name), storage.GetOptions{ResourceVersion: "0"})
	if apierrors.IsNotFound(err) {
		obj, err = st.Get(ctx, res.Key(ns, name), storage.GetOptions{})
	}
	if err != nil {
		return zero, err
	}
	t, ok := obj.(T)
	if !ok {
		return zero, fmt.Errorf("stored %s is %T", resource, obj)
	}
	return t, nil
}

func (g objectGetter) GetServiceAccount(ctx context.Context, ns, name string) (*core.ServiceAccount, error) {
	return getObject[*core.ServiceAccount](ctx, g, "serviceaccounts", ns, name)
}

func (g objectGetter) GetPod(ctx context.Context, ns, name string) (*core.Pod, error) {
	return getObject[*core.Pod](ctx, g, "pods", ns, name)
}

func (g objectGetter) GetSecret(ctx context.Context, ns, name string) (*core.Secret, error) {
	return getObject[*core.Secret](ctx, g, "secrets", ns, name)
}

func (g objectGetter) GetNode(ctx context.Context, name string) (*core.Node, error) {
	return getObject[*core.Node](ctx, g, "nodes", "", name)
}
