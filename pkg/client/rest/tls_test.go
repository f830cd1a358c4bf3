package rest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testCert is a PEM certificate and key signed by parent (self-signed when nil).
type testCert struct {
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	certPEM  []byte
	keyPEM   []byte
	tlsCerts tls.Certificate
}

func newTestCert(t *testing.T, cn string, parent *testCert, isCA bool, usage x509.ExtKeyUsage) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: isCA, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	kb, _ := x509.MarshalECPrivateKey(key)
	c := &testCert{cert: cert, key: key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})}
	c.tlsCerts, err = tls.X509KeyPair(c.certPEM, c.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTLSClientCertificates(t *testing.T) {
	ca := newTestCert(t, "ca", nil, true, x509.ExtKeyUsageAny)
	server := newTestCert(t, "127.0.0.1", ca, false, x509.ExtKeyUsageServerAuth)
	client := newTestCert(t, "alice", ca, false, x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"user":"`+r.TLS.PeerCertificates[0].Subject.CommonName+`"}`)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{server.tlsCerts}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()

	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		tls  TLSClientConfig
		ok   bool
	}{
		{"cert and key data", TLSClientConfig{CAData: ca.certPEM, CertData: client.certPEM, KeyData: client.keyPEM}, true},
		{"cert and key files", TLSClientConfig{CAFile: write("ca.crt", ca.certPEM), CertFile: write("c.crt", client.certPEM), KeyFile: write("c.key", client.keyPEM)}, true},
		{"no client certificate", TLSClientConfig{CAData: ca.certPEM}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, srv, func(c *Config) { c.TLSClientConfig = tc.tls; c.MaxRetries = -1 })
			var out struct{ User string }
			err := c.Get().AbsPath("whoami").Do(context.Background()).Into(&out)
			if tc.ok && (err != nil || out.User != "alice") {
				t.Fatalf("got %+v %v", out, err)
			}
			if !tc.ok && err == nil {
				t.Fatal("request without a client certificate succeeded")
			}
		})
	}
	if _, err := New(&Config{Host: srv.URL, TLSClientConfig: TLSClientConfig{CertData: client.certPEM, KeyData: ca.keyPEM}}); err == nil {
		t.Fatal("mismatched certificate and key accepted")
	}
}
