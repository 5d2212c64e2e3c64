package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"cxone-auth/auth/cxonetest"
)

// trustTestCA makes a CA and a server certificate it signs for every name in names (and
// 127.0.0.1): the kind of certificate a colleague's "just trust this for the emulator" file
// could hold, one that also claims CXone's name.
func trustTestCA(t *testing.T, names ...string) (caPEM []byte, serverCert tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: names[0]},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: names, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	return caPEM, tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}
}

// TestLoopbackRootsStayOnLoopback is the attack on CXONE_CA_FILE: its CA signed a certificate
// for cxone.niceincontact.com, and a resolver (here the client's dialer) sends that name to
// the server holding it. The product must trust the CA for 127.0.0.1 and refuse it for the
// real name: the server never receives a request, so no credential reaches it.
func TestLoopbackRootsStayOnLoopback(t *testing.T) {
	caPEM, cert := trustTestCA(t, "cxone.niceincontact.com", "localhost")
	var hits atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer":"https://` + r.Host + `","token_endpoint":"https://` + r.Host + `/auth/token"}`))
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	ts.StartTLS()
	defer ts.Close()

	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	roots, err := ReadLoopbackRoots(caFile)
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(ClientConfig{Timeout: 3 * time.Second, LoopbackRoots: roots})
	defer c.CloseIdleConnections()
	c.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	target := ts.Listener.Addr().String()
	var d net.Dialer
	c.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, target) // every name resolves to the server
	}
	log := slog.New(slog.DiscardHandler)

	// Control: on loopback the CA file is trusted.
	resp, err := c.do(context.Background(), log, getJSON(ts.URL+"/.well-known/openid-configuration", ""))
	if err != nil || resp.status != 200 {
		t.Fatalf("loopback issuer with its CA in CXONE_CA_FILE: %v", err)
	}
	before := hits.Load()

	// The attack: the same certificate for CXone's own name.
	res, err := c.Check(context.Background(), defaultCreds(), Options{Issuer: "https://cxone.niceincontact.com"})
	if err == nil {
		t.Fatalf("a certificate from CXONE_CA_FILE was trusted for cxone.niceincontact.com: %+v", res)
	}
	if !strings.Contains(err.Error(), "certificate") || strings.Contains(err.Error(), "CXONE_CA_FILE") {
		t.Errorf("error does not name the certificate, or suggests CXONE_CA_FILE off loopback: %v", err)
	}
	if n := hits.Load() - before; n != 0 {
		t.Fatalf("the server behind a non-loopback name received %d requests", n)
	}
}

// TestReadLoopbackRootsRefusesJunk: a CA file without a certificate, or a folder, is an error
// that names the file and quotes none of it.
func TestReadLoopbackRootsRefusesJunk(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("secret-looking text\n"), 0o600)
	for _, p := range []string{junk, dir, filepath.Join(dir, "missing.pem")} {
		_, err := ReadLoopbackRoots(p)
		if err == nil {
			t.Errorf("ReadLoopbackRoots(%s) accepted", p)
			continue
		}
		if strings.Contains(err.Error(), "secret-looking") {
			t.Errorf("error quotes the file: %v", err)
		}
	}
}

