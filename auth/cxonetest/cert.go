package cxonetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http/httptest"
	"time"
)

// certLifetime is how long a TLS server's certificate is valid: longer than any run of the
// emulator, short enough that a copy left trusted somewhere soon stops mattering.
const certLifetime = 7 * 24 * time.Hour

// newLeafCert makes the certificate a TLS server presents: a fresh P-256 key for every
// server, and a self-signed LEAF certificate (not a CA: it cannot sign other certificates)
// for 127.0.0.1, ::1 and localhost only. httptest's own certificate is a CA whose private key
// is published in Go's sources: whoever trusts it trusts anything anyone signs with it, for
// any host. Trusting this one admits only this server's key, only on loopback names.
func newLeafCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate serial: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "cxone-emulator (loopback only)"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// StartTLS starts ts with a fresh leaf certificate (newLeafCert) instead of httptest's, whose
// key is public and which is a CA: the emulators' https (this one's and cyclrtest's).
func StartTLS(ts *httptest.Server) {
	cert, err := newLeafCert()
	if err != nil {
		panic("cxonetest: " + err.Error()) // only when the system's random source fails
	}
	if ts.TLS == nil {
		ts.TLS = &tls.Config{}
	}
	ts.TLS.Certificates = []tls.Certificate{cert}
	ts.StartTLS()
}
