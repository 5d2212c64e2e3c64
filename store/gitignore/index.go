package gitignore

// The git index reader: git never ignores a tracked file, so the index (versions 2 to 4,
// SHA-1 or SHA-256, split indexes through their link extension) is looked up for the path.

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxIndexSize bounds the index read; a bigger one counts as unreadable.
const maxIndexSize = 256 << 20

// tracked reports whether rel is in the index of gitDir, so git would not ignore it. An index
// that exists but cannot be read counts as tracking it (the warning is then shown).
func tracked(gitDir, rel string) bool {
	f, err := os.Open(filepath.Join(gitDir, "index"))
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	defer f.Close()
	data, err := readLimited(f, maxIndexSize)
	if err != nil {
		return true
	}
	in, link, err := indexLookup(data, rel)
	if in || err != nil {
		return true
	}
	if link == "" {
		return false
	}
	// A split index (core.splitIndex): most entries live in the shared index the link
	// extension names. An entry the split index deleted still counts as tracked there, which
	// can only show the warning where git would not.
	sf, err := os.Open(filepath.Join(gitDir, "sharedindex."+link))
	if err != nil {
		return true
	}
	defer sf.Close()
	shared, err := readLimited(sf, maxIndexSize)
	if err != nil {
		return true
	}
	in, link, err = indexLookup(shared, rel)
	return in || link != "" || err != nil
}

// errIndex reports an index file this reader does not understand.
var errIndex = errors.New("unreadable git index")

// indexLookup reports whether the index (format versions 2 to 4, SHA-1 or SHA-256) lists
// rel, or a sparse folder entry containing it, and, for a split index, the hex name of the
// shared index its link extension points to (sharedindex.NAME in the git folder).
func indexLookup(data []byte, rel string) (bool, string, error) {
	if len(data) < 12 || string(data[:4]) != "DIRC" {
		return false, "", errIndex
	}
	// The trailing checksum tells the hash size; an index written with index.skipHash has
	// zeros there, and then both sizes are tried.
	sizes := []int{20, 32}
	switch {
	case len(data) >= 32 && bytes.Equal(sha1Sum(data[:len(data)-20]), data[len(data)-20:]):
		sizes = []int{20}
	case len(data) >= 44 && bytes.Equal(sha256Sum(data[:len(data)-32]), data[len(data)-32:]):
		sizes = []int{32}
	}
	for _, size := range sizes {
		if in, link, err := indexHasWithHash(data, rel, size); err == nil {
			return in, link, nil
		}
	}
	return false, "", errIndex
}

func sha1Sum(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func indexHasWithHash(data []byte, rel string, hashSize int) (bool, string, error) {
	version := binary.BigEndian.Uint32(data[4:8])
	if version < 2 || version > 4 {
		return false, "", errIndex
	}
	count := binary.BigEndian.Uint32(data[8:12])
	end := len(data) - hashSize
	pos := 12
	prev := ""
	found := false
	for n := uint32(0); n < count; n++ {
		start := pos
		fixed := 40 + hashSize + 2
		if pos+fixed > end {
			return false, "", errIndex
		}
		flags := binary.BigEndian.Uint16(data[pos+40+hashSize:])
		pos += fixed
		if flags&0x4000 != 0 {
			if version < 3 || pos+2 > end {
				return false, "", errIndex
			}
			pos += 2
		}
		var name string
		if version == 4 {
			strip, l := indexVarint(data[pos:end])
			if l == 0 || strip > uint64(len(prev)) {
				return false, "", errIndex
			}
			pos += l
			nul := bytes.IndexByte(data[pos:end], 0)
			if nul < 0 {
				return false, "", errIndex
			}
			name = prev[:len(prev)-int(strip)] + string(data[pos:pos+nul])
			pos += nul + 1
		} else {
			nul := bytes.IndexByte(data[pos:end], 0)
			if nul < 0 {
				return false, "", errIndex
			}
			name = string(data[pos : pos+nul])
			// Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
			pos = start + (pos-start+nul+8)&^7
			if pos > end {
				return false, "", errIndex
			}
		}
		if l := int(flags & 0xfff); l != 0xfff && l != len(name) {
			return false, "", errIndex
		}
		if name == rel || strings.HasSuffix(name, "/") && strings.HasPrefix(rel, name) {
			found = true
		}
		prev = name
	}
	link, err := indexExtensions(data[pos:end], hashSize)
	if err != nil {
		return false, "", err
	}
	return found, link, nil
}

// indexExtensions reads the extensions after the entries: each a 4-byte signature, a 4-byte
// size and its data. It returns the shared index named by a "link" extension (split index).
// A signature starting with a capital letter is optional to understand (git's rule); any
// other unknown one changes what the entries mean, so the index counts as unreadable.
func indexExtensions(ext []byte, hashSize int) (link string, err error) {
	for len(ext) > 0 {
		if len(ext) < 8 {
			return "", errIndex
		}
		sig, size := string(ext[:4]), binary.BigEndian.Uint32(ext[4:8])
		if uint64(size) > uint64(len(ext)-8) {
			return "", errIndex
		}
		body := ext[8 : 8+size]
		switch {
		case sig == "link":
			if len(body) < hashSize {
				return "", errIndex
			}
			link = hex.EncodeToString(body[:hashSize])
		case sig == "sdir": // sparse directories: the entries say it all
		case sig[0] >= 'A' && sig[0] <= 'Z':
		default:
			return "", errIndex
		}
		ext = ext[8+size:]
	}
	return link, nil
}

// indexVarint decodes the offset encoding of index version 4; l is 0 when it is malformed.
func indexVarint(b []byte) (v uint64, l int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	v = uint64(c & 0x7f)
	l = 1
	for c&0x80 != 0 {
		if l >= len(b) || l > 9 {
			return 0, 0
		}
		c = b[l]
		v = (v+1)<<7 | uint64(c&0x7f)
		l++
	}
	return v, l
}
