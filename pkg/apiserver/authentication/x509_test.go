package authentication

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"reflect"
	"testing"

	"github.com/tinykube/tinykube/pkg/apiserver/authentication/certutil"
)

func TestClientCert(t *testing.T) {
	ca, err := certutil.NewCA("test-ca")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := certutil.NewCA("other-ca")
	alice, _ := certutil.NewClientCert(ca, "alice", []string{"dev", "system:masters"})
	stranger, _ := certutil.NewClientCert(other, "mallory", []string{"system:masters"})
	server, _ := certutil.NewServerCert(ca, "apiserver", []string{"localhost", "127.0.0.1"})
	noCN, _ := certutil.NewClientCert(ca, "", nil)
	pool, err := CertPoolFromPEM(ca.CertPEM())
	if err != nil {
		t.Fatal(err)
	}
	a := NewClientCert(pool)
	tests := []struct {
		name    string
		certs   []*x509.Certificate
		noTLS   bool
		ok      bool
		wantErr bool
	}{
		{name: "plain HTTP", noTLS: true},
		{name: "TLS without certificate"},
		{name: "signed by the CA", certs: []*x509.Certificate{alice.Cert}, ok: true},
		{name: "signed by another CA", certs: []*x509.Certificate{stranger.Cert}, wantErr: true},
		{name: "server certificate is not for clients", certs: []*x509.Certificate{server.Cert}, wantErr: true},
		{name: "no common name", certs: []*x509.Certificate{noCN.Cert}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "/", nil)
			if !tc.noTLS {
				req.TLS = &tls.ConnectionState{PeerCertificates: tc.certs}
			}
			u, ok, err := a.AuthenticateRequest(req)
			if ok != tc.ok || (err != nil) != tc.wantErr {
				t.Fatalf("ok=%v err=%v, want ok=%v err=%v", ok, err, tc.ok, tc.wantErr)
			}
			if ok && (u.Name != "alice" || !reflect.DeepEqual(u.Groups, []string{"dev", "system:masters"})) {
				t.Fatalf("user %+v", u)
			}
		})
	}
	if _, err := CertPoolFromPEM([]byte("not pem")); err == nil {
		t.Error("CertPoolFromPEM accepted garbage")
	}
}
