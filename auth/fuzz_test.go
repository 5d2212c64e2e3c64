package auth

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Fuzz tests of everything that reads a server's words. The seed corpora run with every
// `go test`; `go test ./auth -run '^$' -fuzz FuzzX -fuzztime 30s` explores further.

func jwtOf(payload string) string {
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
}

func FuzzParseClaims(f *testing.F) {
	for _, s := range []string{
		jwtOf(`{"sub":"user:1","tenantId":"t","tenant":"acme","icBUId":4601234,"name":"a@b","exp":1700003600}`),
		jwtOf(`{"icBUId":"4601234","exp":"1700003600"}`),
		jwtOf(`{"icBUId":1e300,"exp":-1}`),
		jwtOf(`[1,2,3]`),
		jwtOf(`{"name":"\u001b]0;x\u0007"}`),
		"a.b", "a.b.c.d", "...", "", "x.!!!.y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := ParseClaims(tok)
		if err != nil {
			if c != (Claims{}) {
				t.Errorf("claims returned with an error: %+v", c)
			}
			return
		}
		if !c.Expiry.IsZero() && c.Expiry.Year() > 36000 {
			t.Errorf("expiry out of range: %v", c.Expiry)
		}
		_ = c.user()
	})
}

func FuzzParseErrorBody(f *testing.F) {
	for _, s := range []string{
		`{"error":"invalid_client","error_description":"bad"}`,
		`{"error":"invalid_grant","errorDescription":"inactive"}`,
		`{"message":"No known way to render data"}`,
		`{"error":{"nested":true},"message":["a"]}`,
		`<html><body>502 Bad Gateway</body></html>`,
		"{\"error\":\"x\",\"errorDescription\":\"\x1b[31mred\x1b[0m\"}",
		``, `null`, `"just a string"`, `{"error":`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		code, desc := ParseErrorBody(body)
		for _, s := range []string{code, desc} {
			if !clean(s) {
				t.Errorf("unsanitised output %q", s)
			}
			if utf8.RuneCountInString(s) > maxSanitized {
				t.Errorf("output of %d characters, want at most %d", utf8.RuneCountInString(s), maxSanitized)
			}
		}
	})
}

// clean reports that s is fit for a terminal: valid UTF-8, no byte below 0x20, no DEL, no C1
// control (U+0080–U+009F, which also rules out the 8-bit escape introducers), no bidirectional
// control, no line or paragraph separator. With no ESC, no escape sequence can start.
func clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return false
		}
	}
	for _, r := range s {
		if (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// hostile are seeds with every kind of sequence and character the sanitiser must remove.
var hostile = []string{
	"plain text", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07after", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
	"\x1bPdcs\x1b\\", "\x1bXsos\x1b\\", "\x1b^pm\x1b\\", "\x1b_apc\x1b\\", "\x1b\x1b[2J", "\x1b[3\x1b[0m",
	"\u009b31m", "\u009d0;t\u009c", "\u0090dcs\u009c", "\u0098sos\u009c", "\u009epm\u009c", "\u009fapc\u009c",
	"\x9b31m", "\x9d0;t\x9c", "a\r\nb\tc", "\xff\xfe", strings.Repeat("é", 400), strings.Repeat("A", 5000),
	"\u202eevil\u202c", "\u2066iso\u2069\u200e\u200f\u061c", "a\u2028b\u2029c", "\ufeff\u200bzero", "\x1b", "\u009b",
	"\x7f\x00\u0085", " \u00a0 spaced \u3000 ",
}

func FuzzSanitize(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		if !clean(out) {
			t.Errorf("Sanitize(%q) = %q is not clean", s, out)
		}
		if utf8.RuneCountInString(out) > maxSanitized {
			t.Errorf("Sanitize output of %d characters", utf8.RuneCountInString(out))
		}
		if again := Sanitize(out); again != out {
			t.Errorf("not idempotent: %q then %q", out, again)
		}
	})
}

func FuzzCleanInput(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CleanInput(s)
		if !clean(out) {
			t.Errorf("CleanInput(%q) = %q is not clean", s, out)
		}
		if strings.ContainsFunc(out, func(r rune) bool { return unicode.Is(unicode.Cf, r) || r == utf8.RuneError }) {
			t.Errorf("CleanInput(%q) = %q keeps a format character or U+FFFD", s, out)
		}
		if utf8.RuneCountInString(out) > MaxValueLen {
			t.Errorf("CleanInput output of %d characters", utf8.RuneCountInString(out))
		}
		if strings.TrimSpace(out) != out {
			t.Errorf("CleanInput(%q) = %q is not trimmed", s, out)
		}
		if again := CleanInput(out); again != out {
			t.Errorf("not idempotent: %q then %q", out, again)
		}
	})
}

func FuzzValidateIssuer(f *testing.F) {
	for _, s := range []string{
		"https://cxone.niceincontact.com", "http://127.0.0.1:8787/", "http://[::1]:1", "http://localhost",
		"http://cxone.example.com", "ftp://127.0.0.1", "not a url", "https://u:p@host", "https://h/?q=1", "",
		"http://foo.localhost:1", "http://localhost.:1", "http://[::ffff:127.0.0.1]", "https://h\u202e.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iss, err := ValidateIssuer(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(iss, "https://") && !strings.HasPrefix(iss, "http://") {
			t.Errorf("accepted %q as %q: neither https nor http", s, iss)
		}
		if strings.HasPrefix(iss, "http://") {
			u, _ := url.Parse(iss)
			if u == nil || !IsLoopback(u.Hostname()) {
				t.Errorf("accepted http issuer %q off loopback", iss)
			}
		}
		if !clean(iss) {
			t.Errorf("accepted %q as %q, which is not clean for a terminal", s, iss)
		}
		if again, err := ValidateIssuer(iss); err != nil || again != iss {
			t.Errorf("not stable: %q → %q → %q, %v", s, iss, again, err)
		}
	})
}
