package authentication

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/tinykube/tinykube/pkg/apiserver/authentication/user"
)

// ClientCert authenticates TLS client certificates signed by a CA: the
// subject's CommonName is the user, its Organizations the groups.
type ClientCert struct {
	roots *x509.CertPool
}

// NewClientCertFromFile reads a PEM bundle of CA certificates.
func NewClientCertFromFile(path string) (*ClientCert, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("client CA file: %w", err)
	}
	pool, err := CertPoolFromPEM(b)
	if err != nil {
		return nil, fmt.Errorf("client CA file %s: %w", path, err)
	}
	return &ClientCert{roots: pool}, nil
}

// NewClientCert uses the given roots.
func NewClientCert(roots *x509.CertPool) *ClientCert { return &ClientCert{roots: roots} }

// Roots is the CA pool (for the TLS server's ClientCAs).
func (c *ClientCert) Roots() *x509.CertPool { return c.roots }

// CertPoolFromPEM parses every CERTIFICATE block of b; it fails when there
// is none.
func CertPoolFromPEM(b []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	n := 0
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate: %w", err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, errors.New("no certificate found")
	}
	return pool, nil
}

// AuthenticateRequest implements Request.
func (c *ClientCert) AuthenticateRequest(req *http.Request) (*user.Info, bool, error) {
	if req.TLS == nil || len(req.TLS.PeerCertificates) == 0 {
		return nil, false, nil
	}
	leaf := req.TLS.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, ic := range req.TLS.PeerCertificates[1:] {
		inter.AddCert(ic)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: c.roots, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return nil, false, fmt.Errorf("verify client certificate: %w", err)
	}
	if leaf.Subject.CommonName == "" {
		return nil, false, errors.New("client certificate has no common name")
	}
	return &user.Info{Name: leaf.Subject.CommonName,
		Groups: append([]string(nil), leaf.Subject.Organization...)}, true, nil
}
