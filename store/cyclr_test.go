package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCyclrItemSavedLoadedAndNeverAnOrphan(t *testing.T) {
	ctx := context.Background()
	cd, fd := dirs(t)
	p := &passCounter{pass: testPass}
	s := newFileStore(t, cd, fd, p.fn)
	if _, err := s.LoadCyclr(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("LoadCyclr before login: %v, want ErrNotFound", err)
	}
	sec := CyclrSecret{APIDomain: "https://api.cyclr.com", ClientID: "cid", ClientSecret: "CYCLRSECRETVALUE123456", AccessToken: "TOKENVALUE987654321", TokenExpiresAt: time.Now().Add(time.Hour)}
	if err := s.SaveCyclr(ctx, sec); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadCyclr(ctx)
	if err != nil || got.ClientSecret != sec.ClientSecret || got.AccessToken != sec.AccessToken {
		t.Fatalf("LoadCyclr: %v %v", got, err)
	}
	// The orphan logic lists profile items only: the Cyclr item is not one.
	orphans, err := s.Orphans(ctx)
	if err != nil || len(orphans) != 0 {
		t.Errorf("Orphans = %v, %v; the Cyclr item must not be reported", orphans, err)
	}
	// Neither the config nor a formatted value holds the secret or the token.
	cfg, _ := os.ReadFile(filepath.Join(cd, "config.json"))
	for _, text := range []string{string(cfg), sec.String(), sec.GoString()} {
		if strings.Contains(text, sec.ClientSecret) || strings.Contains(text, sec.AccessToken) {
			t.Errorf("a secret leaked: %s", text)
		}
	}
	if !strings.Contains(string(cfg), `"client_id": "cid"`) {
		t.Errorf("config lacks the client ID: %s", cfg)
	}
	// A token update for another client (a login replaced it meanwhile) writes nothing.
	other := sec
	other.ClientSecret = "ANOTHERSECRET"
	if err := s.UpdateCyclrToken(ctx, other, "STALE", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoadCyclr(ctx); got.AccessToken != sec.AccessToken {
		t.Error("a token was cached for a client that is no longer stored")
	}
	if err := s.UpdateCyclrToken(ctx, sec, "FRESH", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoadCyclr(ctx); got.AccessToken != "FRESH" {
		t.Error("the token was not cached")
	}
}

func TestCyclrInstallsSurviveAProfileSave(t *testing.T) {
	ctx := context.Background()
	cd, fd := dirs(t)
	p := &passCounter{pass: testPass}
	s := newFileStore(t, cd, fd, p.fn)
	if err := s.Save(ctx, "prod", testSecret("prod"), testMeta("prod")); err != nil {
		t.Fatal(err)
	}
	in := CyclrInstall{Profile: "prod", APIDomain: "https://api.cyclr.com", Account: "acct", AccountConnectorID: 7, AccessKeyID: "OLD"}
	if err := s.RecordCyclrInstall(in); err != nil {
		t.Fatal(err)
	}
	in.AccessKeyID = "NEW"
	if err := s.RecordCyclrInstall(in); err != nil {
		t.Fatal(err)
	}
	// A rotation saves the profile again: the installs stay.
	if err := s.Save(ctx, "prod", testSecret("prod"), testMeta("prod")); err != nil {
		t.Fatal(err)
	}
	got, err := s.CyclrInstalls("prod")
	if err != nil || len(got) != 1 || got[0].AccessKeyID != "NEW" {
		t.Fatalf("installs = %+v, %v; want the one install, updated", got, err)
	}
}
