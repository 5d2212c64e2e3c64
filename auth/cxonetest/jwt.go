package cxonetest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
)

// Signing algorithms of Config.SigningAlg.
const (
	// RS256 is what CXone signs with, and the default.
	RS256 = "RS256"
	// ES256 costs about a thirtieth of RS256's CPU. Benchmarks use it: on a small machine the
	// emulator shares the cores of the client it stands in for, and its RSA signatures (three
	// per token answer) would otherwise be counted against the client.
	ES256 = "ES256"
)

// signJWT makes a JWT (kid "default", as CXone) of claims with the process's key for alg
// (RS256 when empty).
func signJWT(alg string, claims map[string]any) (string, error) {
	if alg == "" {
		alg = RS256
	}
	header, err := json.Marshal(map[string]string{"alg": alg, "typ": "JWT", "kid": "default"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signed))
	var sig []byte
	switch alg {
	case RS256:
		k, err := signingKey()
		if err != nil {
			return "", err
		}
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:]); err != nil {
			return "", err
		}
	case ES256:
		k, err := ecKey()
		if err != nil {
			return "", err
		}
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			return "", err
		}
		// JWS wants R and S as two 32-byte big-endian numbers, not ASN.1.
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	default:
		return "", fmt.Errorf("unknown signing algorithm %q (RS256, ES256)", alg)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// VerifyJWT checks a token signed by the emulator (RS256 or ES256) and returns its claims;
// tests use it to prove the tokens are real JWTs.
func VerifyJWT(token string) (map[string]any, error) {
	rk, err := signingKey()
	if err != nil {
		return nil, err
	}
	ek, err := ecKey()
	if err != nil {
		return nil, err
	}
	return verifyWith(&rk.PublicKey, &ek.PublicKey, token)
}

// The ES256 key, made once per process like the RSA key.
var (
	ecOnce sync.Once
	ecPriv *ecdsa.PrivateKey
	ecErr  error
)

func ecKey() (*ecdsa.PrivateKey, error) {
	ecOnce.Do(func() { ecPriv, ecErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader) })
	return ecPriv, ecErr
}
