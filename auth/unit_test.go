package auth

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestUnitCredentialsNeverPrintSecrets(t *testing.T) {
	c := Credentials{ClientID: "485a2498-41b6-42f1-9e01-f85a40fe647f", ClientSecret: "CLIENTSECRETVALUE",
		AccessKeyID: "ZO4EBONGDHBHNBQK2BVM4NIQJXEYHQ4WVBO2BC66J54H6P7KO2NA====", AccessKeySecret: "KEYSECRETVALUE"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "creds", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "creds", c)
	out := fmt.Sprintf("%v %+v %#v %s %q", c, c, c, c, c) + buf.String() + fmt.Sprint([]Credentials{c}) + fmt.Sprintf("%v", &c)
	for _, s := range []string{c.ClientSecret, c.AccessKeySecret, c.ClientID, c.AccessKeyID} {
		if strings.Contains(out, s) {
			t.Errorf("formatted credentials show %q", s)
		}
	}
	if !strings.Contains(out, "485a…647f") {
		t.Errorf("the masked client ID is missing: %s", out)
	}
	bad := c
	bad.ClientSecret = "has space SECRETPART"
	bad.AccessKeySecret = ""
	err := bad.Validate()
	if err == nil || strings.Contains(err.Error(), "SECRETPART") || !strings.Contains(err.Error(), "Client Secret") || !strings.Contains(err.Error(), "Access Key Secret is empty") {
		t.Errorf("Validate: %v", err)
	}
}

func TestUnitMask(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""}, {"abc", "…"}, {"abcdefgh", "…gh"}, {"abcdefghijkl", "…kl"},
		{"abcdefghijklm", "abcd…jklm"}, {"ZO4EBONGDHBHNBQK2BVM4NIQJXEYHQ4WVBO2BC66J54H6P7KO2NA====", "ZO4E…===="},
	} {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnitValidateIssuer(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"https://cxone.niceincontact.com/", "https://cxone.niceincontact.com", true},
		{"  HTTPS://CXONE.niceincontact.com ", "https://cxone.niceincontact.com", true},
		{"http://127.0.0.1:8787", "http://127.0.0.1:8787", true},
		{"http://127.5.5.5", "http://127.5.5.5", true},
		{"http://[::1]:9", "http://[::1]:9", true},
		{"http://localhost:1", "http://localhost:1", true},
		{"http://cxone.example.com", "", false},
		{"http://10.0.0.1", "", false},
		{"ftp://127.0.0.1", "", false},
		{"cxone.niceincontact.com", "", false},
		{"https://user:pw@cxone.niceincontact.com", "", false},
		{"https://cxone.niceincontact.com/?x=1", "", false},
		{"", "", false},
	} {
		got, err := ValidateIssuer(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ValidateIssuer(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("the error repeats a password: %v", err)
		}
	}
}

func TestUnitRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"", -1}, {"soon", -1}, {"0", 0}, {"3", 3 * time.Second}, {"100", 10 * time.Second}, {"-5", 0},
		{now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(time.Hour).Format(http.TimeFormat), 10 * time.Second},
	} {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUnitCheckRedirect(t *testing.T) {
	req := func(s string) *http.Request { u, _ := url.Parse(s); return &http.Request{URL: u} }
	https, loop := req("https://cxone.niceincontact.com/a"), req("http://127.0.0.1/a")
	for _, tt := range []struct {
		name string
		next *http.Request
		via  []*http.Request
		ok   bool
	}{
		{"first redirect", req("https://cxone.niceincontact.com/b"), []*http.Request{https}, true},
		{"third redirect", req("https://cxone.niceincontact.com/b"), []*http.Request{https, https, https}, true},
		{"fourth redirect", req("https://cxone.niceincontact.com/b"), []*http.Request{https, https, https, https}, false},
		{"https to http loopback", req("http://127.0.0.1/b"), []*http.Request{https}, false},
		{"loopback http to loopback http", req("http://127.0.0.1/b"), []*http.Request{loop}, true},
		{"loopback http to remote http", req("http://cxone.example.com/b"), []*http.Request{loop}, false},
	} {
		err := checkRedirect(tt.next, tt.via)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, errRedirect)) {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestUnitParseErrorBody(t *testing.T) {
	for _, tt := range []struct{ body, code, desc string }{
		{`{"error":"invalid_client","error_description":"Client authentication failed."}`, "invalid_client", "Client authentication failed."},
		{`{"error":"invalid_grant","errorDescription":"inactive"}`, "invalid_grant", "inactive"},
		{`{"message":"No known way to render data"}`, "", "No known way to render data"},
		{"{\"error\":\"x\",\"errorDescription\":\"a\\u001b[31mred\"}", "x", "ared"},
		{`<html><title>502 Bad Gateway</title></html>`, "", "502 Bad Gateway"},
		{``, "", ""},
	} {
		code, desc := ParseErrorBody([]byte(tt.body))
		if code != tt.code || !strings.Contains(desc, tt.desc) {
			t.Errorf("ParseErrorBody(%q) = %q, %q; want %q, containing %q", tt.body, code, desc, tt.code, tt.desc)
		}
	}
}

func TestUnitKindOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want Kind
	}{
		{nil, ""},
		{&RejectedError{Kind: KindInvalidGrant}, KindInvalidGrant},
		{fmt.Errorf("wrapped: %w", &RejectedError{Kind: KindInvalidClient}), KindInvalidClient},
		{&ServerError{Status: 503}, KindServer},
		{&ProtocolError{Msg: "x"}, KindProtocol},
		{fmt.Errorf("w: %w", &NetworkError{Err: errors.New("refused")}), KindNetwork},
		{&TimeoutError{Timeout: "1s"}, KindTimeout},
		{errors.New("anything else"), KindProtocol},
	} {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if !KindUnauthorized.Rejected() || KindNetwork.Rejected() || KindProtocol.Rejected() {
		t.Error("Rejected: want true only for the credentials' kinds")
	}
}
