package cyclr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"cxone-auth/auth"
)

// L3: a hostile Cyclr's expires_in cannot make a token live for centuries, nor overflow the
// expiry into the past (values of about 9.3e9 seconds and more overflow time.Duration).
func TestNewTokenBoundsTheLifetime(t *testing.T) {
	var expires string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"tok-abcdefghijkl","token_type":"bearer","expires_in":` + expires + `}`))
	}))
	t.Cleanup(srv.Close)
	c := &Client{Base: srv.URL, HTTP: auth.NewClient(auth.ClientConfig{Timeout: 2 * time.Second})}
	for _, expires = range []string{"9e9", "9.3e9", "1e300", `"NaN"`, `"+Inf"`, "-5", "0"} {
		tok, err := c.NewToken(context.Background(), "id", "secret")
		if err != nil {
			t.Fatalf("expires_in %s: %v", expires, err)
		}
		if d := time.Until(tok.ExpiresAt); d <= 13*24*time.Hour || d > 14*24*time.Hour+time.Minute {
			t.Errorf("expires_in %s: the token is cached for %v, want at most Cyclr's 14 days", expires, d)
		}
	}
	expires = "3600"
	if tok, _ := c.NewToken(context.Background(), "id", "secret"); time.Until(tok.ExpiresAt) > time.Hour+time.Minute {
		t.Errorf("a short lifetime was not kept")
	}
}
