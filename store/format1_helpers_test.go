package store

import (
	"time"

	jose "github.com/dvsekhvalnov/jose2go"
)

// encryptJWE encrypts one item's JSON in format 1 with the passphrase, fileIterations rounds
// (tests and benchmarks make format-1 keyrings with it).
func encryptJWE(payload []byte, pass string) (string, error) {
	return jose.EncryptBytes(payload, jose.PBES2_HS256_A128KW, jose.A256GCM, pass,
		jose.Headers(map[string]any{"created": time.Now().UTC().Format(time.RFC3339), "p2c": fileIterations}))
}
