package serviceaccount

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // SHA-256 for RS256 and ES256
	_ "crypto/sha512" // SHA-384 and SHA-512 for ES384 and ES512
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// header is a JWS protected header as Kubernetes writes it.
type header struct {
	Alg string `json:"alg"`
	KID string `json:"kid,omitempty"`
}

// Errors of token parsing and verification. A token that is not a compact
// JWS at all is not a service account token (the other authenticators may
// know it); one with a bad signature is invalid.
var (
	errNotJWT       = errors.New("not a compact JWS")
	errBadSignature = errors.New("invalid signature")
)

var b64 = base64.RawURLEncoding

// hashOf is the digest of each algorithm.
func hashOf(alg string) (crypto.Hash, bool) {
	switch alg {
	case "RS256", "ES256":
		return crypto.SHA256, true
	case "ES384":
		return crypto.SHA384, true
	case "ES512":
		return crypto.SHA512, true
	}
	return 0, false
}

// sign returns the compact JWS of payload signed by key with the key's
// algorithm and kid.
func sign(key crypto.Signer, kid string, payload []byte) (string, error) {
	alg, err := algorithmOf(key.Public())
	if err != nil {
		return "", err
	}
	h, err := json.Marshal(header{Alg: alg, KID: kid})
	if err != nil {
		return "", fmt.Errorf("jws header: %w", err)
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(payload)
	hash, _ := hashOf(alg)
	d := hash.New()
	d.Write([]byte(input))
	digest := d.Sum(nil)
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(rand.Reader, k, hash, digest)
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		if r, s, err = ecdsa.Sign(rand.Reader, k, digest); err == nil {
			// JWS wants r and s as two fixed-size big-endian halves.
			n := (k.Curve.Params().BitSize + 7) / 8
			sig = make([]byte, 2*n)
			r.FillBytes(sig[:n])
			s.FillBytes(sig[n:])
		}
	default:
		err = fmt.Errorf("unsupported signing key %T", key)
	}
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// jws is a parsed, not yet verified compact JWS.
type jws struct {
	header  header
	input   string // the signing input: header.payload as sent
	payload []byte
	sig     []byte
}

// parseJWS splits and decodes a compact JWS.
func parseJWS(token string) (*jws, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errNotJWT
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, errNotJWT
	}
	var h header
	if err := json.Unmarshal(hb, &h); err != nil {
		return nil, errNotJWT
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, errNotJWT
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, errNotJWT
	}
	return &jws{header: h, input: parts[0] + "." + parts[1], payload: payload, sig: sig}, nil
}

// verify checks the signature with each key of the header's algorithm
// (those whose kid matches first) and reports whether one verified it.
func (t *jws) verify(keys []PublicKey) error {
	hash, ok := hashOf(t.header.Alg)
	if !ok {
		return fmt.Errorf("unsupported signing algorithm %q", t.header.Alg)
	}
	d := hash.New()
	d.Write([]byte(t.input))
	digest := d.Sum(nil)
	try := func(k PublicKey) bool {
		if alg, err := algorithmOf(k.Key); err != nil || alg != t.header.Alg {
			return false
		}
		switch pk := k.Key.(type) {
		case *rsa.PublicKey:
			return rsa.VerifyPKCS1v15(pk, hash, digest, t.sig) == nil
		case *ecdsa.PublicKey:
			n := (pk.Curve.Params().BitSize + 7) / 8
			if len(t.sig) != 2*n {
				return false
			}
			r, s := new(big.Int).SetBytes(t.sig[:n]), new(big.Int).SetBytes(t.sig[n:])
			return ecdsa.Verify(pk, digest, r, s)
		}
		return false
	}
	for _, k := range keys {
		if t.header.KID != "" && k.KID == t.header.KID && try(k) {
			return nil
		}
	}
	for _, k := range keys {
		if (t.header.KID == "" || k.KID != t.header.KID) && try(k) {
			return nil
		}
	}
	return errBadSignature
}
