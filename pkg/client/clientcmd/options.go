package clientcmd

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/tinykube/tinykube/pkg/client/rest"
)

// EnvKubeconfig is the environment variable holding a list of kubeconfigs.
const EnvKubeconfig = "KUBECONFIG"

// ClientOptions are the flags every component uses to reach the apiserver.
// Explicit flags win over the kubeconfig.
type ClientOptions struct {
	Kubeconfig            string
	Server                string
	Token                 string
	Context               string
	Namespace             string
	CertificateAuthority  string
	InsecureSkipTLSVerify bool
	QPS                   float32
	Burst                 int
	Timeout               time.Duration
	UserAgent             string
}

// NewClientOptions returns the defaults (QPS and burst of package rest).
func NewClientOptions() *ClientOptions {
	return &ClientOptions{QPS: rest.DefaultQPS, Burst: rest.DefaultBurst}
}

// AddFlags registers the client flags shared by all binaries: --kubeconfig,
// --server (-s), --token, --context, --certificate-authority,
// --insecure-skip-tls-verify, --kube-api-qps, --kube-api-burst and
// --request-timeout.
func (o *ClientOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "path to a kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
	fs.StringVarP(&o.Server, "server", "s", o.Server, "the address of the apiserver (overrides the kubeconfig)")
	fs.StringVar(&o.Token, "token", o.Token, "bearer token for the apiserver (overrides the kubeconfig)")
	fs.StringVar(&o.Context, "context", o.Context, "the kubeconfig context to use")
	fs.StringVar(&o.CertificateAuthority, "certificate-authority", o.CertificateAuthority, "path to a CA file to verify the apiserver")
	fs.BoolVar(&o.InsecureSkipTLSVerify, "insecure-skip-tls-verify", o.InsecureSkipTLSVerify, "do not verify the apiserver's certificate")
	fs.Float32Var(&o.QPS, "kube-api-qps", o.QPS, "client-side QPS limit to the apiserver (negative: none)")
	fs.IntVar(&o.Burst, "kube-api-burst", o.Burst, "client-side burst to the apiserver")
	fs.DurationVar(&o.Timeout, "request-timeout", o.Timeout, "timeout of a single request (0: none; watches are not bounded)")
}

// AddNamespaceFlag registers --namespace/-n (for ctl).
func (o *ClientOptions) AddNamespaceFlag(fs *pflag.FlagSet) {
	fs.StringVarP(&o.Namespace, "namespace", "n", o.Namespace, "the namespace of the request (default: the context's, then \"default\")")
}

// kubeconfigPaths lists the files to load: --kubeconfig alone when set,
// else $KUBECONFIG's list, else ~/.kube/config.
func (o *ClientOptions) kubeconfigPaths() (paths []string, explicit bool) {
	if o.Kubeconfig != "" {
		return []string{o.Kubeconfig}, true
	}
	if env := os.Getenv(EnvKubeconfig); env != "" {
		return filepath.SplitList(env), false
	}
	if home := RecommendedHomeFile(); home != "" {
		return []string{home}, false
	}
	return nil, false
}

// RawConfig loads the kubeconfig the flags and environment point at. An
// explicit --kubeconfig that does not exist is an error; missing files of
// KUBECONFIG or the home default are not.
func (o *ClientOptions) RawConfig() (*Config, error) {
	paths, explicit := o.kubeconfigPaths()
	if explicit {
		c, err := LoadFile(paths[0])
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return LoadMerged(paths)
}

// RESTConfig builds the rest.Config: the selected context's cluster and
// user, with --server, --token and the TLS flags overriding them.
func (o *ClientOptions) RESTConfig() (*rest.Config, error) {
	raw, err := o.RawConfig()
	if err != nil {
		return nil, err
	}
	return o.restConfigFrom(raw)
}

// DefaultNamespace is --namespace, else the context's namespace, else "default".
func (o *ClientOptions) DefaultNamespace() (string, error) {
	if o.Namespace != "" {
		return o.Namespace, nil
	}
	raw, err := o.RawConfig()
	if err != nil {
		return "", err
	}
	if ctx := raw.Context(o.contextName(raw)); ctx != nil && ctx.Namespace != "" {
		return ctx.Namespace, nil
	}
	return "default", nil
}

func (o *ClientOptions) contextName(raw *Config) string {
	if o.Context != "" {
		return o.Context
	}
	return raw.CurrentContext
}

func (o *ClientOptions) restConfigFrom(raw *Config) (*rest.Config, error) {
	cfg := &rest.Config{QPS: o.QPS, Burst: o.Burst, Timeout: o.Timeout, UserAgent: o.UserAgent}
	name := o.contextName(raw)
	if name != "" {
		ctx := raw.Context(name)
		if ctx == nil {
			return nil, fmt.Errorf("kubeconfig: context %q not found", name)
		}
		if err := applyContext(cfg, raw, ctx); err != nil {
			return nil, fmt.Errorf("kubeconfig context %q: %w", name, err)
		}
	}
	if o.Server != "" {
		cfg.Host = o.Server
	}
	if o.Token != "" {
		cfg.BearerToken, cfg.BearerTokenFile = o.Token, ""
	}
	if o.CertificateAuthority != "" {
		cfg.TLSClientConfig.CAFile, cfg.TLSClientConfig.CAData = o.CertificateAuthority, nil
	}
	if o.InsecureSkipTLSVerify {
		cfg.TLSClientConfig.Insecure = true
		cfg.TLSClientConfig.CAFile, cfg.TLSClientConfig.CAData = "", nil
	}
	if cfg.Host == "" {
		return nil, fmt.Errorf("no apiserver address: set --server or a kubeconfig with a current context")
	}
	return cfg, nil
}

// applyContext copies the context's cluster and user into cfg.
func applyContext(cfg *rest.Config, raw *Config, ctx *Context) error {
	cl := raw.Cluster(ctx.Cluster)
	if cl == nil {
		return fmt.Errorf("cluster %q not found", ctx.Cluster)
	}
	cfg.Host = cl.Server
	cfg.TLSClientConfig = rest.TLSClientConfig{
		Insecure:   cl.InsecureSkipTLSVerify,
		ServerName: cl.TLSServerName,
		CAFile:     cl.CertificateAuthority,
		CAData:     cl.CertificateAuthorityData,
	}
	if ctx.AuthInfo == "" {
		return nil
	}
	u := raw.AuthInfo(ctx.AuthInfo)
	if u == nil {
		return fmt.Errorf("user %q not found", ctx.AuthInfo)
	}
	cfg.BearerToken = u.Token
	cfg.BearerTokenFile = u.TokenFile
	if cfg.BearerTokenFile == "" {
		cfg.BearerTokenFile = u.TokenFileDashed
	}
	t := &cfg.TLSClientConfig
	t.CertFile, t.CertData = u.ClientCertificate, u.ClientCertificateData
	t.KeyFile, t.KeyData = u.ClientKey, u.ClientKeyData
	return nil
}
