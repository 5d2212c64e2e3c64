package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// The access-key API client against the emulator, and against the attacks it must stand.

func fidelityKeyAPI(t *testing.T, h *harness) (*AccessKeyAPI, *Result) {
	t.Helper()
	res, err := h.check(t, defaultCreds(), func(o *Options) { o.SkipProof = true })
	if err != nil {
		t.Fatal(err)
	}
	api, err := h.c.AccessKeys(h.srv.URL, res.APIEndpoint, res.AccessToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	return api, res
}

func TestFidelityAccessKeyLifecycle(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	api, res := fidelityKeyAPI(t, h)
	ctx := context.Background()
	nk, err := api.Create(ctx, res.UserID, res.TenantID)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if st, ok := h.srv.AccessKey(nk.ID); !ok || !st.Active || st.UserID != res.UserID {
		t.Fatalf("the emulator does not hold the new key as active for the user: %+v", st)
	}
	if s := fmt.Sprintf("%v %+v %#v %s", nk, nk, nk, nk); strings.Contains(s, nk.Secret) {
		t.Errorf("a NewAccessKey prints its secret: %s", s)
	}
	keys, err := api.List(ctx, res.UserID)
	if err != nil || len(keys) != 2 {
		t.Fatalf("list: %v, %d keys, want 2", err, len(keys))
	}
	for _, k := range keys {
		if k.Created.IsZero() || !k.Active {
			t.Errorf("listed key %s: %+v", Mask(k.ID), k)
		}
	}
	old := defaultCreds().AccessKeyID
	h.srv.SetKeyLastUsed(old, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	keys, _ = api.List(ctx, res.UserID)
	if keys[0].ID != old || !keys[0].LastUsed.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("lastUsedDate not read: %+v", keys[0])
	}
	if err := api.Deactivate(ctx, old, res.UserID, res.TenantID); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	if st, _ := h.srv.AccessKey(old); st.Active {
		t.Errorf("the old key is still active")
	}
	if err := api.Delete(ctx, old); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, ok := h.srv.AccessKey(old); ok {
		t.Errorf("the old key still exists")
	}
	// Another user's keys are refused (403), an unknown key is 404: typed.
	var ake *AccessKeyError
	if _, err := api.Create(ctx, "someone-else", res.TenantID); !errors.As(err, &ake) || ake.Status != 403 || ake.Op != "create" {
		t.Errorf("create for another user: %v", err)
	}
	if err := api.Delete(ctx, "NOSUCHKEY"); !errors.As(err, &ake) || ake.Status != 404 {
		t.Errorf("delete of an unknown key: %v", err)
	}
}

// A create is sent once, even after a 5xx: a retry could leave a second key behind.
func TestFidelityAccessKeyCreateNeverRetried(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	api, res := fidelityKeyAPI(t, h)
	h.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503, Method: "POST"})
	if _, err := api.Create(context.Background(), res.UserID, res.TenantID); KindOf(err) != KindServer {
		t.Fatalf("got %v, want a server error", err)
	}
	if n := len(h.srv.RequestsTo(cxonetest.EndpointAccessKeys)); n != 1 {
		t.Errorf("%d create requests, want 1", n)
	}
	if len(h.sleeps) != 0 {
		t.Errorf("the create was retried after %v", h.sleeps)
	}
}

// A redirect of the access-key API to another origin carries the bearer token nowhere: the
// create (a POST) never follows one, the list (a GET) follows only within its origin.
func TestFidelityAccessKeyRedirectToSink(t *testing.T) {
	sink := cxonetest.StartSink(t, cxonetest.SinkConfig{Addr: "127.0.0.2:0"})
	h := newHarness(t, cxonetest.Config{})
	api, res := fidelityKeyAPI(t, h)
	h.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultRedirect, Status: 307, Location: sink.URL + "/steal"})
	if _, err := api.Create(context.Background(), res.UserID, res.TenantID); KindOf(err) != KindProtocol {
		t.Errorf("create redirected: %v, want a protocol error", err)
	}
	if _, err := api.List(context.Background(), res.UserID); KindOf(err) != KindProtocol {
		t.Errorf("list redirected: %v, want a protocol error", err)
	}
	if err := api.Deactivate(context.Background(), "X", res.UserID, res.TenantID); KindOf(err) != KindProtocol {
		t.Errorf("deactivate redirected: %v, want a protocol error", err)
	}
	if sink.Touched() {
		t.Errorf("the sink received %d requests: the bearer token left its origin", len(sink.Requests()))
	}
}

// The API endpoint obeys the check's rules: an https issuer's access-key API is never http.
func TestFidelityAccessKeyEndpointRules(t *testing.T) {
	c := NewClient(ClientConfig{})
	if _, err := c.AccessKeys("https://cxone.niceincontact.com", "http://api-na1.niceincontact.com", "tok", nil); err == nil {
		t.Errorf("an http API endpoint of an https issuer was accepted")
	}
	if _, err := c.AccessKeys("https://cxone.niceincontact.com", "https://api-na1.niceincontact.com", "", nil); err == nil {
		t.Errorf("no token was accepted")
	}
}

// A hostile access-key API: its error text reaches the terminal cleaned, and an answer with
// a missing or unusable key is a protocol error that quotes nothing of the body.
func TestFidelityAccessKeyHostileAnswers(t *testing.T) {
	h := newHarness(t, cxonetest.Config{})
	api, res := fidelityKeyAPI(t, h)
	h.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultEscape, Status: 403})
	_, err := api.Create(context.Background(), res.UserID, res.TenantID)
	var ake *AccessKeyError
	if !errors.As(err, &ake) || ake.Status != 403 {
		t.Fatalf("got %v, want a 403 AccessKeyError", err)
	}
	for _, r := range err.Error() {
		if r == 0x1b || r == 0x07 || r == 0x202e || (r >= 0x80 && r < 0xa0) {
			t.Errorf("error text holds %U: %q", r, err.Error())
		}
	}
	h.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultTruncated})
	if _, err := api.Create(context.Background(), res.UserID, res.TenantID); KindOf(err) != KindProtocol || strings.Contains(err.Error(), "eyJ") {
		t.Errorf("a truncated answer: %v", err)
	}
	h.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultHuge})
	if _, err := api.List(context.Background(), res.UserID); KindOf(err) != KindProtocol {
		t.Errorf("a 2 MiB answer: %v", err)
	}
}
