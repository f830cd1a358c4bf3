package security

import (
	"context"
	"crypto/x509"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
	"github.com/tinykube/tinykube/pkg/apiserver/app"
	"github.com/tinykube/tinykube/pkg/apiserver/authentication/certutil"
	"github.com/tinykube/tinykube/pkg/client/clientset"
	"github.com/tinykube/tinykube/pkg/client/rest"
	"github.com/tinykube/tinykube/test/integration/framework"
)

// TestTLSRoundTrip: the apiserver serves HTTPS with a certificate of a
// generated CA; clients verify it with the CA (as a kubeconfig's
// certificate-authority), and authenticate with a client certificate of
// that CA (CN user, O groups) or a bearer token.
func TestTLSRoundTrip(t *testing.T) {
	dir := t.TempDir()
	ca, err := certutil.NewCA("tinykube-ca")
	if err != nil {
		t.Fatal(err)
	}
	serving, err := certutil.NewServerCert(ca, "apiserver", []string{"localhost", "127.0.0.1", "apiserver"})
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile, caFile := filepath.Join(dir, "apiserver.crt"), filepath.Join(dir, "apiserver.key"), filepath.Join(dir, "ca.crt")
	if err := serving.WriteFiles(certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	if err := ca.WriteFiles(caFile, filepath.Join(dir, "ca.key")); err != nil {
		t.Fatal(err)
	}
	c := startRBAC(t, framework.WithOptions(func(o *app.Options) {
		o.TLSCertFile, o.TLSPrivateKeyFile, o.Security.ClientCAFile = certFile, keyFile, caFile
	}))
	if !strings.HasPrefix(c.srv.URL, "https://") {
		t.Fatalf("URL %s", c.srv.URL)
	}
	admin, _ := certutil.NewClientCert(ca, "carol", []string{"system:masters"})
	nobody, _ := certutil.NewClientCert(ca, "dave", nil)
	otherCA, _ := certutil.NewCA("other")
	forged, _ := certutil.NewClientCert(otherCA, "mallory", []string{"system:masters"})
	keyPEM := func(kp *certutil.KeyPair) []byte {
		b, err := kp.KeyPEM()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	newClient := func(tc rest.TLSClientConfig, token string) *clientset.Clientset {
		cs, err := clientset.NewForConfig(&rest.Config{Host: c.srv.URL, TLSClientConfig: tc, BearerToken: token,
			Timeout: 10 * time.Second, MaxRetries: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cs.RESTClient().CloseIdleConnections)
		return cs
	}
	list := func(cs *clientset.Clientset) error {
		_, err := cs.CoreV1().Namespaces().List(context.Background(), meta.ListOptions{})
		return err
	}
	tests := []struct {
		name  string
		tc    rest.TLSClientConfig
		token string
		check func(error) bool
	}{
		{"client certificate in system:masters", rest.TLSClientConfig{CAFile: caFile, CertData: admin.CertPEM(), KeyData: keyPEM(admin)}, "",
			func(err error) bool { return err == nil }},
		{"client certificate without rights", rest.TLSClientConfig{CAData: ca.CertPEM(), CertData: nobody.CertPEM(), KeyData: keyPEM(nobody)}, "",
			apierrors.IsForbidden},
		{"bearer token over TLS", rest.TLSClientConfig{CAFile: caFile}, "admin-token", func(err error) bool { return err == nil }},
		{"no credentials", rest.TLSClientConfig{CAFile: caFile}, "", apierrors.IsUnauthorized},
		{"server not verified without the CA", rest.TLSClientConfig{}, "admin-token",
			func(err error) bool { return err != nil && strings.Contains(err.Error(), "certificate") }},
		{"certificate of another CA", rest.TLSClientConfig{CAFile: caFile, CertData: forged.CertPEM(), KeyData: keyPEM(forged)}, "",
			func(err error) bool { return err != nil && !apierrors.IsForbidden(err) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := list(newClient(tc.tc, tc.token)); !tc.check(err) {
				t.Fatalf("unexpected result: %v", err)
			}
		})
	}
	// Plain HTTP to the TLS port is refused.
	code, _ := plainHTTP(t, strings.Replace(c.srv.URL, "https://", "http://", 1)+"/healthz")
	if code != http.StatusBadRequest {
		t.Fatalf("plain HTTP: code %d", code)
	}
	// The serving certificate names every host of the compose cluster.
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	for _, host := range []string{"localhost", "127.0.0.1", "apiserver"} {
		if err := serving.Cert.VerifyHostname(host); err != nil {
			t.Errorf("SAN %s: %v", host, err)
		}
	}
	if _, err := serving.Cert.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
		t.Errorf("serving certificate does not chain to the CA: %v", err)
	}
}

func plainHTTP(t *testing.T, url string) (int, error) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
