package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"cxone-auth/auth/cyclrtest"
)

func TestCyclrEmulatorCommandPrintsDomainAndStops(t *testing.T) {
	var out, errb bytes.Buffer
	stop := make(chan struct{})
	done := make(chan int)
	go func() { done <- run([]string{"-quiet"}, &out, &errb, stop) }()
	time.Sleep(200 * time.Millisecond)
	close(stop)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "CYCLR_API_DOMAIN=http://127.0.0.1:") {
		t.Errorf("stdout %q", out.String())
	}
}

func TestCyclrEmulatorCommandRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-schema", "nope"}, {"-fault", "nowhere=status"}, {"-addr", "0.0.0.0:0"},
		{"-cxone-issuer", "https://cxone.niceincontact.com"}, {"-cxone-issuer", "http://10.0.0.1:8080"}} { // the keys would go there
		var out, errb bytes.Buffer
		stop := make(chan struct{})
		close(stop)
		if code := run(args, &out, &errb, stop); code == 0 {
			t.Errorf("%v: exit 0", args)
		}
	}
	ep, f, err := parseFault("install=status:503x2")
	if err != nil || ep != cyclrtest.EndpointInstall || f.Status != 503 || f.Times != 2 {
		t.Errorf("parseFault: %v %v %+v", err, ep, f)
	}
}
