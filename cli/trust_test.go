package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
)

// TestCAFileTrustsTheTLSEmulator: the emulator's certificate in CXONE_CA_FILE makes a
// loopback https issuer work; without it the check fails on the certificate; a CXONE_CA_FILE
// inside an --env-file is not a trust setting (a file handed around must not change what is
// trusted); an unreadable CA file is a usage error that quotes nothing of it.
func TestCAFileTrustsTheTLSEmulator(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{TLS: true})
	ca := filepath.Join(e.dir, "emulator.pem")
	if err := os.WriteFile(ca, e.srv.CertificatePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	creds := e.writeEnvFile("good.env", cxonetest.DefaultCredentials)

	code, out, stderr := e.run("check", "--env-file", creds)
	if code == 0 || !strings.Contains(out+stderr, "certificate") {
		t.Fatalf("without CXONE_CA_FILE: exit %d, want a certificate failure\n%s%s", code, out, stderr)
	}

	inFile := filepath.Join(e.dir, "with-ca.env")
	body, _ := os.ReadFile(creds)
	os.WriteFile(inFile, append(body, []byte("CXONE_CA_FILE="+ca+"\n")...), 0o600)
	if code, out, stderr := e.run("check", "--env-file", inFile); code == 0 {
		t.Fatalf("CXONE_CA_FILE from an env file was trusted:\n%s%s", out, stderr)
	}

	e.vars["CXONE_CA_FILE"] = ca
	if code, out, stderr := e.run("check", "--env-file", creds); code != 0 {
		t.Fatalf("with CXONE_CA_FILE: exit %d\n%s%s", code, out, stderr)
	}

	junk := filepath.Join(e.dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate\n"), 0o644)
	e.vars["CXONE_CA_FILE"] = junk
	code, out, stderr = e.run("check", "--env-file", creds)
	if code != 2 || !strings.Contains(stderr, "CXONE_CA_FILE") || strings.Contains(out+stderr, "not a certificate") {
		t.Fatalf("junk CA file: exit %d, want 2 naming CXONE_CA_FILE\n%s%s", code, out, stderr)
	}
}
