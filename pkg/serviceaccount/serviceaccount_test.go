package serviceaccount

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tinykube/tinykube/pkg/api/core"
	apierrors "github.com/tinykube/tinykube/pkg/api/errors"
	"github.com/tinykube/tinykube/pkg/api/meta"
)

var rsaKey = func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}()

func ecKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fakeGetter serves objects from maps keyed "ns/name" (nodes by name).
type fakeGetter struct {
	sas     map[string]*core.ServiceAccount
	pods    map[string]*core.Pod
	secrets map[string]*core.Secret
	nodes   map[string]*core.Node
}

func get[T any](m map[string]*T, resource, key string) (*T, error) {
	if o, ok := m[key]; ok {
		return o, nil
	}
	return nil, apierrors.NewNotFound("", resource, key)
}

func (g *fakeGetter) GetServiceAccount(_ context.Context, ns, name string) (*core.ServiceAccount, error) {
	return get(g.sas, "serviceaccounts", ns+"/"+name)
}
func (g *fakeGetter) GetPod(_ context.Context, ns, name string) (*core.Pod, error) {
	return get(g.pods, "pods", ns+"/"+name)
}
func (g *fakeGetter) GetSecret(_ context.Context, ns, name string) (*core.Secret, error) {
	return get(g.secrets, "secrets", ns+"/"+name)
}
func (g *fakeGetter) GetNode(_ context.Context, name string) (*core.Node, error) {
	return get(g.nodes, "nodes", name)
}

func objMeta(ns, name, uid string) meta.ObjectMeta {
	return meta.ObjectMeta{Namespace: ns, Name: name, UID: uid}
}

const iss = "https://kubernetes.default.svc.cluster.local"

