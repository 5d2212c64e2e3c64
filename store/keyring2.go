package store

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/99designs/keyring"
	"golang.org/x/crypto/argon2"
)

// Format 2 of the encrypted-file keyring (docs/keyring.md, "Format 2"):
//
//	keyring.json   {"format":2,"kdf":{"name":"argon2id","memory_kib":19456,"time":2,
//	               "threads":1,"salt":"…"},"verifier":"…"}
//	profile:NAME   cxk2.<nonce>.<sealed item JSON>   (base64url, AES-256-GCM)
//
// The passphrase becomes one 32-byte master key per keyring (Argon2id with the header's
// parameters and salt); the item key and the verifier are derived from it with HKDF-SHA256.
// The verifier tells a wrong passphrase before any item is touched; each item is sealed with
// a random nonce and its own keyring key ("profile:NAME") as associated data, so an item file
// copied or renamed onto another profile's file does not open.

// headerName is the format-2 header file in the keyring folder.
const headerName = "keyring.json"

// migrateDirName is the staging folder of a format-1 to format-2 migration (docs/keyring.md,
// "Migration"). It is not a tmpPrefix name: once the header is committed its files are the
// keyring's items, and nothing but finishMigration may remove it.
const migrateDirName = ".migrate-2"

// itemPrefix2 starts every format-2 item file.
const itemPrefix2 = "cxk2."

// The Argon2id parameters of new keyrings: OWASP's minimum (19 MiB, two passes, one lane).
// Headers may ask for more, within the kdfMax bounds, so a hostile header cannot make a read
// take minutes or gigabytes.
const (
	kdfMemoryKiB = 19 * 1024
	kdfTime      = 2
	kdfThreads   = 1
	kdfSaltLen   = 16

	kdfMaxMemoryKiB = 1 << 20 // 1 GiB
	kdfMaxTime      = 32
	kdfMaxThreads   = 16
	maxHeaderSize   = 4 << 10
)

