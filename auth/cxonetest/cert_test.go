package cxonetest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEmulatorCertificateIsALoopbackLeaf is the attack on trusting the emulator's certificate:
// someone who trusts it (CXONE_CA_FILE, or worse a system-wide root) must not thereby trust a
// certificate for cxone.niceincontact.com signed with the emulator's key. httptest's
// certificate is a CA with a published key, so with it the forged certificate verifies.
func TestEmulatorCertificateIsALoopbackLeaf(t *testing.T) {
	s := Start(t, Config{TLS: true})
	block, _ := pem.Decode(s.CertificatePEM())
	if block == nil {
		t.Fatal("no PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if cert.IsCA || !cert.BasicConstraintsValid || cert.KeyUsage&x509.KeyUsageCertSign != 0 {
		t.Errorf("certificate may sign others: IsCA=%v BasicConstraintsValid=%v KeyUsage=%b", cert.IsCA, cert.BasicConstraintsValid, cert.KeyUsage)
	}
	if !slices.Equal(cert.DNSNames, []string{"localhost"}) {
		t.Errorf("DNS names %v, want [localhost]", cert.DNSNames)
	}
	var ips []string
	for _, ip := range cert.IPAddresses {
		ips = append(ips, ip.String())
	}
	if !slices.Equal(ips, []string{"127.0.0.1", "::1"}) {
		t.Errorf("IP addresses %v, want [127.0.0.1 ::1]", ips)
	}
	if time.Until(cert.NotAfter) > 8*24*time.Hour {
		t.Errorf("certificate valid until %s", cert.NotAfter)
	}

	// The forgery: a certificate for CXone's name, signed with the emulator's key.
	signer, ok := s.ts.TLS.Certificates[0].PrivateKey.(crypto.Signer)
	if !ok {
		t.Fatal("the server's key is not a signer")
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	forged := &x509.Certificate{
		SerialNumber: big.NewInt(99), Subject: pkix.Name{CommonName: "cxone.niceincontact.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"cxone.niceincontact.com"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, forged, cert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	fc, _ := x509.ParseCertificate(der)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	if _, err := fc.Verify(x509.VerifyOptions{Roots: roots, DNSName: "cxone.niceincontact.com"}); err == nil {
		t.Fatal("a certificate signed with the emulator's key verifies for cxone.niceincontact.com")
	}

	// A fresh key per server: two emulators never share one.
	other := Start(t, Config{TLS: true})
	if string(other.CertificatePEM()) == string(s.CertificatePEM()) {
		t.Error("two servers present the same certificate")
	}
	if sink := StartSink(t, SinkConfig{TLS: true}); sink.ts.Certificate().IsCA {
		t.Error("the sink's certificate is a CA")
	}
}

// TestEmulatorIssuerAsAddressed: discovery names the issuer the way the client addressed the
// emulator (127.0.0.1 or localhost), so a client that compares them (as OpenID Connect
// Discovery requires) works with either; another Host gets the server's own URL.
func TestEmulatorIssuerAsAddressed(t *testing.T) {
	s := Start(t, Config{})
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	for _, base := range []string{s.URL, "http://localhost:" + port, "http://LOCALHOST:" + port} {
		resp, err := http.Get(base + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if want := strings.ToLower(base); d["issuer"] != want {
			t.Errorf("addressed as %s: issuer %v, want %s", base, d["issuer"], want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/.well-known/openid-configuration", nil)
	req.Host = "evil.example:" + port
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if d["issuer"] != s.URL {
		t.Errorf("Host evil.example: issuer %v, want %s", d["issuer"], s.URL)
	}
}

// The id_token names the issuer as discovery does for the same address: an OpenID client that
// holds the token's iss to the issuer it discovered accepts the emulator under localhost too.
func TestEmulatorTokenIssuerIsDiscoverys(t *testing.T) {
	s := Start(t, Config{})
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	base := "http://localhost:" + port
	req, _ := http.NewRequest(http.MethodPost, base+"/auth/token", strings.NewReader(goodForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(DefaultCredentials.ClientID, DefaultCredentials.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	tok, _ := body["id_token"].(string)
	claims, err := VerifyJWT(tok)
	if err != nil {
		t.Fatalf("HTTP %d, id_token: %v", resp.StatusCode, err)
	}
	if claims["iss"] != base {
		t.Errorf("addressed as %s: id_token iss %v, want the issuer discovery names", base, claims["iss"])
	}
}
