// Package rest is the HTTP client every tinykube component uses to reach the
// apiserver: one keep-alive transport per Client, bearer-token and TLS
// authentication, a client-side QPS/burst limiter, retries with back-off on
// 429 and connection errors, Status bodies decoded into *errors.StatusError,
// a request builder, and watch and log streams.
package rest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults, higher than client-go's 5/10 because tinykube's daemons run
// hundreds of simulated nodes through one client.
const (
	DefaultQPS        float32 = 50
	DefaultBurst              = 100
	DefaultMaxRetries         = 10
	DefaultUserAgent          = "tinykube"
)

// Config says how to reach and authenticate to the apiserver.
type Config struct {
	// Host is the apiserver URL ("https://10.0.0.1:6443"); without a scheme
	// it is https when TLS material is set and http otherwise.
	Host string
	// BearerToken is sent as "Authorization: Bearer ..."; BearerTokenFile,
	// when set and BearerToken is empty, is read once by New.
	BearerToken     string
	BearerTokenFile string
	TLSClientConfig TLSClientConfig
	UserAgent       string
	// Timeout bounds each non-streaming request, retries included (0: none).
	// Watches and Stream are not bounded by it.
	Timeout time.Duration
	// QPS and Burst size the client-side token bucket: 0 takes the defaults,
	// a negative QPS disables rate limiting.
	QPS   float32
	Burst int
	// MaxRetries bounds retries of one request (429/503 with Retry-After and
	// connection errors). 0 takes DefaultMaxRetries; negative disables.
	MaxRetries int
	// Backoff is the first retry delay when the server gives no Retry-After;
	// it doubles per retry up to MaxBackoff (defaults 100ms and 5s).
	Backoff, MaxBackoff time.Duration
	// Transport replaces the built transport (tests, instrumentation).
	Transport http.RoundTripper
}

// TLSClientConfig is the TLS material of a Config. Data fields win over files.
type TLSClientConfig struct {
	Insecure   bool // skip server certificate verification
	ServerName string
	CAFile     string
	CAData     []byte
	CertFile   string
	CertData   []byte
	KeyFile    string
	KeyData    []byte
}

func (t TLSClientConfig) hasCA() bool   { return t.CAFile != "" || len(t.CAData) > 0 }
func (t TLSClientConfig) hasCert() bool { return t.CertFile != "" || len(t.CertData) > 0 }

// isSet reports whether any TLS setting is present.
func (t TLSClientConfig) isSet() bool {
	return t.Insecure || t.hasCA() || t.hasCert() || t.ServerName != ""
}

// baseURL parses Host with the default scheme.
func (c *Config) baseURL() (*url.URL, error) {
	host := c.Host
	if host == "" {
		return nil, fmt.Errorf("rest config: host is empty")
	}
	if !strings.Contains(host, "://") {
		scheme := "http://"
		if c.TLSClientConfig.isSet() {
			scheme = "https://"
		}
		host = scheme + host
	}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("rest config: parse host %q: %w", c.Host, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("rest config: host %q: scheme must be http or https", c.Host)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// token returns the bearer token, reading BearerTokenFile if needed.
func (c *Config) token() (string, error) {
	if c.BearerToken != "" || c.BearerTokenFile == "" {
		return c.BearerToken, nil
	}
	b, err := os.ReadFile(c.BearerTokenFile)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// buildTLS turns the TLS settings into a *tls.Config, or nil when unset.
func (t TLSClientConfig) buildTLS() (*tls.Config, error) {
	if !t.isSet() {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.Insecure, ServerName: t.ServerName} //nolint:gosec // user-requested
	if t.hasCA() {
		ca, err := readData(t.CAData, t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("certificate authority: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("certificate authority: no PEM certificates found")
		}
		cfg.RootCAs = pool
	}
	if t.hasCert() {
		cert, err := readData(t.CertData, t.CertFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		key, err := readData(t.KeyData, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client key: %w", err)
		}
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("client certificate/key pair: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

func readData(data []byte, file string) ([]byte, error) {
	if len(data) > 0 {
		return data, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	return b, nil
}

// newTransport builds the keep-alive transport of one Client, sized for
// many concurrent requests and long-lived watches to a single host.
func newTransport(tlsCfg *tls.Config) *http.Transport {
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     tlsCfg != nil,
	}
}

// CopyConfig returns a deep-enough copy to change fields without aliasing.
func CopyConfig(c *Config) *Config {
	out := *c
	t := &out.TLSClientConfig
	t.CAData = append([]byte(nil), t.CAData...)
	t.CertData = append([]byte(nil), t.CertData...)
	t.KeyData = append([]byte(nil), t.KeyData...)
	return &out
}

// TLSConfig is the *tls.Config a Client's transport uses (nil when no TLS
// setting is present), for connections made outside it (WebSocket streams).
func (t TLSClientConfig) TLSConfig() (*tls.Config, error) { return t.buildTLS() }

// Token is the bearer token, read from BearerTokenFile when needed.
func (c *Config) Token() (string, error) { return c.token() }
