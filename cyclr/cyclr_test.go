package cyclr

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth"
	"cxone-auth/auth/cxonetest"
	"cxone-auth/auth/cyclrtest"
)

func TestParseDomainIsHTTPSOrLoopback(t *testing.T) {
	good := map[string]string{
		"api.cyclr.com":            "https://api.cyclr.com",
		"API.eu.cyclr.com":         "https://api.eu.cyclr.com",
		"https://api.cyclr.uk/":    "https://api.cyclr.uk",
		"http://127.0.0.1:8080":    "http://127.0.0.1:8080",
		"http://localhost:9":       "http://localhost:9",
		"https://cyclr.example:44": "https://cyclr.example:44",
	}
	for in, want := range good {
		if got, err := ParseDomain(in); err != nil || got != want {
			t.Errorf("ParseDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "http://api.cyclr.com", "http://localhost.:80", "http://foo.localhost", "ftp://x", "https://u:p@api.cyclr.com",
		"https://api.cyclr.com/v1.0", "https://api.cyclr.com?x=1", "api.cyclr.com\x1b[31m", "api.cyclr.com\u202e"} {
		if got, err := ParseDomain(bad); err == nil {
			t.Errorf("ParseDomain(%q) = %q, want an error", bad, got)
		}
	}
}

func testConnector(params []Parameter, auths []Authentication, authType string) Connector {
	return Connector{ID: 1, Name: ConnectorName, Parameters: params, Authentication: auths, AuthType: authType}
}

func TestPlanInstallReadsTheSchema(t *testing.T) {
	id, secret := "KEYID", "KEYSECRET"
	props := testConnector([]Parameter{
		{IsAccountConnectorProperty: true, TargetName: "sandbox", Name: "Sandbox"},
		{IsAccountConnectorProperty: true, TargetName: "akid", Name: "Access Key ID", ID: 11},
		{IsAccountConnectorProperty: true, TargetName: "aks", Name: "Access Key Secret", ID: 12},
	}, []Authentication{{ID: "b", AuthName: "HTTP Basic", AuthType: "Basic"}}, "Basic")
	p, err := PlanInstall(props, id, secret, nil)
	if err != nil || p.Method != MethodProperties {
		t.Fatalf("properties: %v %v", p.Method, err)
	}
	b := p.Body("n", "")
	if len(b.Properties) != 2 || b.Properties[0] != (Property{Name: "akid", Value: id, ID: 11}) || b.Properties[1].Value != secret || b.AuthValue != nil {
		t.Errorf("want the key in the properties by TargetName, and only there: %+v", b)
	}
	basic := testConnector(nil, []Authentication{{ID: "b", AuthName: "HTTP Basic", AuthType: "Basic"}}, "Basic")
	p, err = PlanInstall(basic, id, secret, nil)
	if err != nil || p.Method != MethodAuthValue {
		t.Fatalf("basic: %v %v", p.Method, err)
	}
	b = p.Body("n", "")
	if b.AuthValue == nil || *b.AuthValue != base64.StdEncoding.EncodeToString([]byte(id+":"+secret)) || b.AuthenticationID != "b" || len(b.Properties) != 0 {
		t.Errorf("basic body %+v", b)
	}
	if m := p.Masked("n", ""); strings.Contains(*m.AuthValue, *b.AuthValue) {
		t.Error("the masked body shows the AuthValue")
	}
	// Half a key in properties, an OAuth-only connector, and API-key decoys are refused.
	half := testConnector([]Parameter{{IsAccountConnectorProperty: true, TargetName: "akid", Name: "Access Key ID"}}, nil, "None")
	oauth := testConnector(nil, []Authentication{{ID: "o", AuthName: "OAuth 2.0", AuthType: "OAuth2"}}, "OAuth2")
	apikey := testConnector([]Parameter{{IsAccountConnectorProperty: true, TargetName: "apiKey", Name: "API Key"}}, []Authentication{{ID: "k", AuthName: "API Key", AuthType: "ApiKey"}}, "ApiKey")
	for name, c := range map[string]Connector{"half": half, "oauth": oauth, "apikey": apikey} {
		var se *SchemaError
		if _, err := PlanInstall(c, id, secret, nil); !errors.As(err, &se) {
			t.Errorf("%s: %v, want a SchemaError", name, err)
		}
	}
	// --map says where, on the connector's own properties only.
	p, err = PlanInstall(apikey, id, secret, map[string]string{"apiKey": MapSecret})
	if err == nil {
		t.Error("a map of one half was accepted")
	}
	if _, err := PlanInstall(apikey, id, secret, map[string]string{"guess": MapID, "apiKey": MapSecret}); err == nil {
		t.Error("a map to a property the connector does not have was accepted")
	}
	two := testConnector([]Parameter{{IsAccountConnectorProperty: true, TargetName: "u"}, {IsAccountConnectorProperty: true, TargetName: "p"}}, nil, "None")
	if p, err = PlanInstall(two, id, secret, map[string]string{"u": MapID, "p": MapSecret}); err != nil || len(p.Body("n", "").Properties) != 2 {
		t.Errorf("map: %v", err)
	}
}

func TestFindConnectorIsExact(t *testing.T) {
	list := []Connector{{ID: 1, Name: "Nice Inbound Router"}, {ID: 2, Name: "Nice CXOne Legacy"}, {ID: 3, Name: "nice cxone"}}
	if _, ok := FindConnector(list, ConnectorName); ok {
		t.Error("a connector that is not exactly Nice CXOne was chosen")
	}
	list = append(list, Connector{ID: 4, Name: ConnectorName})
	if c, ok := FindConnector(list, ConnectorName); !ok || c.ID != 4 {
		t.Errorf("got %v %v", c, ok)
	}
}

func testClient(t *testing.T, srv *cyclrtest.Server) *Client {
	t.Helper()
	c := &Client{Base: srv.URL, HTTP: auth.NewClient(auth.ClientConfig{Timeout: 2 * time.Second})}
	c.HTTP.Sleep = func(context.Context, time.Duration) error { return nil }
	tok, err := c.NewToken(context.Background(), cyclrtest.DefaultCredentials.ClientID, cyclrtest.DefaultCredentials.ClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(tok.ExpiresAt); d < 13*24*time.Hour {
		t.Errorf("token lifetime %v, want 14 days", d)
	}
	c.Token = tok.AccessToken
	return c
}

// A read that Cyclr redirects to another origin must not carry the Bearer token there.
func TestClientNeverSendsTheTokenToAnotherOrigin(t *testing.T) {
	srv := cyclrtest.Start(t, cyclrtest.Config{})
	sink := cxonetest.StartSink(t, cxonetest.SinkConfig{Addr: "127.0.0.2:0"})
	c := testClient(t, srv)
	srv.SetFault(cyclrtest.EndpointConnectors, cyclrtest.Fault{Kind: cyclrtest.FaultRedirect, Location: sink.URL + "/v1.0/connectors"})
	if _, err := c.Connectors(context.Background(), ""); err == nil {
		t.Fatal("a redirect to another origin was followed")
	}
	if sink.Touched() {
		t.Error("the sink was contacted: the Bearer token left its origin")
	}
}

func TestClientClassifiesCyclrErrors(t *testing.T) {
	srv := cyclrtest.Start(t, cyclrtest.Config{})
	c := testClient(t, srv)
	ctx := context.Background()
	if _, err := c.AccountConnectors(ctx, "00000000-0000-0000-0000-000000000000"); KindOf(err) != KindNotFound {
		t.Errorf("missing account: %v", err)
	}
	srv.RevokeTokens()
	if _, err := c.Accounts(ctx); KindOf(err) != KindRejected {
		t.Errorf("revoked token: %v", err)
	}
	if _, err := c.NewToken(ctx, cyclrtest.DefaultCredentials.ClientID, "wrong"); KindOf(err) != KindRejected || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong secret: %v", err)
	}
	c = testClient(t, srv)
	// A write is never retried: a 503 on install is one request.
	srv.SetFault(cyclrtest.EndpointInstall, cyclrtest.Fault{Kind: cyclrtest.FaultStatus, Status: 503})
	before := len(srv.Writes())
	if _, err := c.Install(ctx, cyclrtest.DefaultAccountID, cyclrtest.CXoneConnectorID, InstallBody{Name: "x"}); err == nil {
		t.Error("a 503 install succeeded")
	}
	if n := len(srv.Writes()) - before; n != 1 {
		t.Errorf("the install was sent %d times, want once (writes are never retried)", n)
	}
	// A read is retried.
	srv.SetFault(cyclrtest.EndpointAccounts, cyclrtest.Fault{Kind: cyclrtest.FaultStatus, Status: 503, Times: 1})
	if _, err := c.Accounts(ctx); err != nil {
		t.Errorf("a read after one 503: %v", err)
	}
	srv.SetFault(cyclrtest.EndpointAccounts, cyclrtest.Fault{Kind: cyclrtest.FaultEscape})
	_, err := c.Accounts(ctx)
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\x07\u009b\u202e") {
		t.Errorf("escape sequences reached the error: %q", err)
	}
}
