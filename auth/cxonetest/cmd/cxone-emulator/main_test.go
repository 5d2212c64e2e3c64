package main

import (
	"bytes"
	"strings"
	"testing"

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
	if code := run([]string{"-h"}, &out, &errw); code != 0 {
		t.Fatalf("-h exit %d", code)
	}
	for _, want := range []string{"ENDPOINT=KIND[:STATUS][xTIMES][@LOCATION]", "redirect", "307", "@LOCATION"} {
		if !strings.Contains(errw.String(), want) {
			t.Errorf("-h does not mention %q:\n%s", want, errw.String())
		}
	}
}

func TestSignFlag(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"-sign", "HS256"}, &out, &errw); code != 2 || !strings.Contains(errw.String(), "HS256") {
		t.Errorf("-sign HS256: exit %d, stderr %q; want 2 naming it", code, errw.String())
	}
}

func TestCertFileNeedsTLS(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run([]string{"-cert-file", t.TempDir() + "/c.pem"}, &out, &errw); code != 2 || !strings.Contains(errw.String(), "-tls") {
		t.Errorf("-cert-file without -tls: exit %d, stderr %q; want 2 naming -tls", code, errw.String())
	}
}
