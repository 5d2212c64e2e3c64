package auth

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"cxone-auth/auth/cxonetest"
)

// CXone's API may answer a 4xx with an empty body and the error's text in the
// icStatusDescription header: it is read then, cleaned of terminal escapes and bounded, and a
// body's own description still wins.
func TestFidelityStatusDescriptionHeader(t *testing.T) {
	long := strings.Repeat("Ä long reason ", 500)
	for _, tt := range []struct {
		name  string
		ep    cxonetest.Endpoint
		fault cxonetest.Fault
		kind  Kind
		want  string // in the error text
		not   string // never in the error text
	}{
		{"token 401, header only", cxonetest.EndpointToken,
			cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, StatusDescription: "Access key is disabled"},
			KindInvalidGrant, "Access key is disabled", ""},
		{"proof 401, header only", cxonetest.EndpointAPI,
			cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, StatusDescription: "Token revoked"},
			KindUnauthorized, "Token revoked", ""},
		{"tenant 400, header only", cxonetest.EndpointTenant,
			cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 400, StatusDescription: "Bad tenant"},
			KindProtocol, "Bad tenant", ""},
		{"5xx after retries, header only", cxonetest.EndpointToken,
			cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503, StatusDescription: "Maintenance"},
			KindServer, "Maintenance", ""},
		{"the body wins", cxonetest.EndpointToken,
			cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, Code: "invalid_client", Description: "from the body", StatusDescription: "from the header"},
			KindInvalidClient, "from the body", "from the header"},
		// net/http refuses ASCII controls in a header line (a network error), so what reaches
		// the client is 8-bit: C1 controls (CSI, OSC) and bidirectional overrides.
		{"hostile header", cxonetest.EndpointToken,
			cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, StatusDescription: "bad \u009b2J\u009d0;title\u009c red \u202egnp.exe"},
			KindInvalidGrant, "bad", "\u202e"},
		{"long header", cxonetest.EndpointToken,
			cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 401, StatusDescription: long},
			KindInvalidGrant, "Ä long reason", long[:400]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cxonetest.Config{})
			h.srv.SetFault(tt.ep, tt.fault)
			_, err := h.check(t, defaultCreds())
			if KindOf(err) != tt.kind {
				t.Fatalf("got %v (kind %q), want %q", err, KindOf(err), tt.kind)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not carry %q", msg, tt.want)
			}
			if tt.not != "" && strings.Contains(msg, tt.not) {
				t.Errorf("error %q carries %q", msg, tt.not)
			}
			for _, r := range msg {
				if r == 0x1b || r == 0x07 || r == 0x202e || (r >= 0x80 && r < 0xa0) {
					t.Errorf("error text holds %U", r)
				}
			}
			if n := utf8.RuneCountInString(msg); n > 400 {
				t.Errorf("error text is %d runes long", n)
			}
		})
	}
}

func TestFidelityParseErrorResponse(t *testing.T) {
	h := http.Header{}
	h.Set(StatusDescriptionHeader, "  From the header  ")
	if _, d := ParseErrorResponse(nil, h); d != "From the header" {
		t.Errorf("empty body: %q", d)
	}
	if _, d := ParseErrorResponse([]byte(`{"error":"x","message":"body"}`), h); d != "body" {
		t.Errorf("body with a message: %q", d)
	}
	if c, d := ParseErrorResponse([]byte(`{"error":"invalid_grant"}`), h); c != "invalid_grant" || d != "From the header" {
		t.Errorf("body with a code only: %q %q", c, d)
	}
	if _, d := ParseErrorResponse(nil, nil); d != "" {
		t.Errorf("nothing: %q", d)
	}
}
