package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"go.uber.org/zap"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	rbacapi "github.com/tinykube/tinykube/pkg/api/rbac"
	"github.com/tinykube/tinykube/pkg/apiserver"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization"
	"github.com/tinykube/tinykube/pkg/apiserver/authorization/rbac"
	"github.com/tinykube/tinykube/pkg/registry"
	"github.com/tinykube/tinykube/pkg/storage"
)

// Authorization modes of --authorization-mode.
const (
	ModeAlwaysAllow = "AlwaysAllow"
	ModeAlwaysDeny  = "AlwaysDeny"
	ModeRBAC        = "RBAC"
)

// SecurityOptions are the authentication, authorization and request-timeout
// flags of kube-apiserver.
type SecurityOptions struct {
	// TokenAuthFile: CSV token,user,uid,"group1,group2" (--token-auth-file).
	TokenAuthFile string
	// ClientCAFile: CA bundle for client certificates when serving TLS
	// (--client-ca-file); CN is the user, O the groups.
	ClientCAFile string
	// AuthorizationModes in order (--authorization-mode=RBAC or
	// AlwaysAllow). Members of system:masters are always allowed.
	AuthorizationModes []string
	// RequestTimeout bounds non-watch requests (--request-timeout); 0 disables.
	RequestTimeout time.Duration
}

// NewSecurityOptions returns kube-apiserver's defaults.
func NewSecurityOptions() SecurityOptions {
	return SecurityOptions{AuthorizationModes: []string{ModeAlwaysAllow}, RequestTimeout: apiserver.DefaultRequestTimeout}
}

// AddFlags binds the options.
func (o *SecurityOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.TokenAuthFile, "token-auth-file", o.TokenAuthFile,
		"CSV file of bearer tokens (token,user,uid,\"group1,group2\"); when set (or --client-ca-file), requests without valid credentials get 401, except /healthz, /livez, /readyz and /version")
	fs.StringVar(&o.ClientCAFile, "client-ca-file", o.ClientCAFile,
		"CA bundle verifying client certificates (needs --tls-cert-file); the certificate's CommonName is the user, its Organizations the groups")
	fs.StringSliceVar(&o.AuthorizationModes, "authorization-mode", o.AuthorizationModes,
		"ordered list of authorizers: AlwaysAllow, AlwaysDeny, RBAC")
	fs.DurationVar(&o.RequestTimeout, "request-timeout", o.RequestTimeout,
		"longest time a non-watch request may take before it is answered 504 (0 disables); a request finding every in-flight slot taken waits up to a quarter of it before 429")
}

// Validate reports bad modes.
func (o *SecurityOptions) Validate(tls bool) error {
	if len(o.AuthorizationModes) == 0 {
		return errors.New("--authorization-mode needs at least one mode")
	}
	seen := map[string]bool{}
	for _, m := range o.AuthorizationModes {
		switch m {
		case ModeAlwaysAllow, ModeAlwaysDeny, ModeRBAC:
		default:
			return fmt.Errorf("--authorization-mode: unknown mode %q (AlwaysAllow, AlwaysDeny, RBAC)", m)
		}
		if seen[m] {
			return fmt.Errorf("--authorization-mode: %s given twice", m)
		}
		seen[m] = true
	}
	if o.ClientCAFile != "" && !tls {
		return errors.New("--client-ca-file needs --tls-cert-file and --tls-private-key-file")
	}
	if o.RequestTimeout < 0 {
		return errors.New("--request-timeout must not be negative")
	}
	return nil
}

func (o *SecurityOptions) hasMode(mode string) bool {
	for _, m := range o.AuthorizationModes {
		if m == mode {
			return true
		}
	}
	return false
}

// security is what the options built: the pieces handed to the server and
// the RBAC policy cache to run.
type security struct {
	opts       SecurityOptions
	clientCert *authentication.ClientCert
	policy     *rbac.PolicyCache // nil unless RBAC
}

// configureSecurity fills cfg's authenticator, authorizer, write admission,
// request timeout and the "rbac" readiness check.
func (inst *Instance) configureSecurity(cfg *apiserver.Config) error {
	o := inst.opts.Security
	sec := &security{opts: o}
	var authns authentication.Union
	if o.ClientCAFile != "" {
		cc, err := authentication.NewClientCertFromFile(o.ClientCAFile)
		if err != nil {
			return err
		}
		sec.clientCert = cc
		authns = append(authns, cc)
	}
	if o.TokenAuthFile != "" {
		tf, err := authentication.NewTokenFileFromPath(o.TokenAuthFile)
		if err != nil {
			return err
		}
		inst.log.Info("token authentication enabled", zap.String("file", o.TokenAuthFile), zap.Int("tokens", tf.Len()))
		authns = append(authns, tf)
	}
	saAuthn, err := inst.configureServiceAccounts(cfg)
	if err != nil {
		return err
	}
	if saAuthn != nil {
		authns = append(authns, saAuthn)
	}
	if len(authns) > 0 {
		cfg.Authenticator = authns
	}
	chain := authorization.Union{authorization.PrivilegedGroups(user.SystemPrivilegedGroup)}
	for _, m := range o.AuthorizationModes {
		switch m {
		case ModeAlwaysAllow:
			chain = append(chain, authorization.AlwaysAllow)
		case ModeAlwaysDeny:
			chain = append(chain, authorization.AuthorizerFunc(func(context.Context, authorization.Attributes) (authorization.Decision, string, error) {
				return authorization.DecisionDeny, "", nil
			}))
		case ModeRBAC:
			sec.policy = rbac.NewPolicyCache()
			rbacAZ := rbac.New(sec.policy)
			chain = append(chain, rbacAZ)
			esc := &rbac.Escalation{Authorizer: chain, Rules: rbacAZ, RoleRules: inst.storedRoleRules}
			cfg.WriteAdmission = func(ctx context.Context, res *registry.Resource, obj, old meta.Object) error {
				if res.Group != rbacapi.GroupName {
					return nil
				}
				return esc.Admit(ctx, obj, old)
			}
			cfg.ReadyChecks["rbac"] = func(context.Context) error {
				if !sec.policy.HasSynced() {
					return errors.New("RBAC policy cache not synced")
				}
				return nil
			}
		}
	}
	// The escalation checker above holds the chain as built so far; RBAC is
	// always in it, after system:masters and any mode listed before it.
	cfg.Authorizer = chain
	cfg.RequestTimeout = o.RequestTimeout
	if o.RequestTimeout > 0 {
		// As Kubernetes' priority and fairness: a request waits for an
		// in-flight slot for up to a quarter of its timeout.
		cfg.InFlightQueueWait = o.RequestTimeout / 4
	}
	inst.log.Info("authorization", zap.String("modes", strings.Join(o.AuthorizationModes, ",")),
		zap.Bool("authentication", cfg.Authenticator != nil))
	inst.sec = sec
	return nil
}

