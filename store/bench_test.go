package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"testing"

	"github.com/99designs/keyring"
	jose "github.com/dvsekhvalnov/jose2go"
)

// BenchmarkDecrypt is one PBES2-HS256+A128KW decryption of a keyring item (what reading one
// profile costs) at the library's default iteration count, at the count this store writes,
// and at the other usual recommendations. The derived figures (a `token`, check --all over 20
// and 100 profiles on the machine's cores) are reported as extra metrics; docs/keyring.md
// discusses them.
func BenchmarkDecrypt(b *testing.B) {
	data, err := json.Marshal(keyring.Item{Key: "profile:bench", Data: []byte(`{"version":1,"issuer":"https://cxone.niceincontact.com","client_id":"x","client_secret":"y","access_key_id":"z","access_key_secret":"w"}`)})
	if err != nil {
		b.Fatal(err)
	}
	for _, p2c := range []int{8192, 100_000, fileIterations, 600_000} {
		tok, err := jose.EncryptBytes(data, jose.PBES2_HS256_A128KW, jose.A256GCM, testPass, jose.Headers(map[string]any{"p2c": p2c}))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("p2c=%d", p2c), func(b *testing.B) {
			for b.Loop() {
				if _, err := decryptJWE(tok, testPass); err != nil {
					b.Fatal(err)
				}
			}
			one := b.Elapsed().Seconds() * 1000 / float64(b.N)
			cores := float64(runtime.GOMAXPROCS(0))
			b.ReportMetric(one, "ms/token")
			b.ReportMetric(one*20/cores, "ms/check-all-20")
			b.ReportMetric(one*100/cores, "ms/check-all-100")
		})
	}
}

// benchProfiles stores n profiles in a fresh file keyring and returns a function opening a
// fresh Store on it (so no passphrase or state is carried over between iterations).
func benchProfiles(b *testing.B, n int) (func() *Store, []string) {
	b.Helper()
	base := b.TempDir()
	cfgDir, fileDir := base+"/config", base+"/keyring"
	open := func() *Store {
		s, err := Open(Options{Backend: BackendFile, ConfigDir: cfgDir, FileDir: fileDir, Getenv: envOf(map[string]string{passphraseEnv: testPass})})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	s := open()
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("p%03d", i)
		if err := s.Save(context.Background(), names[i], testSecret(names[i]), testMeta(names[i])); err != nil {
			b.Fatal(err)
		}
	}
	return open, names
}

// BenchmarkLoad100Serial reads 100 profiles one Load after the other (one decryption each).
func BenchmarkLoad100Serial(b *testing.B) {
	open, names := benchProfiles(b, 100)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		s := open()
		for _, n := range names {
			if _, err := s.Load(ctx, n); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N)/100, "ms/profile")
}

// BenchmarkLoadMany100 reads the same 100 profiles with LoadMany (decryptions spread over
// GOMAXPROCS workers).
func BenchmarkLoadMany100(b *testing.B) {
	open, names := benchProfiles(b, 100)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		for n, r := range open().LoadMany(ctx, names) {
			if r.Err != nil {
				b.Fatalf("%s: %v", n, r.Err)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N)/100, "ms/profile")
}

// BenchmarkGuessFormat1 is what one passphrase guess costs someone who copied a format-1
// keyring: one PBES2 decryption of an item (PBKDF2-HMAC-SHA256, 8,192 rounds) with the
// standard library's fast PBKDF2.
func BenchmarkGuessFormat1(b *testing.B) {
	tok, err := encryptJWE([]byte(`{"Key":"keyring-marker"}`), testPass)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := decryptJWE(tok, "a wrong guess!"); err == nil {
			b.Fatal("a wrong guess opened it")
		}
	}
}

// BenchmarkGuessFormat2 is the same guess against a format-2 keyring: one Argon2id
// derivation with the header's parameters (19 MiB, two passes) and the verifier.
func BenchmarkGuessFormat2(b *testing.B) {
	k, err := newKeyring(testPass)
	if err != nil {
		b.Fatal(err)
	}
	h, err := parseHeader(k.hdrData)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if bytes.Equal(verifierOf(deriveMaster("a wrong guess!", h.KDF)), h.Verifier) {
			b.Fatal("a wrong guess opened it")
		}
	}
}
