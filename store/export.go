package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ExportValues are the values an export writes (SPEC section 7). Empty values (and a zero
// BusinessUnitID or TokenExpiresAt) are unknown and omitted.
type ExportValues struct {
	Issuer          string
	ClientID        string
	ClientSecret    string
	AccessKeyID     string
	AccessKeySecret string
	TenantID        string
	BusinessUnitID  int64
	APIEndpoint     string
	AccessToken     string
	TokenExpiresAt  time.Time
}

// Vars returns the variables in their documented order as name/value pairs, unknown ones
// omitted. CXONE_ACCESS_TOKEN and CXONE_ACCESS_TOKEN_EXPIRES_AT (RFC 3339, UTC) appear only
// when AccessToken is set.
func (v ExportValues) Vars() [][2]string {
	var out [][2]string
	add := func(name, value string) {
		if value != "" {
			out = append(out, [2]string{name, value})
		}
	}
	add("CXONE_ISSUER", v.Issuer)
	add("CXONE_CLIENT_ID", v.ClientID)
	add("CXONE_CLIENT_SECRET", v.ClientSecret)
	add("CXONE_ACCESS_KEY_ID", v.AccessKeyID)
	add("CXONE_ACCESS_KEY_SECRET", v.AccessKeySecret)
	add("CXONE_TENANT_ID", v.TenantID)
	if v.BusinessUnitID != 0 {
		add("CXONE_BUSINESS_UNIT_ID", strconv.FormatInt(v.BusinessUnitID, 10))
	}
	add("CXONE_API_ENDPOINT", v.APIEndpoint)
	if v.AccessToken != "" {
		add("CXONE_ACCESS_TOKEN", v.AccessToken)
		if !v.TokenExpiresAt.IsZero() {
			add("CXONE_ACCESS_TOKEN_EXPIRES_AT", v.TokenExpiresAt.UTC().Format(time.RFC3339))
		}
	}
	return out
}

// String masks every value, so ExportValues never leaks through fmt.
func (v ExportValues) String() string {
	var b strings.Builder
	b.WriteString("{")
	for i, kv := range v.Vars() {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(kv[0] + ":(set)")
	}
	b.WriteString("}")
	return b.String()
}

// GoString keeps %#v from printing the secrets.
func (v ExportValues) GoString() string { return "store.ExportValues" + v.String() }

// Format makes every fmt verb print the masked form.
func (v ExportValues) Format(f fmt.State, verb rune) { fmt.Fprint(f, v.String()) }

// bareSafe reports whether a value can be written unquoted in the env format.
func bareSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case strings.IndexByte("_./:@=+-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// envQuote double-quotes s for a dotenv file that bash can also source. Inside double quotes
// bash gives meaning only to \, ", $ and `, so those are backslash-escaped. A newline stays
// a literal newline inside the quotes: bash keeps it (a backslash-newline would be removed
// as a line continuation), and dotenv readers accept multi-line quoted values. A carriage
// return or NUL cannot round-trip through every reader, so such values are refused.
func envQuote(name, s string) (string, error) {
	if bareSafe(s) {
		return s, nil
	}
	if strings.ContainsAny(s, "\x00\r") {
		return "", fmt.Errorf("value of %s contains a NUL or carriage return, which an env file cannot hold", name)
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ { // bytes, not runes: invalid UTF-8 must pass unchanged
		switch s[i] {
		case '\\', '"', '$', '`':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String(), nil
}

// WriteEnv writes the dotenv format: NAME=value lines, values made only of A-Za-z0-9_./:@=+-
// bare, others double-quoted (see envQuote), so `set -a; . FILE` never runs anything.
func WriteEnv(w io.Writer, v ExportValues) error {
	var buf bytes.Buffer
	for _, kv := range v.Vars() {
		q, err := envQuote(kv[0], kv[1])
		if err != nil {
			return err
		}
		buf.WriteString(kv[0] + "=" + q + "\n")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// shellQuote single-quotes s for POSIX shells: only the quote itself needs care; it closes
// the quotes, adds an escaped quote and reopens them.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// WriteShell writes `export NAME='value'` lines, safe to eval in any POSIX shell.
func WriteShell(w io.Writer, v ExportValues) error {
	var buf bytes.Buffer
	for _, kv := range v.Vars() {
		if strings.ContainsRune(kv[1], 0) {
			return fmt.Errorf("value of %s contains a NUL, which a shell variable cannot hold", kv[0])
		}
		buf.WriteString("export " + kv[0] + "=" + shellQuote(kv[1]) + "\n")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteJSON writes one JSON object whose keys are the variable names, in the documented order.
// Every value is a string, exactly as the variable would hold it, so the object converts to
// an environment without type rules.
func WriteJSON(w io.Writer, v ExportValues) error {
	var buf bytes.Buffer
	buf.WriteString("{")
	for i, kv := range v.Vars() {
		if i > 0 {
			buf.WriteString(",")
		}
		k, err := json.Marshal(kv[0])
		if err != nil {
			return err
		}
		if !utf8.ValidString(kv[1]) {
			// JSON would silently replace the bad bytes; refuse rather than export a changed value.
			return fmt.Errorf("value of %s is not valid UTF-8, which JSON cannot hold exactly", kv[0])
		}
		val, err := marshalNoHTMLEscape(kv[1])
		if err != nil {
			return fmt.Errorf("encode %s: %w", kv[0], err)
		}
		buf.WriteString("\n  ")
		buf.Write(k)
		buf.WriteString(": ")
		buf.Write(val)
	}
	if len(v.Vars()) > 0 {
		buf.WriteString("\n")
	}
	buf.WriteString("}\n")
	_, err := w.Write(buf.Bytes())
	return err
}

func marshalNoHTMLEscape(s string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
