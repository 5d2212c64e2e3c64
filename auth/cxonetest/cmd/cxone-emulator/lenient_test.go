package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"cxone-auth/auth/cxonetest"
)

// fidelityStart runs the command with args and returns its issuer.
func fidelityStart(t *testing.T, args ...string) string {
	t.Helper()
	envFile := filepath.Join(t.TempDir(), "creds.env")
	var out, errw syncBuffer
	stop := make(chan struct{})
	done := make(chan int, 1)
	go func() { done <- run(append([]string{"-quiet", "-env-file", envFile}, args...), &out, &errw, stop) }()
	t.Cleanup(func() { close(stop); <-done })
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	vars, err := godotenv.Read(envFile)
	if err != nil {
		t.Fatalf("%v (stderr %s)", err, errw.String())
	}
	return vars["CXONE_ISSUER"]
}

// fidelityNicepyFlow is what public Python clients do: raw Basic halves, a form labelled
// JSON, then the API with Accept */* on a lower-case path. It returns the API's status.
func fidelityNicepyFlow(t *testing.T, issuer string) int {
	t.Helper()
	c := cxonetest.DefaultCredentials
	form := url.Values{"grant_type": {"password"}, "username": {c.AccessKeyID}, "password": {c.AccessKeySecret}}
	req, _ := http.NewRequest(http.MethodPost, issuer+"/auth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(c.ClientID+":"+c.ClientSecret)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode
	}
	req, _ = http.NewRequest(http.MethodGet, issuer+"/incontactapi/services/v25.0/server-time", nil)
	req.Header.Set("Accept", "*/*")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The command is as lenient as CXone unless -strict.
func TestCommandLenientUnlessStrict(t *testing.T) {
	if got := fidelityNicepyFlow(t, fidelityStart(t)); got != http.StatusOK {
		t.Errorf("default: a public client's requests got %d, want 200", got)
	}
	if got := fidelityNicepyFlow(t, fidelityStart(t, "-strict")); got == http.StatusOK {
		t.Errorf("-strict accepted a form labelled JSON")
	}
}

func TestClientSecretFlag(t *testing.T) {
	var out, errw syncBuffer
	if code := run([]string{"-client-secret", "has space"}, &out, &errw, nil); code != 2 || !strings.Contains(errw.String(), "-client-secret") {
		t.Errorf("-client-secret with a space: exit %d, stderr %q; want 2 naming the flag", code, errw.String())
	}
	// The secret given is the one the default client accepts, raw or encoded (lenient).
	envFile := filepath.Join(t.TempDir(), "e.env")
	stop := make(chan struct{})
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"-quiet", "-client-secret", "ab/cd+ef==", "-env-file", envFile}, &out, &errw, stop)
	}()
	defer func() { close(stop); <-done }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	vars, err := godotenv.Read(envFile)
	if err != nil || vars["CXONE_CLIENT_SECRET"] != "ab/cd+ef==" {
		t.Fatalf("env file: %v, secret written %v", err, vars["CXONE_CLIENT_SECRET"] == "ab/cd+ef==")
	}
}
