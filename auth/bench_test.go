package auth

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

// Benchmarks of the check against the emulator with 50 ms of latency on every answer (a
// round trip to a distant CXone data centre, as in the command line's benchmarks), beside the
// floor: the same two requests a cached check makes, sent with bare net/http and no checking
// at all. The cached check should stay within 10% of the floor. The emulator signs with ES256
// so that its signatures, made on the same cores, weigh little on either side:
//
//	go test ./auth -run '^$' -bench 'Check|Floor' -benchtime 50x

const benchLatency = 50 * time.Millisecond

func benchServer(b *testing.B) *cxonetest.Server {
	s := cxonetest.Start(b, cxonetest.Config{Latency: benchLatency, SigningAlg: cxonetest.ES256})
	return s
}

func BenchmarkCheckFull(b *testing.B) {
	srv := benchServer(b)
	c := NewClient(ClientConfig{Timeout: 5 * time.Second})
	opts := Options{Issuer: srv.URL}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.Check(context.Background(), defaultCreds(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckCached(b *testing.B) {
	srv := benchServer(b)
	c := NewClient(ClientConfig{Timeout: 5 * time.Second})
	first, err := c.Check(context.Background(), defaultCreds(), Options{Issuer: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	cache := first.Cache()
	opts := Options{Issuer: srv.URL, Cache: &cache}
	b.ResetTimer()
	for b.Loop() {
		res, err := c.Check(context.Background(), defaultCreds(), opts)
		if err != nil || !res.UsedCache {
			b.Fatal(err)
		}
	}
}

// BenchmarkFloorNetHTTP is the floor: a token POST and a business-unit GET with net/http,
// reading the token but checking nothing else.
func BenchmarkFloorNetHTTP(b *testing.B) {
	srv := benchServer(b)
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	creds := defaultCreds()
	form := url.Values{"grant_type": {"password"}, "username": {creds.AccessKeyID}, "password": {creds.AccessKeySecret}}.Encode()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/auth/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.SetBasicAuth(creds.ClientID, creds.ClientSecret)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		err = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		if err != nil || tok.AccessToken == "" {
			b.Fatalf("token: %v", err)
		}
		req, _ = http.NewRequest(http.MethodGet, srv.URL+"/inContactAPI/services/v31.0/business-unit", nil)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err = client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("proof: HTTP %d", resp.StatusCode)
		}
	}
}
