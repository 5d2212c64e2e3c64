package cli

import (
	"testing"

	"cxone-auth/auth/cxonetest"
)

// TestScreenBackendsRememberTheLastKeyring: the save step's keyrings mark the one config.json
// remembers (the last saved to), so that a new profile defaults to it; with no config, none.
func TestScreenBackendsRememberTheLastKeyring(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	e.vars["CXONE_KEYRING_PASSPHRASE"] = homePassphrase
	f, _ := newTTYFactory(t, e, "")
	for _, b := range f.wizardDeps().Backends.Backends() {
		if b.Remembered {
			t.Fatalf("no profile stored, yet %s is remembered", b.Name)
		}
	}
	if code, _, stderr := e.run("setup", "--env-file", e.writeEnvFile("good.env", cxonetest.DefaultCredentials), "--profile", "prod"); code != 0 {
		t.Fatalf("setup: %d %s", code, stderr)
	}
	f, _ = newTTYFactory(t, e, "")
	s, err := f.Store()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := s.Config()
	if err != nil || cfg.Backend == "" {
		t.Fatalf("config backend %q, %v", cfg.Backend, err)
	}
	var got []string
	for _, b := range f.wizardDeps().Backends.Backends() {
		if b.Remembered {
			got = append(got, b.Name)
		}
	}
	if len(got) != 1 || got[0] != cfg.Backend {
		t.Fatalf("remembered %v, want [%s]", got, cfg.Backend)
	}
}
