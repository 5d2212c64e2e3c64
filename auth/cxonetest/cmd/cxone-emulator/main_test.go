package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"cxone-auth/auth"
	"cxone-auth/auth/cxonetest"
)

func TestParseFault(t *testing.T) {
	for _, tt := range []struct {
		in   string
		ep   cxonetest.Endpoint
		want cxonetest.Fault
	}{
		{"token=status:503x1", cxonetest.EndpointToken, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 503, Times: 1}},
		{"api=hang", cxonetest.EndpointAPI, cxonetest.Fault{Kind: cxonetest.FaultHang}},
		{"token=redirect:307@http://127.0.0.2:8080/x/auth?next=x", cxonetest.EndpointToken,
			cxonetest.Fault{Kind: cxonetest.FaultRedirect, Status: 307, Location: "http://127.0.0.2:8080/x/auth?next=x"}},
		{"discovery=redirect:308x2@https://example.com", cxonetest.EndpointDiscovery,
			cxonetest.Fault{Kind: cxonetest.FaultRedirect, Status: 308, Times: 2, Location: "https://example.com"}},
	} {
		ep, f, err := parseFault(tt.in)
		if err != nil || ep != tt.ep || f != tt.want {
			t.Errorf("parseFault(%q) = %s, %+v, %v; want %s, %+v", tt.in, ep, f, err, tt.ep, tt.want)
		}
	}
	for _, bad := range []string{"token", "nowhere=status", "token=status:999", "token=status@http://x", "token=redirect@", "token=boom", "token=statusx0"} {
		if _, _, err := parseFault(bad); err == nil {
			t.Errorf("parseFault(%q) accepted", bad)
		}
	}
}

func TestHelpDocumentsFaults(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"-h"}, &out, &errw, nil); code != 0 {
		t.Fatalf("-h exit %d", code)
	}
	for _, want := range []string{"ENDPOINT=KIND[:STATUS][xTIMES][@LOCATION]", "redirect", "307", "@LOCATION"} {
		if !strings.Contains(errw.String(), want) {
			t.Errorf("-h does not mention %q:\n%s", want, errw.String())
		}
	}
}

// TestExtraKey: -extra-key makes the emulator accept a second access key of the same user and
// writes it to the env file, for trying a rotation.
func TestExtraKey(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "creds.env")
	var out, errw syncBuffer
	stop := make(chan struct{})
	done := make(chan int, 1)
	go func() { done <- run([]string{"-quiet", "-extra-key", "-env-file", envFile}, &out, &errw, stop) }()
	defer func() {
		close(stop)
		if code := <-done; code != 0 {
			t.Errorf("exit %d", code)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	vars, err := godotenv.Read(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if vars["CXONE_EXTRA_ACCESS_KEY_ID"] != extraKey.AccessKeyID || vars["CXONE_EXTRA_ACCESS_KEY_SECRET"] != extraKey.AccessKeySecret {
		t.Fatalf("the env file lacks the extra key (%d variables)", len(vars))
	}
	c := auth.Credentials{ClientID: vars["CXONE_CLIENT_ID"], ClientSecret: vars["CXONE_CLIENT_SECRET"],
		AccessKeyID: vars["CXONE_EXTRA_ACCESS_KEY_ID"], AccessKeySecret: vars["CXONE_EXTRA_ACCESS_KEY_SECRET"]}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := auth.NewClient(auth.ClientConfig{Timeout: 5 * time.Second}).Check(ctx, c, auth.Options{Issuer: vars["CXONE_ISSUER"]})
	if err != nil || res.User != cxonetest.DefaultUser.Name {
		t.Errorf("the extra key does not work: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the emulator's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSignFlag(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"-sign", "HS256"}, &out, &errw, nil); code != 2 || !strings.Contains(errw.String(), "HS256") {
		t.Errorf("-sign HS256: exit %d, stderr %q; want 2 naming it", code, errw.String())
	}
}

func TestCertFileNeedsTLS(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"-cert-file", t.TempDir() + "/c.pem"}, &out, &errw, nil); code != 2 || !strings.Contains(errw.String(), "-tls") {
		t.Errorf("-cert-file without -tls: exit %d, stderr %q; want 2 naming -tls", code, errw.String())
	}
}

// TestHelpNeverSaysSSLCertFile: the help points to CXONE_CA_FILE, which trusts the
// certificate for loopback issuers only, never to SSL_CERT_FILE, which would make it a root
// for every host (and replace the system's roots).
func TestHelpNeverSaysSSLCertFile(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"-h"}, &out, &errw, nil); code != 0 {
		t.Fatalf("-h exit %d", code)
	}
	if strings.Contains(errw.String(), "SSL_CERT_FILE") || !strings.Contains(errw.String(), "CXONE_CA_FILE") {
		t.Errorf("-h must name CXONE_CA_FILE and not SSL_CERT_FILE:\n%s", errw.String())
	}
}
