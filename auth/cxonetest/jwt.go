package cxonetest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
)

// signJWT makes an RS256 JWT (kid "default", as CXone) of claims with the process's key.
func signJWT(claims map[string]any) (string, error) {
	k, err := signingKey()
	if err != nil {
		return "", err
	}
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "default"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// VerifyJWT checks an RS256 token signed by the emulator and returns its claims; tests use it
// to prove the tokens are real JWTs.
func VerifyJWT(token string) (map[string]any, error) {
	k, err := signingKey()
	if err != nil {
		return nil, err
	}
	return verifyWith(&k.PublicKey, token)
}
