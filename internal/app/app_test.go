package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cxone-auth/auth"
	"cxone-auth/auth/cxonetest"
	"cxone-auth/store"
)

// appFixture is one emulator, a file keyring and config in a temporary folder holding profile
// "p1" (checked and saved as the wizard saves it), and an App over a store opened afresh, as a
// new command line opens it.
type appFixture struct {
	app     *App
	srv     *cxonetest.Server
	cfgPath string
	home    string
}

func newAppFixture(t *testing.T) *appFixture {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	srv := cxonetest.Start(t, cxonetest.Config{})
	home := t.TempDir()
	env := map[string]string{"HOME": home, "CXONE_KEYRING_PASSPHRASE": "applayer-test-passphrase"}
	opts := store.Options{Backend: store.BackendFile, ConfigDir: filepath.Join(home, "config"), Getenv: func(k string) string { return env[k] }}
	client := auth.NewClient(auth.ClientConfig{Timeout: 5 * time.Second})
	t.Cleanup(client.CloseIdleConnections)
	d := cxonetest.DefaultCredentials
	creds := auth.Credentials{ClientID: d.ClientID, ClientSecret: d.ClientSecret, AccessKeyID: d.AccessKeyID, AccessKeySecret: d.AccessKeySecret}
	ctx := context.Background()
	res, err := client.Check(ctx, creds, auth.Options{Issuer: srv.URL})
	if err != nil {
		t.Fatalf("check before save: %v", err)
	}
	st, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, "p1", store.NewSecret(srv.URL, creds, res), store.MetaFromResult(srv.URL, creds, res)); err != nil {
		t.Fatalf("save: %v", err)
	}
	opts.Backend = "" // a later command line takes the backend from the config
	fresh, err := store.Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &appFixture{app: &App{Store: fresh, Client: client, Issuer: srv.URL}, srv: srv, cfgPath: fresh.ConfigPath(), home: home}
}

// editConfig rewrites config.json behind the store's back.
func (fx *appFixture) editConfig(t *testing.T, fn func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(fx.cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	fn(c)
	if b, err = json.Marshal(c); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fx.cfgPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A check works from the one config it read: once the check has read config.json, a change
// of the file (here someone points file_dir to an empty folder, after the read and before the
// keyring is opened) does not reach the keyring read. A check that read the config again
// (store.Load, FileDir's own read) would look in the empty folder and report p1 missing.
func TestCheckReadsTheConfigOnce(t *testing.T) {
	fx := newAppFixture(t)
	elsewhere := t.TempDir()
	r, err := fx.app.Check(context.Background(), "p1", CheckOptions{Before: func(name string, meta *store.Meta) {
		if name != "p1" || meta == nil {
			t.Errorf("Before(%q, %v), want p1 with its entry", name, meta)
		}
		fx.editConfig(t, func(c map[string]any) { c["file_dir"] = elsewhere })
	}})
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	if r.Status != StatusValid {
		t.Fatalf("status %q (%s), want valid: the check read the config again", r.Status, r.ErrorMessage)
	}
}

// Check with no name checks the config's default profile, from the same read, and records the
// result in its entry (the one locked write).
func TestCheckDefaultProfileAndRecord(t *testing.T) {
	fx := newAppFixture(t)
	fx.editConfig(t, func(c map[string]any) {
		profiles := c["profiles"].(map[string]any)
		profiles["p2"] = profiles["p1"]
		delete(profiles, "p1")
		c["default_profile"] = "p2"
	})
	// p2's entry has p1's identity but no keyring item: the default must be the one checked.
	r, err := fx.app.Check(context.Background(), "", CheckOptions{})
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	if r.Name != "p2" || r.Status != StatusMissing {
		t.Fatalf("checked %q with status %q, want the default p2, missing", r.Name, r.Status)
	}
	fx.editConfig(t, func(c map[string]any) {
		profiles := c["profiles"].(map[string]any)
		profiles["p1"] = profiles["p2"]
		delete(profiles, "p2")
		c["default_profile"] = "p1"
	})
	r, err = fx.app.Check(context.Background(), "", CheckOptions{})
	if err != nil || r.Name != "p1" || r.Status != StatusValid {
		t.Fatalf("checked %q: %q, %v; want p1 valid", r.Name, r.Status, err)
	}
	m, err := fx.app.Store.Meta("p1")
	if err != nil {
		t.Fatal(err)
	}
	if m.LastCheckStatus != StatusValid || m.LastCheckAt.IsZero() {
		t.Fatalf("recorded %q at %v, want valid with a time", m.LastCheckStatus, m.LastCheckAt)
	}
}

// CheckAll checks every profile of the config it is given and records each result.
func TestCheckAllRecordsEveryProfile(t *testing.T) {
	fx := newAppFixture(t)
	names, cfg, err := fx.app.Names()
	if err != nil || len(names) != 1 {
		t.Fatalf("names %v, %v", names, err)
	}
	rs, err := fx.app.CheckAll(context.Background(), cfg, make(chan struct{}, 4))
	if err != nil || len(rs) != 1 || rs[0].Status != StatusValid {
		t.Fatalf("CheckAll: %+v, %v", rs, err)
	}
	if m, _ := fx.app.Store.Meta("p1"); m.LastCheckStatus != StatusValid {
		t.Fatalf("recorded %q, want valid", m.LastCheckStatus)
	}
}