// kdfParams are the header's key-derivation settings.
type kdfParams struct {
	Name      string `json:"name"`
	MemoryKiB uint32 `json:"memory_kib"`
	Time      uint32 `json:"time"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
}

// header2 is keyring.json.
type header2 struct {
	Format   int       `json:"format"`
	KDF      kdfParams `json:"kdf"`
	Verifier []byte    `json:"verifier"`
}

// errHeader marks a keyring.json that is not a usable format-2 header.
var errHeader = errors.New("the keyring header keyring.json is damaged or not one this cxone-auth reads")

// ErrItemMismatch reports an item file that does not open with the keyring's key although the
// passphrase is right: it was copied or renamed from another profile's file, or damaged.
var ErrItemMismatch = errors.New("the item does not belong to this profile (copied or renamed from another profile's file) or is damaged")

// ErrWeakPassphrase reports a new keyring's passphrase that is long enough but has no variety
// (only spaces, or one character repeated).
var ErrWeakPassphrase = errors.New("the passphrase of a new encrypted-file keyring must not be only spaces or one character repeated; " +
	"use several unrelated words or a random string from a password manager")

// CheckNewPassphrase applies the rules for the passphrase of a new encrypted-file keyring: at
// least MinPassphraseLen characters, not only white space, not one character repeated. It
// returns ErrPassphraseTooShort or ErrWeakPassphrase.
func CheckNewPassphrase(p string) error {
	if utf8.RuneCountInString(p) < MinPassphraseLen {
		return ErrPassphraseTooShort
	}
	if strings.TrimFunc(p, unicode.IsSpace) == "" {
		return ErrWeakPassphrase
	}
	first, _ := utf8.DecodeRuneInString(p)
	if strings.Trim(p, string(first)) == "" {
		return ErrWeakPassphrase
	}
	return nil
}

// ringKey is a format-2 keyring's key material, as derived from the passphrase (or handed
// over by the unlock agent): the master key, the item key and verifier derived from it, and
// the header they belong to.
type ringKey struct {
	master  []byte
	aead    cipher.AEAD
	hdrData []byte // keyring.json as read
}

func newHeader() (header2, error) {
	salt := make([]byte, kdfSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return header2{}, err
	}
	return header2{Format: 2, KDF: kdfParams{Name: "argon2id", MemoryKiB: kdfMemoryKiB, Time: kdfTime, Threads: kdfThreads, Salt: salt}}, nil
}

// parseHeader reads and checks keyring.json's bytes.
func parseHeader(data []byte) (header2, error) {
	var h header2
	if err := json.Unmarshal(data, &h); err != nil {
		return h, errHeader
	}
	k := h.KDF
	switch {
	case h.Format != 2, k.Name != "argon2id":
		return h, fmt.Errorf("%w (format %d, kdf %q)", errHeader, h.Format, k.Name)
	case k.MemoryKiB < kdfMemoryKiB || k.MemoryKiB > kdfMaxMemoryKiB || k.Time < kdfTime || k.Time > kdfMaxTime ||
		k.Threads < 1 || k.Threads > kdfMaxThreads:
		return h, fmt.Errorf("%w (Argon2id parameters outside m=%d..%d KiB, t=%d..%d, p=1..%d)", errHeader,
			kdfMemoryKiB, kdfMaxMemoryKiB, kdfTime, kdfMaxTime, kdfMaxThreads)
	case len(k.Salt) < 16 || len(k.Salt) > 64 || len(h.Verifier) != 32:
		return h, fmt.Errorf("%w (salt or verifier of the wrong size)", errHeader)
	}
	return h, nil
}

// ReadKeyringHeader is the encrypted-file keyring's header in dir as the store reads it (a
// regular file, never through a link, at most maxHeaderSize bytes): (nil, nil) when there is
// none. The unlock agent is asked for the key of exactly these bytes.
func ReadKeyringHeader(dir string) ([]byte, error) { return readHeader(dir) }

// readHeader reads keyring.json: (nil, nil) when there is none.
func readHeader(dir string) ([]byte, error) {
	data, err := readFileLimited(filepath.Join(dir, headerName), maxHeaderSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// deriveMaster is Argon2id over the passphrase with the header's parameters; a seam for
// tests that count key derivations.
var deriveMaster = func(pass string, k kdfParams) []byte {
	return argon2.IDKey([]byte(pass), k.Salt, k.Time, k.MemoryKiB, k.Threads, 32)
}

// derivations counts this process's key derivations, for the debug log (scripts/bench counts
// them there).
var derivations atomic.Int64

// derive runs the derivation and then a garbage collection: Argon2id's memory (19 MiB or more,
// pointer-free, so the collection is quick) is free for what the command does next instead of
// staying in the heap until the heap has doubled, which would add it to the process's peak.
func derive(pass string, k kdfParams) []byte {
	derivations.Add(1)
	m := deriveMaster(pass, k)
	runtime.GC()
	return m
}

// verifierOf is what the header stores to check a master key.
func verifierOf(master []byte) []byte {
	v, err := hkdf.Key(sha256.New, master, nil, "cxone-auth keyring v2 verifier", 32)
	if err != nil {
		panic(err) // only for lengths out of range
	}
	return v
}

// keyFromMaster checks master against the header and returns the key material, or
// ErrWrongPassphrase.
func keyFromMaster(master, hdrData []byte) (*ringKey, error) {
	h, err := parseHeader(hdrData)
	if err != nil {
		return nil, err
	}
	if len(master) != 32 || subtle.ConstantTimeCompare(verifierOf(master), h.Verifier) != 1 {
		return nil, ErrWrongPassphrase
	}
	ik, err := hkdf.Key(sha256.New, master, nil, "cxone-auth keyring v2 item key", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(ik)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &ringKey{master: bytes.Clone(master), aead: aead, hdrData: bytes.Clone(hdrData)}, nil
}

// derivedKeys caches, for this process, the master key of each (header, passphrase) pair it
// derived, so several Stores of one run (the wizard opens more than one) derive the key once.
// It lives only in memory, like the Store's copy of the passphrase. The map key is a SHA-256
// of the header and the passphrase: a fast hash, but never written anywhere.
var derivedKeys = struct {
	sync.Mutex
	m map[[32]byte][]byte
}{m: map[[32]byte][]byte{}}

// keyFromPass derives (once per process) the key of the keyring whose header is hdrData.
func keyFromPass(pass string, hdrData []byte) (*ringKey, error) {
	h, err := parseHeader(hdrData)
	if err != nil {
		return nil, err
	}
	id := sha256.Sum256(append(append(bytes.Clone(hdrData), 0), pass...))
	derivedKeys.Lock()
	master, ok := derivedKeys.m[id]
	derivedKeys.Unlock()
	if !ok {
		master = derive(pass, h.KDF)
	}
	k, err := keyFromMaster(master, hdrData)
	if err == nil && !ok {
		derivedKeys.Lock()
		derivedKeys.m[id] = master
		derivedKeys.Unlock()
	}
	return k, err
}

// newKeyring makes the header of a new keyring for pass and its key.
func newKeyring(pass string) (*ringKey, error) {
	h, err := newHeader()
	if err != nil {
		return nil, err
	}
	master := derive(pass, h.KDF)
	h.Verifier = verifierOf(master)
	data, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return keyFromMaster(master, append(data, '\n'))
}

var b64 = base64.RawURLEncoding

// aad2 is the associated data of an item: its keyring key, so it opens only under its own
// file name.
func aad2(key string) []byte { return []byte("cxone-auth keyring v2\x00" + key) }

// seal2 is the file content of item under k.
func (k *ringKey) seal2(item keyring.Item) ([]byte, error) {
	data, err := json.Marshal(item)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	ct := k.aead.Seal(nil, nonce, data, aad2(item.Key))
	return []byte(itemPrefix2 + b64.EncodeToString(nonce) + "." + b64.EncodeToString(ct)), nil
}

// sealedSize2 is the length of the file seal2 writes for an item whose JSON has n bytes.
func sealedSize2(n int) int {
	return len(itemPrefix2) + b64.EncodedLen(12) + 1 + b64.EncodedLen(n+16)
}

// is2 reports whether a file's content is a format-2 item.
func is2(data []byte) bool { return bytes.HasPrefix(bytes.TrimSpace(data), []byte(itemPrefix2)) }

// open2 opens a format-2 item file's content for key. errCorruptItem: not a format-2 item
// at all; ErrItemMismatch: sealed, but not for this key under this keyring's key.
func (k *ringKey) open2(data []byte, key string) (keyring.Item, error) {
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(data), []byte(itemPrefix2))
	if !ok {
		return keyring.Item{}, errCorruptItem
	}
	n64, c64, ok := bytes.Cut(rest, []byte("."))
	if !ok {
		return keyring.Item{}, errCorruptItem
	}
	nonce, err1 := b64.DecodeString(string(n64))
	ct, err2 := b64.DecodeString(string(c64))
	if err1 != nil || err2 != nil || len(nonce) != k.aead.NonceSize() {
		return keyring.Item{}, errCorruptItem
	}
	pt, err := k.aead.Open(nil, nonce, ct, aad2(key))
	if err != nil {
		return keyring.Item{}, ErrItemMismatch
	}
	var item keyring.Item
	if err := json.Unmarshal(pt, &item); err != nil || item.Key != key {
		return keyring.Item{}, ErrItemMismatch
	}
	return item, nil
}

// readFileLimited reads a regular file (never through a symbolic link) up to limit bytes.
func readFileLimited(path string, limit int64) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, limit)
}
