package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"cxone-auth/auth"
)

// TestCacheInheritsTenantFindings: a check through the cached endpoints (no tenant
// discovery, no proof) keeps what the full check learnt, so the item is not rewritten for
// nothing; another tenant starts afresh.
func TestCacheInheritsTenantFindings(t *testing.T) {
	full := CacheFromResult(&auth.Result{TokenEndpoint: "https://i/t", AuthMethod: "client_secret_basic", TenantID: "t1",
		APIEndpoint: "https://api", BusinessUnitID: 42, Area: "na1", Cluster: "B32", AccessToken: "a", TokenExpiresAt: time.Now().Add(time.Hour)})
	quick := CacheFromResult(&auth.Result{TokenEndpoint: "https://i/t", AuthMethod: "client_secret_basic", TenantID: "t1",
		APIEndpoint: "https://api", Area: "NA1", AccessToken: "b", TokenExpiresAt: time.Now().Add(2 * time.Hour)})
	quick.Inherit(full)
	if quick.BusinessUnitID != 42 || quick.Area != "na1" || quick.Cluster != "B32" {
		t.Errorf("inherited %+v", *quick)
	}
	if !full.SameFindings(quick) {
		t.Errorf("same endpoints and tenant differ only in the token, yet SameFindings is false")
	}
	other := CacheFromResult(&auth.Result{TenantID: "t2", APIEndpoint: "https://api2"})
	other.Inherit(full)
	if other.BusinessUnitID != 0 || other.Area != "" || other.Cluster != "" {
		t.Errorf("another tenant inherited %+v", *other)
	}
}

// TestExpectSecretWhenTheSaveMovesTheProfile: a save into another keyring than the one the
// profile's entry names compares the entry (the item is in neither the save's keyring nor
// read), so an edit that moves a profile is not refused, and one raced by a rotation is.
func TestExpectSecretWhenTheSaveMovesTheProfile(t *testing.T) {
	s := &Store{}
	sec := Secret{Issuer: "https://i", ClientID: "c", AccessKeyID: "k1", ClientSecret: "s", AccessKeySecret: "ks"}
	cfg := Config{Profiles: map[string]Meta{"p": {Issuer: "https://i", ClientID: "c", AccessKeyID: "k1", Backend: BackendPass}}}
	if err := s.stillAsExpected(context.Background(), BackendFile, "p", cfg, ExpectSecret(sec)); err != nil {
		t.Errorf("unchanged profile moving from pass to file: %v", err)
	}
	cfg.Profiles["p"] = Meta{Issuer: "https://i", ClientID: "c", AccessKeyID: "k2", Backend: BackendPass}
	if err := s.stillAsExpected(context.Background(), BackendFile, "p", cfg, ExpectSecret(sec)); !errors.Is(err, ErrProfileChanged) {
		t.Errorf("rotated meanwhile: %v, want ErrProfileChanged", err)
	}
}
