package auth

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// Basic client authentication both ways: a server that form-decodes the halves and one that
// compares them as sent, with a client secret holding `/`, `+` and `==` (form-encoding changes
// all three), as real CXone client secrets may.

const fidelitySlashySecret = "ab/cd+ef/GH+ij=="

func fidelityBasicHalves(t *testing.T, r cxonetest.Request) string {
	t.Helper()
	h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		t.Fatalf("Basic header is not base64: %v", err)
	}
	return string(raw)
}

func TestFidelityBasicBothWays(t *testing.T) {
	for _, tt := range []struct {
		name      string
		match     string
		methods   []string // discovery's list; nil: both
		wantWays  []string // per token request: "form", "raw" or "post"
		wantAuth  string
		wantEnc   string
		wantError Kind
	}{
		{"server decodes", cxonetest.BasicDecoded, nil, []string{"form"}, AuthBasic, BasicForm, ""},
		{"server compares raw", cxonetest.BasicAsSent, nil, []string{"form", "raw"}, AuthBasic, BasicRaw, ""},
		{"lenient server", cxonetest.BasicEither, nil, []string{"form"}, AuthBasic, BasicForm, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cxonetest.Config{BasicMatch: tt.match, AuthMethods: tt.methods})
			creds := defaultCreds()
			creds.ClientSecret = fidelitySlashySecret
			h.srv.AddClient(creds.ClientID, creds.ClientSecret, cxonetest.AuthBasic)
			res, err := h.check(t, creds)
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			toks := h.srv.RequestsTo(cxonetest.EndpointToken)
			if len(toks) != len(tt.wantWays) {
				t.Fatalf("%d token requests, want %d (%v)", len(toks), len(tt.wantWays), tt.wantWays)
			}
			for i, way := range tt.wantWays {
				got := fidelityBasicHalves(t, toks[i])
				want := url.QueryEscape(creds.ClientID) + ":" + url.QueryEscape(creds.ClientSecret)
				if way == "raw" {
					want = creds.ClientID + ":" + creds.ClientSecret
				}
				if got != want {
					t.Errorf("token request %d: Basic halves are not the %s form", i+1, way)
				}
			}
			if res.AuthMethod != tt.wantAuth || res.BasicEncoding != tt.wantEnc {
				t.Errorf("remembered %q/%q, want %q/%q", res.AuthMethod, res.BasicEncoding, tt.wantAuth, tt.wantEnc)
			}

			// The remembered way is used directly: one token request, no discovery.
			h.srv.ResetRequests()
			cache := res.Cache()
			again, err := h.check(t, creds, func(o *Options) { o.Cache = &cache })
			if err != nil {
				t.Fatalf("cached check: %v", err)
			}
			if n, d := h.count(cxonetest.EndpointToken), h.count(cxonetest.EndpointDiscovery); n != 1 || d != 0 {
				t.Errorf("cached check: %d token requests and %d discoveries, want 1 and 0", n, d)
			}
			if again.BasicEncoding != tt.wantEnc {
				t.Errorf("cached check remembered %q, want %q", again.BasicEncoding, tt.wantEnc)
			}
		})
	}
}

// A secret that form-encoding leaves alone is never sent twice in Basic: the second Basic
// request would be the same as the first.
func TestFidelityBasicRawOnlyWhenEncodingChangedSomething(t *testing.T) {
	h := newHarness(t, cxonetest.Config{AuthMethods: []string{cxonetest.AuthBasic}})
	creds := defaultCreds()
	creds.ClientSecret = "WRONG"
	if _, err := h.check(t, creds); KindOf(err) != KindInvalidClient {
		t.Fatalf("got %v, want invalid_client", err)
	}
	if n := h.count(cxonetest.EndpointToken); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
	// A plain, valid check is one token request.
	h.srv.ResetRequests()
	if _, err := h.check(t, defaultCreds()); err != nil {
		t.Fatal(err)
	}
	if n := h.count(cxonetest.EndpointToken); n != 1 {
		t.Errorf("plain check: %d token requests, want 1", n)
	}
}

// Raw Basic refused too, post listed: the third try is client_secret_post, remembered.
func TestFidelityBasicThenRawThenPost(t *testing.T) {
	h := newHarness(t, cxonetest.Config{BasicMatch: cxonetest.BasicAsSent})
	creds := defaultCreds()
	creds.ClientID, creds.ClientSecret = "post-only", fidelitySlashySecret
	h.srv.AddClient(creds.ClientID, creds.ClientSecret, cxonetest.AuthPost)
	res, err := h.check(t, creds)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	toks := h.srv.RequestsTo(cxonetest.EndpointToken)
	if len(toks) != 3 || toks[2].Form.Get("client_secret") != creds.ClientSecret || toks[2].Header.Get("Authorization") != "" {
		t.Fatalf("%d token requests, want form Basic, raw Basic, post", len(toks))
	}
	if res.AuthMethod != AuthPost || res.BasicEncoding != "" {
		t.Errorf("remembered %q/%q, want post", res.AuthMethod, res.BasicEncoding)
	}
}

// The remembered way refused with invalid_client (the app was re-registered for the other
// method): the whole sequence runs once more, without repeating the refused request, and the
// way that works now is remembered.
func TestFidelityRememberedWayRefusedRunsSequenceAgain(t *testing.T) {
	h := newHarness(t, cxonetest.Config{BasicMatch: cxonetest.BasicAsSent})
	creds := defaultCreds()
	creds.ClientSecret = fidelitySlashySecret
	h.srv.AddClient(creds.ClientID, creds.ClientSecret, cxonetest.AuthBasic)
	res, err := h.check(t, creds)
	if err != nil || res.BasicEncoding != BasicRaw {
		t.Fatalf("first check: %v, encoding %q", err, res.BasicEncoding)
	}
	cache := res.Cache()

	h.srv.AddClient(creds.ClientID, creds.ClientSecret, cxonetest.AuthPost)
	h.srv.ResetRequests()
	res, err = h.check(t, creds, func(o *Options) { o.Cache = &cache })
	if err != nil {
		t.Fatalf("check after re-registration: %v", err)
	}
	toks := h.srv.RequestsTo(cxonetest.EndpointToken)
	// raw (remembered, refused), form (refused), post (works); raw is not sent again.
	if len(toks) != 3 {
		t.Fatalf("%d token requests, want 3", len(toks))
	}
	raw := creds.ClientID + ":" + creds.ClientSecret
	if fidelityBasicHalves(t, toks[0]) != raw || fidelityBasicHalves(t, toks[1]) == raw || toks[2].Form.Get("client_id") != creds.ClientID {
		t.Errorf("the sequence was not remembered raw, then form, then post")
	}
	if h.count(cxonetest.EndpointDiscovery) != 1 {
		t.Errorf("%d discoveries, want 1 (to learn whether post is offered)", h.count(cxonetest.EndpointDiscovery))
	}
	if res.AuthMethod != AuthPost {
		t.Errorf("remembered %q, want post", res.AuthMethod)
	}

	// Refused every way: the answer is invalid_client, each way sent once.
	h.srv.RemoveClient(creds.ClientID)
	h.srv.ResetRequests()
	cache = res.Cache()
	if _, err := h.check(t, creds, func(o *Options) { o.Cache = &cache }); KindOf(err) != KindInvalidClient {
		t.Fatalf("got %v, want invalid_client", err)
	}
	if n := h.count(cxonetest.EndpointToken); n != 3 {
		t.Errorf("%d token requests, want 3 (post, form, raw: each once)", n)
	}
}