// TestTokenAnswerShape: a token answer whose access_token is not an RFC 6750 b64token, or
// whose token_type is not Bearer, is a protocol error that quotes nothing of the token, and
// the check returns no result to cache.
func TestTokenAnswerShape(t *testing.T) {
	for _, tc := range []struct {
		token, typ string
		ok         bool
	}{
		{"eyJhbGciOi.eyJzdWIi.c2ln", "Bearer", true},
		{"abc-._~+/XYZ09==", "bearer", true},
		{"abc", "BEARER", true},
		{"\x1b]52;c;cHduZWQ=\x07", "Bearer", false},
		{"abc\nCXONE_X=1", "Bearer", false},
		{"abc def", "Bearer", false},
		{"===", "Bearer", false},
		{"ab=c", "Bearer", false},
		{"abc", "mac", false},
		{"abc", "", false},
	} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/.well-known/openid-configuration" {
				w.Write([]byte(`{"issuer":"http://` + r.Host + `","token_endpoint":"http://` + r.Host + `/token"}`))
				return
			}
			body, _ := json.Marshal(map[string]any{"access_token": tc.token, "token_type": tc.typ, "expires_in": 3600})
			w.Write(body)
		}))
		res, err := NewClient(ClientConfig{Timeout: 3 * time.Second}).Check(context.Background(), defaultCreds(), Options{Issuer: ts.URL})
		ts.Close()
		if tc.ok {
			if err != nil || res.AccessToken != tc.token {
				t.Errorf("%q %q: %v, want accepted", tc.token, tc.typ, err)
			}
			continue
		}
		var pe *ProtocolError
		if !errors.As(err, &pe) || res != nil {
			t.Errorf("%q %q: got %v (result %v), want a protocol error", tc.token, tc.typ, err, res != nil)
			continue
		}
		if strings.Contains(err.Error(), tc.token) || strings.Contains(err.Error(), "52;c") {
			t.Errorf("%q: the error quotes the token: %v", tc.token, err)
		}
	}
}

// trustJWT is an unsigned JWT whose payload has exp (the client reads claims without
// verifying them, as the protocol allows: the token just came over TLS from the issuer).
func trustJWT(exp time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(map[string]any{"sub": "user:x", "exp": exp.Unix()})
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc(payload) + ".c2lnbmF0dXJl"
}

// TestTokenExpiryIsTheEarlier: the expiry is the earlier of now + expires_in and the access
// token's own exp; a token that expires within TokenSkew (or has expired) is refused.
func TestTokenExpiryIsTheEarlier(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name      string
		token     string
		expiresIn int
		want      time.Duration // 0: refused
	}{
		{"exp earlier than expires_in", trustJWT(now.Add(10 * time.Minute)), 3600, 10 * time.Minute},
		{"expires_in earlier than exp", trustJWT(now.Add(2 * time.Hour)), 1800, 30 * time.Minute},
		{"not a JWT", "opaque-token", 900, 15 * time.Minute},
		{"expired JWT, long expires_in", trustJWT(now.Add(-time.Hour)), 3600, 0},
		{"JWT expiring within the skew", trustJWT(now.Add(20 * time.Second)), 3600, 0},
	} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/.well-known/openid-configuration" {
				w.Write([]byte(`{"issuer":"http://` + r.Host + `","token_endpoint":"http://` + r.Host + `/token"}`))
				return
			}
			body, _ := json.Marshal(map[string]any{"access_token": tc.token, "token_type": "Bearer", "expires_in": tc.expiresIn})
			w.Write(body)
		}))
		res, err := NewClient(ClientConfig{Timeout: 3 * time.Second}).Check(context.Background(), defaultCreds(), Options{Issuer: ts.URL})
		ts.Close()
		if tc.want == 0 {
			if err == nil || res != nil || !strings.Contains(err.Error(), "clock") {
				t.Errorf("%s: got %v, %v; want the token refused", tc.name, res, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d := time.Until(res.TokenExpiresAt); d < tc.want-time.Minute || d > tc.want+time.Second {
			t.Errorf("%s: token expires in %v, want about %v", tc.name, d, tc.want)
		}
	}
}

// TestDiscoveryIssuerMustMatch is the attack of a discovery document that is someone else's
// (a mirror, a proxy, a look-alike host): it names another issuer, or none. The check must
// refuse it as a protocol error before any credential is posted; a trailing slash is the only
// difference allowed.
func TestDiscoveryIssuerMustMatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		issuer func(host string) string
		ok     bool
	}{
		{"same", func(h string) string { return "http://" + h }, true},
		{"trailing slash", func(h string) string { return "http://" + h + "/" }, true},
		{"another issuer", func(string) string { return "https://cxone.niceincontact.com" }, false},
		{"another path", func(h string) string { return "http://" + h + "/tenant2" }, false},
		{"none", func(string) string { return "" }, false},
	} {
		var posted atomic.Bool
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.Method == http.MethodPost {
				posted.Store(true)
				w.Write([]byte(`{"access_token":"abc","token_type":"Bearer","expires_in":3600}`))
				return
			}
			doc := map[string]any{"token_endpoint": "http://" + r.Host + "/token"}
			if iss := tc.issuer(r.Host); iss != "" {
				doc["issuer"] = iss
			}
			body, _ := json.Marshal(doc)
			w.Write(body)
		}))
		_, err := NewClient(ClientConfig{Timeout: 3 * time.Second}).Check(context.Background(), defaultCreds(), Options{Issuer: ts.URL})
		ts.Close()
		if tc.ok != (err == nil) {
			t.Errorf("%s: got %v, want ok %v", tc.name, err, tc.ok)
		}
		if !tc.ok && (KindOf(err) != KindProtocol || posted.Load()) {
			t.Errorf("%s: got %v (posted %v), want a protocol error before any post", tc.name, err, posted.Load())
		}
	}
}

