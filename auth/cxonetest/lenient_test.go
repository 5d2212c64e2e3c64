package cxonetest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The lenient mode accepts what CXone accepts; the default (strict) mode still refuses each of
// those requests, so the product's tests keep proving it sends the documented form.

func lenientGet(t *testing.T, s *Server, path, accept string, bearer string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if accept != "-" {
		req.Header.Set("Accept", accept)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func lenientToken(t *testing.T, s *Server) (access, refresh string) {
	t.Helper()
	code, body := tokenRequest(t, s, goodForm(), nil)
	if code != http.StatusOK {
		t.Fatalf("token: %d %v", code, body)
	}
	return body["access_token"].(string), body["refresh_token"].(string)
}

func TestLenientAcceptAndPathCasing(t *testing.T) {
	strict, lenient := Start(t, Config{}), Start(t, Config{Lenient: true})
	for _, tt := range []struct {
		path, accept            string
		strictWant, lenientWant int
	}{
		{"/inContactAPI/services/v31.0/business-unit", "application/json", 200, 200},
		{"/inContactAPI/services/v31.0/business-unit", "*/*", 406, 200},
		{"/inContactAPI/services/v31.0/business-unit", "-", 406, 200},
		{"/inContactAPI/services/v31.0/business-unit", "application/*", 406, 200},
		{"/inContactAPI/services/v31.0/business-unit", "text/html, */*;q=0.8", 406, 200},
		{"/inContactAPI/services/v31.0/business-unit", "text/html", 406, 406},
		{"/inContactAPI/services/v31.0/business-unit", "*/*;q=0", 406, 406},
		{"/InContactAPI/services/v31.0/business-unit", "application/json", 404, 200},
		{"/incontactapi/services/v25.0/server-time", "*/*", 404, 200},
		{"/incontactApi/services/v31.0/business-unit", "-", 404, 200},
		{"/nothere/services/v31.0/business-unit", "application/json", 404, 404},
	} {
		sTok, _ := lenientToken(t, strict)
		lTok, _ := lenientToken(t, lenient)
		if got := lenientGet(t, strict, tt.path, tt.accept, sTok); got != tt.strictWant {
			t.Errorf("strict %s Accept %q: %d, want %d", tt.path, tt.accept, got, tt.strictWant)
		}
		if got := lenientGet(t, lenient, tt.path, tt.accept, lTok); got != tt.lenientWant {
			t.Errorf("lenient %s Accept %q: %d, want %d", tt.path, tt.accept, got, tt.lenientWant)
		}
	}
	// Leniency is not a way around the token.
	if got := lenientGet(t, lenient, "/incontactapi/services/v31.0/business-unit", "*/*", "forged"); got != http.StatusUnauthorized {
		t.Errorf("lenient API with a forged token: %d, want 401", got)
	}
}

func TestLenientJSONLabelledForm(t *testing.T) {
	label := func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }
	if code, _ := tokenRequest(t, Start(t, Config{}), goodForm(), label); code != http.StatusBadRequest {
		t.Errorf("strict: a form labelled JSON got %d, want 400", code)
	}
	lenient := Start(t, Config{Lenient: true})
	if code, body := tokenRequest(t, lenient, goodForm(), label); code != http.StatusOK {
		t.Errorf("lenient: a form labelled JSON got %d %v, want 200", code, body)
	}
	if got := lenient.RequestsTo(EndpointToken)[0].Form.Get("username"); got != DefaultCredentials.AccessKeyID {
		t.Errorf("the record's form is %q", got)
	}
	// A wrong secret under the JSON label is still refused.
	bad := goodForm()
	bad.Set("password", "WRONG")
	if code, body := tokenRequest(t, lenient, bad, label); code != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("lenient: wrong key under the JSON label got %d %v, want invalid_grant", code, body)
	}
}