func TestSignAndVerifyEveryAlgorithm(t *testing.T) {
	keys := []struct {
		alg string
		key crypto.Signer
	}{
		{"RS256", rsaKey},
		{"ES256", ecKey(t, elliptic.P256())},
		{"ES384", ecKey(t, elliptic.P384())},
		{"ES512", ecKey(t, elliptic.P521())},
	}
	for _, k := range keys {
		t.Run(k.alg, func(t *testing.T) {
			i, err := NewIssuer(iss, k.key)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := i.GenerateToken(&Claims{Subject: "x"})
			if err != nil {
				t.Fatal(err)
			}
			j, err := parseJWS(tok)
			if err != nil {
				t.Fatal(err)
			}
			if j.header.Alg != k.alg || j.header.KID != i.PublicKey().KID {
				t.Fatalf("header %+v", j.header)
			}
			if err := j.verify([]PublicKey{i.PublicKey()}); err != nil {
				t.Fatalf("verify: %v", err)
			}
			var c Claims
			if err := json.Unmarshal(j.payload, &c); err != nil || c.Issuer != iss || c.Subject != "x" {
				t.Fatalf("claims %+v %v", c, err)
			}
			// Another key of the same kind, a changed payload or signature,
			// a header naming another algorithm: refused.
			other, _ := NewPublicKey(ecKey(t, elliptic.P256()).Public())
			if err := j.verify([]PublicKey{other}); !errors.Is(err, errBadSignature) {
				t.Fatalf("other key: %v", err)
			}
			parts := strings.Split(tok, ".")
			forged := parts[0] + "." + b64.EncodeToString([]byte(`{"iss":"`+iss+`","sub":"y"}`)) + "." + parts[2]
			if j2, _ := parseJWS(forged); j2.verify([]PublicKey{i.PublicKey()}) == nil {
				t.Fatal("forged payload verified")
			}
			none := b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
			if j3, _ := parseJWS(none); j3.verify([]PublicKey{i.PublicKey()}) == nil {
				t.Fatal("alg none verified")
			}
			hs := b64.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + parts[1] + "." + parts[2]
			if j4, _ := parseJWS(hs); j4.verify([]PublicKey{i.PublicKey()}) == nil {
				t.Fatal("HS256 verified")
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecDER, _ := x509.MarshalECPrivateKey(ec)
	pkix, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	enc := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }
	rsaPriv := enc("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey))

	for name, data := range map[string][]byte{"pkcs1": rsaPriv, "sec1": enc("EC PRIVATE KEY", ecDER), "pkcs8": enc("PRIVATE KEY", pkcs8)} {
		if _, err := ParsePrivateKeyPEM(data); err != nil {
			t.Errorf("private %s: %v", name, err)
		}
	}
	if _, err := ParsePrivateKeyPEM(enc("PUBLIC KEY", pkix)); err == nil {
		t.Error("a public key parsed as a private key")
	}
	// A key file may hold public keys and private keys; each counts once.
	bundle := slices.Concat(enc("PUBLIC KEY", pkix), enc("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)),
		enc("EC PRIVATE KEY", ecDER), rsaPriv)
	keys, err := ParsePublicKeysPEM(bundle)
	if err != nil || len(keys) != 4 {
		t.Fatalf("public keys %d, %v", len(keys), err)
	}
	if keys[0].KID != keys[1].KID || keys[0].KID != keys[3].KID || keys[0].KID == keys[2].KID {
		t.Fatalf("key ids %s %s %s %s", keys[0].KID, keys[1].KID, keys[2].KID, keys[3].KID)
	}
	if _, err := ParsePublicKeysPEM([]byte("not pem")); err == nil {
		t.Error("no keys: no error")
	}
	p224 := ecKey(t, elliptic.P224())
	if _, err := NewPublicKey(p224.Public()); err == nil {
		t.Error("P-224 accepted")
	}
}

// world is a namespace ns with service account sa, pod p (running as sa
// on node n1), secret s and node n1.
func world() *fakeGetter {
	return &fakeGetter{
		sas:     map[string]*core.ServiceAccount{"ns/sa": {ObjectMeta: objMeta("ns", "sa", "sa-uid")}},
		pods:    map[string]*core.Pod{"ns/p": {ObjectMeta: objMeta("ns", "p", "pod-uid"), Spec: core.PodSpec{ServiceAccountName: "sa", NodeName: "n1"}}},
		secrets: map[string]*core.Secret{"ns/s": {ObjectMeta: objMeta("ns", "s", "secret-uid")}},
		nodes:   map[string]*core.Node{"n1": {ObjectMeta: objMeta("", "n1", "node-uid")}},
	}
}

func TestClaimsJSON(t *testing.T) {
	g := world()
	now := time.Unix(1700000000, 0)
	c := NewClaims(g.sas["ns/sa"], Bound{Pod: g.pods["ns/p"], Node: g.nodes["n1"]}, []string{"api"}, 3600, now, "jti-1")
	c.Issuer = iss
	b, _ := json.Marshal(c)
	want := `{"aud":["api"],"exp":1700003600,"iat":1700000000,"iss":"` + iss + `","jti":"jti-1",` +
		`"kubernetes.io":{"namespace":"ns","node":{"name":"n1","uid":"node-uid"},"pod":{"name":"p","uid":"pod-uid"},` +
		`"serviceaccount":{"name":"sa","uid":"sa-uid"}},"nbf":1700000000,"sub":"system:serviceaccount:ns:sa"}`
	if string(b) != want {
		t.Fatalf("claims\n%s\nwant\n%s", b, want)
	}
	var back Claims
	if err := json.Unmarshal([]byte(`{"aud":"one","exp":1.5e9}`), &back); err != nil || len(back.Audience) != 1 || back.Expiry != 1500000000 {
		t.Fatalf("aud as a string, exp as a float: %+v %v", back, err)
	}
}

func TestAuthenticate(t *testing.T) {
	issuer, err := NewIssuer(iss, rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewIssuer(iss, ecKey(t, elliptic.P256()))
	elsewhere, _ := NewIssuer("https://elsewhere", rsaKey)
	t0 := time.Unix(1700000000, 0)
	g := world()
	sa := g.sas["ns/sa"]

	type tc struct {
		name    string
		issuer  *Issuer
		bound   func(g *fakeGetter) Bound
		aud     []string
		exp     int64
		at      time.Duration // after issuance
		change  func(g *fakeGetter)
		ok      bool
		ours    bool   // recognised (else: left to other authenticators)
		errText string // part of the error
		extra   map[string][]string
	}
	jtiExtra := []string{"JTI=jti-1"}
	tests := []tc{
		{name: "plain", ok: true, ours: true, extra: map[string][]string{CredentialIDKey: jtiExtra}},
		{name: "pod bound", bound: func(g *fakeGetter) Bound { return Bound{Pod: g.pods["ns/p"], Node: g.nodes["n1"]} }, ok: true, ours: true,
			extra: map[string][]string{CredentialIDKey: jtiExtra, PodNameKey: {"p"}, PodUIDKey: {"pod-uid"}, NodeNameKey: {"n1"}, NodeUIDKey: {"node-uid"}}},
		{name: "secret bound", bound: func(g *fakeGetter) Bound { return Bound{Secret: g.secrets["ns/s"]} }, ok: true, ours: true,
			extra: map[string][]string{CredentialIDKey: jtiExtra}},
		{name: "node bound", bound: func(g *fakeGetter) Bound { return Bound{Node: g.nodes["n1"]} }, ok: true, ours: true,
			extra: map[string][]string{CredentialIDKey: jtiExtra, NodeNameKey: {"n1"}, NodeUIDKey: {"node-uid"}}},
		{name: "within the leeway after exp", at: 3600*time.Second + 59*time.Second, ok: true, ours: true, extra: map[string][]string{CredentialIDKey: jtiExtra}},
		{name: "expired", at: 3600*time.Second + 61*time.Second, ours: true, errText: "service account token has expired"},
		{name: "not valid yet", at: -2 * time.Minute, ours: true, errText: "not valid yet"},
		{name: "other audience", aud: []string{"vault"}, ours: true, errText: `token audiences ["vault"] is invalid for the target audiences ["api"]`},
		{name: "one of the audiences", aud: []string{"vault", "api"}, ok: true, ours: true, extra: map[string][]string{CredentialIDKey: jtiExtra}},
		{name: "unknown key", issuer: other, ours: true, errText: "invalid signature"},
		{name: "other issuer", issuer: elsewhere},
		{name: "service account deleted", change: func(g *fakeGetter) { delete(g.sas, "ns/sa") }, ours: true, errText: "not found"},
		{name: "service account recreated", change: func(g *fakeGetter) { g.sas["ns/sa"] = &core.ServiceAccount{ObjectMeta: objMeta("ns", "sa", "new")} },
			ours: true, errText: "service account UID (new) does not match claim (sa-uid)"},
		{name: "service account being deleted for long", ours: true, errText: "has been deleted", change: func(g *fakeGetter) {
			s := *g.sas["ns/sa"]
			s.DeletionTimestamp = &meta.Time{Time: t0.Add(-time.Hour)}
			g.sas["ns/sa"] = &s
		}},
		{name: "pod deleted", bound: func(g *fakeGetter) Bound { return Bound{Pod: g.pods["ns/p"]} },
			change: func(g *fakeGetter) { delete(g.pods, "ns/p") }, ours: true, errText: "service account token has been invalidated"},
		{name: "pod recreated", bound: func(g *fakeGetter) Bound { return Bound{Pod: g.pods["ns/p"]} }, ours: true,
			change:  func(g *fakeGetter) { g.pods["ns/p"] = &core.Pod{ObjectMeta: objMeta("ns", "p", "p2")} },
			errText: "pod UID (p2) does not match service account pod ref claim (pod-uid)"},
		{name: "secret deleted", bound: func(g *fakeGetter) Bound { return Bound{Secret: g.secrets["ns/s"]} },
			change: func(g *fakeGetter) { delete(g.secrets, "ns/s") }, ours: true, errText: "invalidated"},
		{name: "node deleted", bound: func(g *fakeGetter) Bound { return Bound{Node: g.nodes["n1"]} },
			change: func(g *fakeGetter) { delete(g.nodes, "n1") }, ours: true, errText: "invalidated"},
		{name: "pod bound, its node gone: still valid", bound: func(g *fakeGetter) Bound { return Bound{Pod: g.pods["ns/p"], Node: g.nodes["n1"]} },
			change: func(g *fakeGetter) { delete(g.nodes, "n1") }, ok: true, ours: true,
			extra: map[string][]string{CredentialIDKey: jtiExtra, PodNameKey: {"p"}, PodUIDKey: {"pod-uid"}, NodeNameKey: {"n1"}, NodeUIDKey: {"node-uid"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := world()
			var b Bound
			if tc.bound != nil {
				b = tc.bound(g)
			}
			aud := tc.aud
			if aud == nil {
				aud = []string{"api"}
			}
			is := issuer
			if tc.issuer != nil {
				is = tc.issuer
			}
			tok, err := is.GenerateToken(NewClaims(sa, b, aud, 3600, t0, "jti-1"))
			if err != nil {
				t.Fatal(err)
			}
			if tc.change != nil {
				tc.change(g)
			}
			a := &Authenticator{Issuers: []string{iss}, Keys: []PublicKey{issuer.PublicKey()}, Audiences: []string{"api"}, Getter: g,
				Now: func() time.Time { return t0.Add(tc.at) }}
			u, ok, err := a.AuthenticateToken(context.Background(), tok)
			if ok != tc.ok || (err != nil) != (tc.ours && !tc.ok) {
				t.Fatalf("ok %v err %v, want ok %v ours %v", ok, err, tc.ok, tc.ours)
			}
			if err != nil && (!errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tc.errText)) {
				t.Fatalf("error %q, want one with %q", err, tc.errText)
			}
			if !ok {
				return
			}
			want := []string{"system:serviceaccounts", "system:serviceaccounts:ns"}
			if u.Name != "system:serviceaccount:ns:sa" || u.UID != "sa-uid" || !slices.Equal(u.Groups, want) {
				t.Fatalf("user %+v", u)
			}
			if len(u.Extra) != len(tc.extra) {
				t.Fatalf("extra %v, want %v", u.Extra, tc.extra)
			}
			for k, v := range tc.extra {
				if !slices.Equal(u.Extra[k], v) {
					t.Fatalf("extra %v, want %v", u.Extra, tc.extra)
				}
			}
		})
	}
	// Not a JWT: not ours.
	a := &Authenticator{Issuers: []string{iss}, Keys: []PublicKey{issuer.PublicKey()}, Getter: g}
	if _, ok, err := a.AuthenticateToken(context.Background(), "admin-token"); ok || err != nil {
		t.Fatalf("opaque token: %v %v", ok, err)
	}
}

func TestDiscoveryDocuments(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	rk, _ := NewPublicKey(&rsaKey.PublicKey)
	ek, _ := NewPublicKey(ec.Public())
	cfg, err := OpenIDConfiguration(iss, "https://10.0.0.1:6443/openid/v1/jwks", []PublicKey{rk, ek, rk})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"issuer":"` + iss + `","jwks_uri":"https://10.0.0.1:6443/openid/v1/jwks","response_types_supported":["id_token"],` +
		`"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["ES256","RS256"]}`
	if string(cfg) != want {
		t.Fatalf("openid configuration\n%s\nwant\n%s", cfg, want)
	}
	set, err := JWKS([]PublicKey{rk, ek, rk})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(set, &got); err != nil || len(got.Keys) != 2 {
		t.Fatalf("jwks %s: %v", set, err)
	}
	if k := got.Keys[0]; k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["e"] != "AQAB" || k["kid"] != rk.KID || k["n"] == "" {
		t.Fatalf("rsa jwk %v", k)
	}
	if k := got.Keys[1]; k["kty"] != "EC" || k["crv"] != "P-256" || k["alg"] != "ES256" || len(k["x"]) != 43 || len(k["y"]) != 43 {
		t.Fatalf("ec jwk %v", k)
	}
	for _, bad := range []string{"http://x", "https://x?a=b", "https://x#f", "kubernetes/serviceaccount"} {
		if CheckDiscoveryIssuer(bad) == nil {
			t.Errorf("issuer %q accepted for discovery", bad)
		}
	}
	if err := CheckDiscoveryIssuer(iss); err != nil {
		t.Error(err)
	}
}
