package cyclr

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth"
)

// A hostile (or chatty) Cyclr quotes back what it was sent, in every kind of error answer: a
// refused token request (400 invalid_request, error_description), a 5xx (the excerpt auth
// keeps), a 400 with a long message that the sanitiser would cut inside the secret. None of
// the secrets the request carried may reach the error text.
func TestClientHidesEchoedSecrets(t *testing.T) {
	const (
		clientSecret = "cyclr-client-secret-0123456789"
		keySecret    = "QQID2WDRJZIIWMNAN2MSH3HA6DSCB7JPINYF2I6YT6OV26Y7Z6DA===="
	)
	var status int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/oauth/token" {
			r.ParseForm()
			w.WriteHeader(400)
			json.NewEncoder(w).Encode(map[string]string{"error": "invalid_request", "error_description": "bad client_secret " + r.PostForm.Get("client_secret")})
			return
		}
		var b InstallBody
		json.NewDecoder(r.Body).Decode(&b)
		w.WriteHeader(status)
		sent := ""
		for _, p := range b.Properties {
			sent += p.Value
		}
		// The message is cut inside the secret: Sanitize keeps 300 characters of a message,
		// auth's excerpt of a 5xx body 120.
		pad := 250
		if status >= 500 {
			pad = 60
		}
		json.NewEncoder(w).Encode(map[string]string{"Message": strings.Repeat("x", pad) + " value '" + sent + "' is not valid"})
	}))
	t.Cleanup(srv.Close)
	c := &Client{Base: srv.URL, HTTP: auth.NewClient(auth.ClientConfig{Timeout: 2 * time.Second}), Token: "bearer-token-abcdefghijkl"}
	c.HTTP.Sleep = func(context.Context, time.Duration) error { return nil }
	ctx := context.Background()
	if _, err := c.NewToken(ctx, "id", clientSecret); err == nil || strings.Contains(err.Error(), clientSecret[:12]) {
		t.Errorf("token refusal: %v", err)
	}
	for _, status = range []int{400, 500} {
		body := InstallBody{Properties: []Property{{Name: "accessKeySecret", Value: keySecret}}}
		_, err := c.Install(ctx, "acct", 1, body)
		if err == nil {
			t.Fatalf("HTTP %d: no error", status)
		}
		for i := 0; i+12 <= len(keySecret); i++ {
			if strings.Contains(err.Error(), keySecret[i:i+12]) {
				t.Errorf("HTTP %d: part of the access key secret reached the error: %v", status, err)
				break
			}
		}
	}
}