// TestEmulatorWorksByEveryLoopbackName: the full check against the emulator passes whether
// it is addressed as 127.0.0.1 or localhost (its discovery names the issuer as addressed).
func TestEmulatorWorksByEveryLoopbackName(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	port := h.srv.URL[strings.LastIndex(h.srv.URL, ":")+1:]
	for _, iss := range []string{h.srv.URL, "http://localhost:" + port} {
		if _, err := h.check(t, defaultCreds(), func(o *Options) { o.Issuer = iss }); err != nil {
			t.Errorf("issuer %s: %v", iss, err)
		}
	}
}

// TestSanitizeDropsFormatCharacters is the look-alike attack: a server (or a file) sends a
// tenant or user name with invisible format characters, so that "admin" and a look-alike
// print the same, or tag characters that smuggle hidden text. Sanitize drops every Unicode
// Cf character, as CleanInput does; visible text, emoji and combining marks stay.
func TestSanitizeDropsFormatCharacters(t *testing.T) {
	hidden := []rune{0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2064, 0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB,
		0x0600, 0x061C, 0x180E, 0xE0001, 0xE0041, 0xE007F}
	for _, r := range hidden {
		in := "ad" + string(r) + "min"
		if got := Sanitize(in); got != "admin" {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, "admin")
		}
	}
	tags := "acme" + string([]rune{0xE0001, 0xE0069, 0xE0067, 0xE006E, 0xE006F, 0xE0072, 0xE0065, 0xE007F})
	if got := Sanitize(tags); got != "acme" {
		t.Errorf("tag characters kept: %q", got)
	}
	for _, keep := range []string{"unicodé ✓ 🔑", "e\u0301", "👍🏽", "❤\ufe0f", "日本語"} {
		if got := Sanitize(keep); got != keep {
			t.Errorf("Sanitize(%q) = %q, want it unchanged", keep, got)
		}
	}
	for r := rune(0); r <= 0x10FFFF; r++ {
		if unicode.Is(unicode.Cf, r) && strings.ContainsRune(Sanitize("x"+string(r)+"y"), r) {
			t.Errorf("Sanitize keeps the format character U+%04X", r)
		}
	}
}

// TestLoopbackRootsKeepHTTP2: the loopback transport of CXONE_CA_FILE still negotiates h2
// with a TLS emulator that offers it, as the default transport does (connection reuse of
// check --all depends on it).
func TestLoopbackRootsKeepHTTP2(t *testing.T) {
	srv := cxonetest.Start(t, cxonetest.Config{TLS: true, HTTP2: true})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "emu.pem"), srv.CertificatePEM(), 0o644)
	roots, err := ReadLoopbackRoots(filepath.Join(dir, "emu.pem"))
	if err != nil {
		t.Fatal(err)
	}
	c := NewClient(ClientConfig{Timeout: 3 * time.Second, LoopbackRoots: roots})
	defer c.CloseIdleConnections()
	resp, err := c.hc.Get(srv.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Proto != "HTTP/2.0" {
		t.Errorf("got %s, want HTTP/2.0", resp.Proto)
	}
}