// configureTLS asks for (but does not require) client certificates signed
// by --client-ca-file.
func (sec *security) configureTLS(c *tls.Config) {
	if sec == nil || sec.clientCert == nil {
		return
	}
	c.ClientCAs = sec.clientCert.Roots()
	c.ClientAuth = tls.VerifyClientCertIfGiven
}

// startPolicyCache runs the RBAC policy cache on the RBAC stores until ctx
// ends.
func (inst *Instance) startPolicyCache(ctx context.Context) error {
	if inst.sec == nil || inst.sec.policy == nil {
		return nil
	}
	sources := map[string]rbac.Source{}
	for _, name := range rbac.Resources {
		r, ok := inst.table.Lookup(rbacapi.GroupName, rbacapi.Version, name)
		if !ok {
			return fmt.Errorf("rbac: resource %s not in the table", name)
		}
		st := inst.stores.get(r.GroupResource())
		if st == nil {
			return fmt.Errorf("rbac: no storage for %s", r.GroupResource())
		}
		sources[name] = rbac.Source{Storage: st, Prefix: r.Prefix("")}
	}
	inst.wg.Add(1)
	go func() {
		defer inst.wg.Done()
		if err := inst.sec.policy.Run(ctx, sources, inst.log.Named("rbac")); err != nil {
			inst.log.Error("rbac policy cache", zap.Error(err))
		}
	}()
	return nil
}

// bootstrapPolicy creates (or completes) the bootstrap roles and bindings
// when RBAC is on.
func (inst *Instance) bootstrapPolicy(ctx context.Context) error {
	if inst.sec == nil || inst.sec.policy == nil {
		return nil
	}
	w := &policyWriter{inst: inst}
	return rbac.EnsureBootstrapPolicy(ctx, w, rbac.BootstrapPolicy())
}

// policyWriter writes bootstrap objects straight to the storage, prepared,
// defaulted and validated as the create handler does.
type policyWriter struct{ inst *Instance }

var errUnchanged = errors.New("unchanged")

// Ensure implements rbac.PolicyWriter.
func (w *policyWriter) Ensure(ctx context.Context, obj meta.Object, reconcile func(meta.Object) meta.Object) error {
	res, ok := w.inst.table.ByKind(rbacapi.GroupName, obj.GetTypeMeta().Kind)
	if !ok {
		return fmt.Errorf("kind %s not served", obj.GetTypeMeta().Kind)
	}
	st := w.inst.stores.get(res.GroupResource())
	if st == nil {
		return fmt.Errorf("no storage for %s", res.GroupResource())
	}
	obj, err := res.PrepareForCreate(res.DeepCopy(obj), time.Now())
	if err != nil {
		return err
	}
	if res.Default != nil {
		res.Default(obj)
	}
	if errs := res.ValidateCreate(obj); len(errs) > 0 {
		return fmt.Errorf("invalid: %w", errs)
	}
	m := obj.GetObjectMeta()
	key := res.Key(m.Namespace, m.Name)
	if _, err := st.Create(ctx, key, obj); err == nil || !apierrors.IsAlreadyExists(err) {
		return err
	}
	_, err = st.GuaranteedUpdate(ctx, key, nil, false, func(cur meta.Object) (meta.Object, error) {
		next := reconcile(cur)
		if next == nil {
			return nil, errUnchanged
		}
		return next, nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// storedRoleRules reads the rules of a role from etcd (a quorum read).
func (inst *Instance) storedRoleRules(ctx context.Context, ref rbacapi.RoleRef, namespace string) ([]rbacapi.PolicyRule, error) {
	resource, ns := rbac.ResourceClusterRoles, ""
	if ref.Kind == "Role" {
		resource, ns = rbac.ResourceRoles, namespace
	}
	r, ok := inst.table.Lookup(rbacapi.GroupName, rbacapi.Version, resource)
	if !ok {
		return nil, fmt.Errorf("rbac: resource %s not in the table", resource)
	}
	st := inst.stores.get(r.GroupResource())
	if st == nil {
		return nil, fmt.Errorf("rbac: no storage for %s", r.GroupResource())
	}
	obj, err := st.Get(ctx, r.Key(ns, ref.Name), storage.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("%s.%s %q not found", strings.ToLower(ref.Kind), rbacapi.GroupName, ref.Name)
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", ref.Kind, ref.Name, err)
	}
	switch o := obj.(type) {
	case *rbacapi.Role:
		return o.Rules, nil
	case *rbacapi.ClusterRole:
		return o.Rules, nil
	}
	return nil, fmt.Errorf("unexpected %T for %s %s", obj, ref.Kind, ref.Name)
}
