// Package serviceaccount issues and checks service account tokens as
// kube-apiserver does: JWTs signed with --service-account-signing-key-file
// (RS256 for RSA keys, ES256/384/512 for ECDSA keys), carrying the
// kubernetes.io claim (namespace, service account, bound pod, secret or
// node), verified with the --service-account-key-file keys; and the
// OpenID discovery documents that publish those keys.
//
// The JWS code is the standard library's: compact serialization with one
// signature is all Kubernetes issues, so a JOSE library would add a
// dependency for two algorithms families and a base64 layout.
package serviceaccount

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// PublicKey is a key tokens are verified with, and its key ID (the kid
// header of the tokens it signed).
type PublicKey struct {
	Key crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey
	KID string
}

// ReadPrivateKeyFile reads the PEM RSA or ECDSA private key of
// --service-account-signing-key-file.
func ReadPrivateKeyFile(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("service account signing key: %w", err)
	}
	key, err := ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("service account signing key %s: %w", path, err)
	}
	return key, nil
}

// ParsePrivateKeyPEM returns the first RSA or ECDSA private key of data
// (PKCS#1 "RSA PRIVATE KEY", SEC 1 "EC PRIVATE KEY" or PKCS#8
// "PRIVATE KEY").
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no RSA or ECDSA private key in PEM data")
		}
		key, err := parsePrivateBlock(block)
		if err != nil {
			return nil, err
		}
		if key != nil {
			return key, nil
		}
	}
}

// parsePrivateBlock returns nil, nil for a block that is not a private key.
func parsePrivateBlock(block *pem.Block) (crypto.Signer, error) {
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", block.Type, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		if _, err := algorithmOf(&k.PublicKey); err != nil {
			return nil, err
		}
		return k, nil
	}
	return nil, fmt.Errorf("%s: unsupported key type %T (RSA or ECDSA only)", block.Type, key)
}

// ReadPublicKeysFile reads the keys of one --service-account-key-file:
// every public key, certificate or private key (its public part) in it.
func ReadPublicKeysFile(path string) ([]PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("service account key file: %w", err)
	}
	keys, err := ParsePublicKeysPEM(data)
	if err != nil {
		return nil, fmt.Errorf("service account key file %s: %w", path, err)
	}
	return keys, nil
}

// ParsePublicKeysPEM returns the RSA and ECDSA public keys of data:
// "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS#1), "CERTIFICATE", and the
// public part of private keys.
func ParsePublicKeysPEM(data []byte) ([]PublicKey, error) {
	var out []PublicKey
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		var key any
		var err error
		switch block.Type {
		case "PUBLIC KEY":
			key, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			key, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				key = cert.PublicKey
			}
		default:
			var signer crypto.Signer
			if signer, err = parsePrivateBlock(block); signer == nil && err == nil {
				continue // not a key
			}
			if signer != nil {
				key = signer.Public()
			}
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", block.Type, err)
		}
		pk, err := NewPublicKey(key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", block.Type, err)
		}
		out = append(out, pk)
	}
	if len(out) == 0 {
		return nil, errors.New("no RSA or ECDSA public key in PEM data")
	}
	return out, nil
}

// NewPublicKey checks that key is an RSA or a supported ECDSA key and
// computes its key ID.
func NewPublicKey(key crypto.PublicKey) (PublicKey, error) {
	if _, err := algorithmOf(key); err != nil {
		return PublicKey{}, err
	}
	kid, err := KeyID(key)
	if err != nil {
		return PublicKey{}, err
	}
	return PublicKey{Key: key, KID: kid}, nil
}

// KeyID is Kubernetes' key ID of a public key: the unpadded base64url of
// the SHA-256 of its PKIX DER encoding, so that every apiserver holding
// the same key names it alike.
func KeyID(key crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", fmt.Errorf("key id: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// algorithmOf is the JWS algorithm a key signs with.
func algorithmOf(key crypto.PublicKey) (string, error) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return "RS256", nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
		return "", fmt.Errorf("unsupported ECDSA curve %s", k.Curve.Params().Name)
	}
	return "", fmt.Errorf("unsupported key type %T (RSA or ECDSA only)", key)
}