func TestLenientRefreshGrant(t *testing.T) {
	strict := Start(t, Config{})
	_, srt := lenientToken(t, strict)
	noAuth := func(r *http.Request) { r.Header.Del("Authorization") }
	refresh := func(rt string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "scope": {"openid"}, "refresh_token": {rt}}
	}
	if code, body := tokenRequest(t, strict, refresh(srt), nil); code != http.StatusBadRequest || body["error"] != "unsupported_grant_type" {
		t.Errorf("strict refresh: %d %v, want unsupported_grant_type", code, body)
	}

	s := Start(t, Config{Lenient: true})
	_, rt := lenientToken(t, s)
	for _, tt := range []struct {
		name string
		mod  func(*http.Request)
		form url.Values
		code int
		err  string
	}{
		{"without client authentication, as NICE's SDK", func(r *http.Request) {
			noAuth(r)
			r.Header.Set("Content-Type", "application/json")
		}, refresh(rt), 200, ""},
		{"with Basic", nil, refresh(rt), 200, ""},
		{"with a wrong client secret", func(r *http.Request) {
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(DefaultCredentials.ClientID+":WRONG")))
		}, refresh(rt), 401, "invalid_client"},
		{"another public client_id", noAuth, func() url.Values { f := refresh(rt); f.Set("client_id", "someone-else"); return f }(), 400, "invalid_grant"},
		{"unknown refresh token", noAuth, refresh("forged"), 400, "invalid_grant"},
		{"no refresh token", noAuth, refresh(""), 400, "invalid_request"},
	} {
		code, body := tokenRequest(t, s, tt.form, tt.mod)
		if code != tt.code || (tt.err != "" && body["error"] != tt.err) {
			t.Errorf("%s: %d %v, want %d %s", tt.name, code, body, tt.code, tt.err)
		}
		if tt.code == 200 {
			tok, _ := body["access_token"].(string)
			if got := lenientGet(t, s, "/inContactAPI/services/v31.0/business-unit", "application/json", tok); got != 200 {
				t.Errorf("%s: the refreshed token gets %d from the API", tt.name, got)
			}
		}
	}
	// An inactive key's refresh token no longer works.
	s.SetKeyInactive(DefaultCredentials.AccessKeyID, true)
	if code, body := tokenRequest(t, s, refresh(rt), noAuth); code != http.StatusBadRequest || body["error"] != "invalid_grant" {
		t.Errorf("refresh with an inactive key: %d %v, want invalid_grant", code, body)
	}
}

func TestLenientBasicRawOrEncoded(t *testing.T) {
	const secret = "ab/cd+ef==" // '+' decodes to a space: raw and encoded differ
	raw := func(r *http.Request) {
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(DefaultCredentials.ClientID+":"+secret)))
	}
	enc := func(r *http.Request) {
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(DefaultCredentials.ClientID)+":"+url.QueryEscape(secret))))
	}
	for _, tt := range []struct {
		cfg      Config
		raw, enc int
	}{
		{Config{}, 401, 200},
		{Config{BasicMatch: BasicAsSent}, 200, 401},
		{Config{Lenient: true}, 200, 200},
	} {
		s := Start(t, tt.cfg)
		s.AddClient(DefaultCredentials.ClientID, secret)
		if code, _ := tokenRequest(t, s, goodForm(), raw); code != tt.raw {
			t.Errorf("%+v raw halves: %d, want %d", tt.cfg, code, tt.raw)
		}
		if code, _ := tokenRequest(t, s, goodForm(), enc); code != tt.enc {
			t.Errorf("%+v encoded halves: %d, want %d", tt.cfg, code, tt.enc)
		}
	}
}

func TestDiscoveryHasSDKFields(t *testing.T) {
	s := Start(t, Config{})
	resp, err := http.Get(s.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if e, _ := d["end_session_endpoint"].(string); !strings.HasPrefix(e, s.URL) {
		t.Errorf("end_session_endpoint %v", d["end_session_endpoint"])
	}
	for k, want := range map[string]string{"display_values_supported": "page", "code_challenge_methods_supported": "S256"} {
		list, _ := d[k].([]any)
		found := false
		for _, v := range list {
			found = found || v == want
		}
		if !found {
			t.Errorf("%s = %v, want it to hold %q", k, d[k], want)
		}
	}
}
