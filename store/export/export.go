// Package export holds the encoders of cxone-auth's export formats (env, shell, JSON) and the
// table of formats the command line and the profiles screen read (docs/export.md). An encoder
// writes the variables in Values.Vars order, leaves unknown values out, and refuses a value
// its format cannot hold exactly with an error naming the variable, never the value.
package export

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

// Values are the values an export writes (docs/export.md). Empty values (and a zero
// BusinessUnitID or TokenExpiresAt) are unknown and omitted, never written empty.
type Values struct {
	Issuer          string
	ClientID        string
	ClientSecret    string
	AccessKeyID     string
	AccessKeySecret string
	TenantID        string
	BusinessUnitID  int64
	APIEndpoint     string
	Area            string
	Cluster         string
	AccessToken     string
	TokenExpiresAt  time.Time
}

// Vars returns the variables in their documented order as name/value pairs, unknown ones
// omitted. CXONE_ACCESS_TOKEN and CXONE_ACCESS_TOKEN_EXPIRES_AT (RFC 3339, UTC) appear only
// when AccessToken is set.
func (v Values) Vars() [][2]string {
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
	add("CXONE_AREA", v.Area)
	add("CXONE_CLUSTER", v.Cluster)
	if v.AccessToken != "" {
		add("CXONE_ACCESS_TOKEN", v.AccessToken)
		if !v.TokenExpiresAt.IsZero() {
			add("CXONE_ACCESS_TOKEN_EXPIRES_AT", v.TokenExpiresAt.UTC().Format(time.RFC3339))
		}
	}
	return out
}

// String masks every value, so Values never leaks through fmt.
func (v Values) String() string {
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

// GoString keeps %#v from printing the secrets. It names the type as its callers know it
// (store.ExportValues).
func (v Values) GoString() string { return "store.ExportValues" + v.String() }

// Format makes every fmt verb print the masked form.
func (v Values) Format(f fmt.State, verb rune) { fmt.Fprint(f, v.String()) }

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

// envQuote writes s so that every common dotenv reader and `set -a; . FILE` in bash agree on
// it as far as they can:
//   - made only of A-Za-z0-9_./:@=+- (every real CXone value): bare. No reader changes such a
//     value, and docker --env-file, which takes everything after '=' literally, reads it too.
//   - otherwise, without ', \ or a newline: single quotes. Bash, node dotenv and godotenv
//     take single-quoted text literally; python-dotenv also decodes \\ and \' inside single
//     quotes, hence those exclusions. It expands ${X} inside every kind of quotes, so no
//     encoding carries a value with "${" to it, and single quotes carry one to every other
//     reader (docs/export.md).
//   - otherwise double quotes with \, ", $ and ` backslash-escaped and a newline written as \n:
//     bash gives meaning to exactly those four characters inside double quotes, so sourcing
//     the file never runs or expands anything. Bash keeps \n as the two characters (the
//     dotenv readers turn it into a newline); docs/export.md tabulates who reads what exactly.
//
// NUL cannot be held by an environment variable and a carriage return is turned into a line
// end by node dotenv and python-dotenv, so values holding either are refused. The error names
// the variable, never the value.
func envQuote(name, s string) (string, error) {
	if bareSafe(s) {
		return s, nil
	}
	if err := refuseUnholdable(name, s); err != nil {
		return "", err
	}
	if !strings.ContainsAny(s, "'\\\n") {
		return "'" + s + "'", nil
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ { // bytes, not runes: invalid UTF-8 passes unchanged
		switch c := s[i]; c {
		case '\\', '"', '$', '`':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// refuseUnholdable rejects values that no export format can hold exactly (see envQuote).
func refuseUnholdable(name, s string) error {
	if strings.ContainsAny(s, "\x00\r") {
		return fmt.Errorf("value of %s contains a NUL or carriage return, which an env file cannot hold", name)
	}
	return nil
}

// WriteEnv writes the dotenv format: NAME=value lines, each value bare, single-quoted or
// double-quoted as envQuote decides, so `set -a; . FILE` never runs anything.
func WriteEnv(w io.Writer, v Values) error {
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

// WriteShell writes `export NAME='value'` lines, safe to eval in any POSIX shell. Values with
// a NUL or carriage return are refused, as in WriteEnv.
func WriteShell(w io.Writer, v Values) error {
	var buf bytes.Buffer
	for _, kv := range v.Vars() {
		// A shell keeps a carriage return, but dotenv.Parse and other readers of this format turn
		// CRLF into LF, so CR is refused here as in the env format.
		if err := refuseUnholdable(kv[0], kv[1]); err != nil {
			return err
		}
		buf.WriteString("export " + kv[0] + "=" + shellQuote(kv[1]) + "\n")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteJSON writes one JSON object whose keys are the variable names, in the documented order.
// Every value is a string, exactly as the variable would hold it, so the object converts to
// an environment without type rules.
func WriteJSON(w io.Writer, v Values) error {
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

// Format is one export format: its name (`export --format NAME`), a line for people, the
// extension its files get, and its encoder.
type Format struct {
	Name  string
	Note  string
	Ext   string
	Write func(io.Writer, Values) error
}

// Formats are the export formats, in the order help, completion and menus list them. A new
// format is its encoder in this file and one entry here (store.Formats is this table); the command line and the profiles
// screen read this table.
var Formats = []Format{
	{"env", "dotenv; also docker --env-file when every value is bare", ".env", WriteEnv},
	{"shell", "export NAME='value' lines, safe to eval", ".sh", WriteShell},
	{"json", "one JSON object", ".json", WriteJSON},
}

// FormatNames are the names of Formats, in order.
func FormatNames() []string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name
	}
	return names
}

// FormatNamed returns the format called name.
func FormatNamed(name string) (Format, bool) {
	for _, f := range Formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}
