package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// Every --json output goes through writeJSON. A string from a server or config.json holding
// C1 controls (U+009B is an 8-bit CSI), DEL, bidirectional overrides, line separators or other
// format characters (a zero-width joiner, a tag character above U+FFFF) must reach the
// terminal as \uXXXX escapes, never raw, and still decode to the very same value.
func TestWriteJSONEscapesInvisibleRunes(t *testing.T) {
	in := map[string]string{
		"c1":    "a\u009b2J\u009d0;title\u009c\u0085b",
		"bidi":  "x\u202eevil\u2066\u2069\u200e",
		"fmt":   "zero\u200bwidth\u200d\ufeff\U000e0041",
		"lines": "l\u2028m\u2029n\u007f",
		"plain": "CXone prod — Zürich <&> \"q\" \\ ✓",
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, in); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	for _, r := range raw {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			t.Errorf("writeJSON wrote %U raw:\n%q", r, raw)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("the output is not JSON: %v\n%s", err, raw)
	}
	for k, v := range in {
		if back[k] != v {
			t.Errorf("%s: decoded %q, want %q", k, back[k], v)
		}
	}
	if !strings.Contains(raw, `\u009b`) || !strings.Contains(raw, `\udb40\udc41`) || !strings.Contains(raw, "Zürich") {
		t.Errorf("want C1 and astral format runes as escapes and printable text as it is:\n%s", raw)
	}
}
