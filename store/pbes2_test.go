package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/dvsekhvalnov/jose2go"
	"github.com/dvsekhvalnov/jose2go/base64url"
)

// jose2goPBES2 is jose2go's own PBES2-HS256+A128KW, which pbes2HS256 replaces in jose2go's
// registry: the reference it must agree with.
var jose2goPBES2 = jose.NewPbse2HmacAesKWAlg(128, pbes2MaxIterations, 0)

// TestPBES2AgreesWithJose2go: a content key wrapped by either implementation is unwrapped to
// the same bytes by the other, so keyring files written before and after the change, by this
// store or by the keyring library, open either way.
func TestPBES2AgreesWithJose2go(t *testing.T) {
	for _, p2c := range []int{1, 8192, 310_000} {
		// Ours wraps, jose2go unwraps.
		h := map[string]any{"alg": jose.PBES2_HS256_A128KW, "p2c": p2c}
		cek, wrapped, err := pbes2HS256{}.WrapNewKey(256, testPass, h)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jose2goPBES2.Unwrap(wrapped, testPass, 256, roundTrip(t, h))
		if err != nil || !bytes.Equal(got, cek) {
			t.Errorf("p2c %d: jose2go could not unwrap our key: %v", p2c, err)
		}
		// jose2go wraps, ours unwraps.
		h = map[string]any{"alg": jose.PBES2_HS256_A128KW, "p2c": p2c}
		cek, wrapped, err = jose2goPBES2.WrapNewKey(256, testPass, h)
		if err != nil {
			t.Fatal(err)
		}
		got, err = pbes2HS256{}.Unwrap(wrapped, testPass, 256, roundTrip(t, h))
		if err != nil || !bytes.Equal(got, cek) {
			t.Errorf("p2c %d: we could not unwrap jose2go's key: %v", p2c, err)
		}
		if _, err := (pbes2HS256{}).Unwrap(wrapped, "not the passphrase", 256, roundTrip(t, h)); err == nil {
			t.Errorf("p2c %d: a wrong passphrase unwrapped the key", p2c)
		}
	}
}

// roundTrip is a header as a reader sees it: JSON numbers become float64.
func roundTrip(t *testing.T, h map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPBES2IsRegistered: the store's items go through pbes2HS256, and a whole item written
// through jose2go's registry decrypts with the store's read path.
func TestPBES2IsRegistered(t *testing.T) {
	tok, err := encryptJWE([]byte(`{"Key":"profile:x"}`), testPass)
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := base64url.Decode(strings.Split(tok, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(hdr, &h); err != nil || h["alg"] != jose.PBES2_HS256_A128KW || h["p2c"] != float64(fileIterations) {
		t.Fatalf("header %s: %v", hdr, err)
	}
	if out, err := decryptJWE(tok, testPass); err != nil || string(out) != `{"Key":"profile:x"}` {
		t.Fatalf("decrypt: %q, %v", out, err)
	}
	// What the fix is for: one decryption allocates a few dozen objects, not two per
	// iteration (jose2go's PBKDF2 made some 16,000 at 8,192 iterations).
	if n := testing.AllocsPerRun(3, func() { _, _ = decryptJWE(tok, testPass) }); n > 1000 {
		t.Errorf("one decryption made %.0f allocations", n)
	}
}

// TestPBES2Bounds: a hostile header cannot make a read run PBKDF2 for minutes, nor with no
// salt or no iterations.
func TestPBES2Bounds(t *testing.T) {
	_, wrapped, err := pbes2HS256{}.WrapNewKey(256, testPass, map[string]any{"alg": jose.PBES2_HS256_A128KW})
	if err != nil {
		t.Fatal(err)
	}
	for name, h := range map[string]map[string]any{
		"p2c above the cap": {"p2c": float64(pbes2MaxIterations + 1), "p2s": "AAAAAAAAAAAAAAAA"},
		"p2c zero":          {"p2c": float64(0), "p2s": "AAAAAAAAAAAAAAAA"},
		"p2c fractional":    {"p2c": 8192.5, "p2s": "AAAAAAAAAAAAAAAA"},
		"p2c missing":       {"p2s": "AAAAAAAAAAAAAAAA"},
		"p2s missing":       {"p2c": float64(8192)},
		"p2s not base64url": {"p2c": float64(8192), "p2s": "!!"},
	} {
		if _, err := (pbes2HS256{}).Unwrap(wrapped, testPass, 256, h); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, _, err := (pbes2HS256{}).WrapNewKey(256, testPass, map[string]any{"p2c": pbes2MaxIterations + 1}); err == nil {
		t.Error("wrapping with p2c above the cap was accepted")
	}
	if _, _, err := (pbes2HS256{}).WrapNewKey(256, []byte("not a string"), map[string]any{}); err == nil {
		t.Error("a key that is not a passphrase was accepted")
	}
}
