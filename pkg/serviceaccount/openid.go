package serviceaccount

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"slices"
)

// Paths of ServiceAccountIssuerDiscovery.
const (
	OpenIDConfigPath = "/.well-known/openid-configuration"
	JWKSPath         = "/openid/v1/jwks"
)

// Media types of the two documents, as Kubernetes serves them.
const (
	OpenIDConfigMediaType = "application/json"
	JWKSMediaType         = "application/jwk-set+json"
)

// openIDConfig is the OpenID provider metadata relying parties read.
type openIDConfig struct {
	Issuer        string   `json:"issuer"`
	JWKSURI       string   `json:"jwks_uri"`
	ResponseTypes []string `json:"response_types_supported"`
	SubjectTypes  []string `json:"subject_types_supported"`
	SigningAlgs   []string `json:"id_token_signing_alg_values_supported"`
}

// jwk is one public key of a JWKS.
type jwk struct {
	Use string `json:"use"`
	Kty string `json:"kty"`
	KID string `json:"kid"`
	Crv string `json:"crv,omitempty"`
	Alg string `json:"alg"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

type jwks struct {
	Keys []jwk `json:"keys"`
}

// CheckDiscoveryIssuer reports why the issuer's discovery documents
// cannot be served: as Kubernetes, only an https URL without query or
// fragment can be an OpenID issuer.
func CheckDiscoveryIssuer(iss string) error {
	u, err := url.Parse(iss)
	if err != nil {
		return fmt.Errorf("issuer %q: %w", iss, err)
	}
	if u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("issuer %q is not an https URL without query or fragment", iss)
	}
	return nil
}

// OpenIDConfiguration is the body of /.well-known/openid-configuration.
func OpenIDConfiguration(iss, jwksURI string, keys []PublicKey) ([]byte, error) {
	var algs []string
	for _, k := range keys {
		if alg, err := algorithmOf(k.Key); err == nil && !slices.Contains(algs, alg) {
			algs = append(algs, alg)
		}
	}
	slices.Sort(algs)
	return json.Marshal(openIDConfig{Issuer: iss, JWKSURI: jwksURI, ResponseTypes: []string{"id_token"},
		SubjectTypes: []string{"public"}, SigningAlgs: algs})
}

// JWKS is the body of /openid/v1/jwks: keys as a JSON Web Key Set.
func JWKS(keys []PublicKey) ([]byte, error) {
	set := jwks{Keys: []jwk{}}
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k.KID] {
			continue
		}
		seen[k.KID] = true
		alg, err := algorithmOf(k.Key)
		if err != nil {
			return nil, err
		}
		j := jwk{Use: "sig", KID: k.KID, Alg: alg}
		switch pk := k.Key.(type) {
		case *rsa.PublicKey:
			j.Kty, j.N, j.E = "RSA", b64.EncodeToString(pk.N.Bytes()), b64.EncodeToString(big.NewInt(int64(pk.E)).Bytes())
		case *ecdsa.PublicKey:
			n := (pk.Curve.Params().BitSize + 7) / 8
			x, y := make([]byte, n), make([]byte, n)
			pk.X.FillBytes(x)
			pk.Y.FillBytes(y)
			j.Kty, j.Crv, j.X, j.Y = "EC", pk.Curve.Params().Name, b64.EncodeToString(x), b64.EncodeToString(y)
		}
		set.Keys = append(set.Keys, j)
	}
	return json.Marshal(set)
}
