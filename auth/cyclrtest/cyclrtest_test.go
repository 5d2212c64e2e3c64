package cyclrtest_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

type cyclrEmuClient struct {
	t     *testing.T
	srv   *cyclrtest.Server
	token string
}

func (c *cyclrEmuClient) do(method, path, account, body string) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if account != "" {
		req.Header.Set("X-Cyclr-Account", account)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func cyclrEmuLogin(t *testing.T, srv *cyclrtest.Server) *cyclrEmuClient {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {cyclrtest.DefaultCredentials.ClientID}, "client_secret": {cyclrtest.DefaultCredentials.ClientSecret}}
	resp, err := http.PostForm(srv.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	if tok.ExpiresIn < 14*24*3600-10 {
		t.Errorf("expires_in %d, want about 14 days", tok.ExpiresIn)
	}
	return &cyclrEmuClient{t: t, srv: srv, token: tok.AccessToken}
}

func TestCyclrEmulatorTokenIsStrict(t *testing.T) {
	srv := cyclrtest.Start(t, cyclrtest.Config{})
	c := cyclrtest.DefaultCredentials
	// Basic client authentication is not what Cyclr documents: refused.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(c.ClientID, c.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("Basic client auth: %d, want 400", resp.StatusCode)
	}
	resp, err = http.PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "invalid_client") {
		t.Errorf("wrong secret: %d %s", resp.StatusCode, b)
	}
	// Without a token, the API refuses.
	anon := &cyclrEmuClient{t: t, srv: srv}
	if code, _ := anon.do(http.MethodGet, "/v1.0/accounts", "", ""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}
}

func TestCyclrEmulatorInstallAuthenticatesOnlyKeysCXoneAccepts(t *testing.T) {
	cx := cxonetest.Start(t, cxonetest.Config{})
	d := cxonetest.DefaultCredentials
	for _, schema := range []cyclrtest.Schema{cyclrtest.SchemaProperties, cyclrtest.SchemaBasic} {
		t.Run(string(schema), func(t *testing.T) {
			srv := cyclrtest.Start(t, cyclrtest.Config{Schema: schema, Verify: cyclrtest.VerifyWithCXone(cx.URL+"/auth/token", d.ClientID, d.ClientSecret)})
			c := cyclrEmuLogin(t, srv)
			install := func(id, secret string) string {
				var body map[string]any
				if schema == cyclrtest.SchemaBasic {
					body = map[string]any{"Name": "CXone", "AuthenticationId": cyclrtest.BasicAuthID,
						"AuthValue": base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))}
				} else {
					body = map[string]any{"Name": "CXone", "Properties": []map[string]any{
						{"Name": cyclrtest.TargetAccessKeyID, "Value": id}, {"Name": cyclrtest.TargetAccessKeySecret, "Value": secret}}}
				}
				b, _ := json.Marshal(body)
				code, out := c.do(http.MethodPost, "/v1.0/connectors/7105/install", cyclrtest.DefaultAccountID, string(b))
				if code != 200 {
					t.Fatalf("install: %d %s", code, out)
				}
				return string(out)
			}
			if out := install(d.AccessKeyID, d.AccessKeySecret); !strings.Contains(out, `"Authenticated":true`) {
				t.Errorf("a key CXone accepts is not authenticated: %s", out)
			}
			if out := install(d.AccessKeyID, "WRONG"); !strings.Contains(out, `"Authenticated":false`) {
				t.Errorf("a key CXone refuses is authenticated: %s", out)
			}
			// Account-level calls need the account header, and an existing account.
			if code, _ := c.do(http.MethodGet, "/v1.0/account/connectors", "", ""); code != http.StatusBadRequest {
				t.Errorf("no X-Cyclr-Account: %d, want 400", code)
			}
			if code, _ := c.do(http.MethodGet, "/v1.0/account/connectors", "00000000-0000-0000-0000-000000000000", ""); code != http.StatusNotFound {
				t.Errorf("unknown account: %d, want 404", code)
			}
		})
	}
}

func TestCyclrEmulatorListsDecoysAndRefusesUnknownProperties(t *testing.T) {
	srv := cyclrtest.Start(t, cyclrtest.Config{})
	c := cyclrEmuLogin(t, srv)
	code, out := c.do(http.MethodGet, "/v1.0/connectors", "", "")
	if code != 200 {
		t.Fatal(code)
	}
	var list []struct {
		Id   int64
		Name string
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	names := 0
	for _, x := range list {
		if strings.HasPrefix(x.Name, "Nice") {
			names++
		}
	}
	if names < 3 || list[0].Name == cyclrtest.ConnectorName {
		t.Errorf("want decoys before the CXone connector: %+v", list)
	}
	code, _ = c.do(http.MethodPost, "/v1.0/connectors/7105/install", cyclrtest.DefaultAccountID, `{"Name":"x","Properties":[{"Name":"guess","Value":"v"}]}`)
	if code != http.StatusBadRequest {
		t.Errorf("unknown property: %d, want 400", code)
	}
	if len(srv.Installs()) != 0 {
		t.Error("a refused install was stored")
	}
}

// With TLS the emulator serves a leaf certificate made for this run, never httptest's CA
// (whose private key is public: trusting it trusts anything anyone signs with it).
func TestCyclrEmulatorTLSIsALeaf(t *testing.T) {
	s := cyclrtest.Start(t, cyclrtest.Config{TLS: true})
	resp, err := s.Client().Get(s.URL + "/v1.0/connectors")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cert := resp.TLS.PeerCertificates[0]
	if cert.IsCA || cert.KeyUsage&x509.KeyUsageCertSign != 0 {
		t.Errorf("the emulator's certificate is a CA (IsCA %v, CertSign %v)", cert.IsCA, cert.KeyUsage&x509.KeyUsageCertSign != 0)
	}
}
