package export

import (
	"bytes"
	"cxone-auth/store/dotenv"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// tricky are values that need quoting in every format.
var tricky = []string{
	"plain-Value_1.2:3@4=5+6/7",
	"with space",
	`dq"inside`,
	"sq'inside",
	"dollar $HOME and ${PATH}",
	"backtick `id` and $(touch pwned)",
	"new\nline\n",
	"a=b=c",
	`back\slash\n\`,
	"tab\there",
	"  leading and trailing  ",
	"hash # not a comment",
	"semi;colon&amp|pipe>redir<in",
	"unicodé ✓ 🔑",
	"!bang !! ^caret ~tilde *star ?q [br]",
	"'",
	`"`,
	"\\",
	"=",
}

func trickyValues(s string) Values {
	return Values{
		Issuer: "https://cxone.niceincontact.com", ClientID: "client " + s, ClientSecret: s,
		AccessKeyID: "ZO4E" + s, AccessKeySecret: s + s, TenantID: "11eb-" + s, BusinessUnitID: 4601234,
		APIEndpoint: "https://api-na1.niceincontact.com", AccessToken: "tok." + s,
		TokenExpiresAt: time.Date(2026, 11, 23, 21, 0, 0, 0, time.FixedZone("x", 3600)),
	}
}

func varsMap(v Values) map[string]string {
	m := map[string]string{}
	for _, kv := range v.Vars() {
		m[kv[0]] = kv[1]
	}
	return m
}

func TestVarsOrderAndOmission(t *testing.T) {
	tests := []struct {
		name string
		in   Values
		want [][2]string
	}{
		{"empty", Values{}, nil},
		{"partial", Values{ClientID: "c", AccessKeySecret: "s"}, [][2]string{{"CXONE_CLIENT_ID", "c"}, {"CXONE_ACCESS_KEY_SECRET", "s"}}},
		{"expiry without token is dropped", Values{Issuer: "i", TokenExpiresAt: time.Unix(1, 0)}, [][2]string{{"CXONE_ISSUER", "i"}}},
		{"all", Values{Issuer: "i", ClientID: "c", ClientSecret: "cs", AccessKeyID: "k", AccessKeySecret: "ks", TenantID: "t",
			BusinessUnitID: 42, APIEndpoint: "a", AccessToken: "tok", TokenExpiresAt: time.Date(2026, 1, 2, 4, 4, 5, 0, time.FixedZone("x", 3600))},
			[][2]string{{"CXONE_ISSUER", "i"}, {"CXONE_CLIENT_ID", "c"}, {"CXONE_CLIENT_SECRET", "cs"}, {"CXONE_ACCESS_KEY_ID", "k"},
				{"CXONE_ACCESS_KEY_SECRET", "ks"}, {"CXONE_TENANT_ID", "t"}, {"CXONE_BUSINESS_UNIT_ID", "42"}, {"CXONE_API_ENDPOINT", "a"},
				{"CXONE_ACCESS_TOKEN", "tok"}, {"CXONE_ACCESS_TOKEN_EXPIRES_AT", "2026-01-02T03:04:05Z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.Vars(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Vars() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWriteEnvLayout(t *testing.T) {
	var b bytes.Buffer
	v := Values{Issuer: "https://cxone.niceincontact.com", ClientID: "485a-647f", ClientSecret: "a b", BusinessUnitID: 7}
	if err := WriteEnv(&b, v); err != nil {
		t.Fatal(err)
	}
	want := "CXONE_ISSUER=https://cxone.niceincontact.com\nCXONE_CLIENT_ID=485a-647f\nCXONE_CLIENT_SECRET='a b'\nCXONE_BUSINESS_UNIT_ID=7\n"
	if b.String() != want {
		t.Errorf("WriteEnv = %q, want %q", b.String(), want)
	}
}

func TestWriteEnvQuoting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc-DEF_1.2:3@4=5+6/7", "abc-DEF_1.2:3@4=5+6/7"},
		{"a b", "'a b'"},
		{"$HOME and `id` and $(id)", "'$HOME and `id` and $(id)'"},
		{`say "hi" #1`, `'say "hi" #1'`},
		{"it's", `"it's"`},
		{`back\slash`, `"back\\slash"`},
		{"${HOME}", `'${HOME}'`}, // single quotes carry "${" to every reader but python-dotenv, which nothing can
		{"it's ${HOME}", `"it's \${HOME}"`},
		{"l1\nl2", `"l1\nl2"`},
		{"'$(id)`id`\"", `"'\$(id)\` + "`id\\`" + `\""`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := WriteEnv(&b, Values{ClientSecret: tt.in}); err != nil {
			t.Fatal(err)
		}
		if got, want := b.String(), "CXONE_CLIENT_SECRET="+tt.want+"\n"; got != want {
			t.Errorf("WriteEnv(%q) = %q, want %q", tt.in, got, want)
		}
	}
}

// runBash runs script with bash and returns NUL-separated NAME=value pairs it printed.
func runBash(t *testing.T, script string, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command("bash", append([]string{"-c", script, "bash"}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cmd.Dir, "pwned")); err == nil {
		t.Fatalf("sourcing the file ran a command")
	}
	got := map[string]string{}
	for _, rec := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if rec == "" {
			continue
		}
		k, v, _ := strings.Cut(rec, "=")
		got[k] = v
	}
	return got
}

const printVars = `for n in $(compgen -v CXONE_); do printf '%s=%s\0' "$n" "${!n}"; done`

func TestExportFormatsRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("bash is needed for this test: %v", err)
	}
	for _, s := range tricky {
		v := trickyValues(s)
		want := varsMap(v)
		t.Run(strings.NewReplacer("\n", `\n`, "\t", `\t`).Replace(s), func(t *testing.T) {
			dir := t.TempDir()
			var env, sh, js bytes.Buffer
			if err := WriteEnv(&env, v); err != nil {
				t.Fatal(err)
			}
			if err := WriteShell(&sh, v); err != nil {
				t.Fatal(err)
			}
			if err := WriteJSON(&js, v); err != nil {
				t.Fatal(err)
			}
			envFile := filepath.Join(dir, "x.env")
			shFile := filepath.Join(dir, "x.sh")
			if err := os.WriteFile(envFile, env.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(shFile, sh.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			// Sourced by bash, the env format gives every value exactly, except that a newline
			// (written as \n inside double quotes) stays the two characters \n.
			wantBash := map[string]string{}
			for k, v := range want {
				wantBash[k] = strings.ReplaceAll(v, "\n", `\n`)
			}
			if got := runBash(t, `set -a; . "$1"; set +a; `+printVars, envFile); !reflect.DeepEqual(got, wantBash) {
				t.Errorf("bash sourcing env format:\ngot  %q\nwant %q", got, wantBash)
			}
			if got := runBash(t, `eval "$(cat "$1")"; `+printVars, shFile); !reflect.DeepEqual(got, want) {
				t.Errorf("bash eval of shell format:\ngot  %q\nwant %q", got, want)
			}
			if got, err := dotenv.Parse(bytes.NewReader(env.Bytes())); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("ParseEnv(env format) = %q, %v; want %q", got, err, want)
			}
			if got, err := dotenv.Parse(bytes.NewReader(sh.Bytes())); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("ParseEnv(shell format) = %q, %v; want %q", got, err, want)
			}
			var gotJSON map[string]string
			if err := json.Unmarshal(js.Bytes(), &gotJSON); err != nil || !reflect.DeepEqual(gotJSON, want) {
				t.Errorf("json = %q, %v; want %q", gotJSON, err, want)
			}
		})
	}
}

func TestShellFormatInPOSIXSh(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("sh is needed: %v", err)
	}
	for _, s := range tricky {
		v := Values{ClientSecret: s}
		var b bytes.Buffer
		if err := WriteShell(&b, v); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(sh, "-c", `eval "$1"; printf '%s' "$CXONE_CLIENT_SECRET"`, "sh", b.String()).Output()
		if err != nil || string(out) != s {
			t.Errorf("sh eval: got %q, %v; want %q", out, err, s)
		}
	}
}

func TestJSONOrderAndTypes(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, Values{ClientID: "c<&>", BusinessUnitID: 12}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"CXONE_CLIENT_ID\": \"c<&>\",\n  \"CXONE_BUSINESS_UNIT_ID\": \"12\"\n}\n"
	if b.String() != want {
		t.Errorf("WriteJSON = %q, want %q", b.String(), want)
	}
	b.Reset()
	if err := WriteJSON(&b, Values{}); err != nil || b.String() != "{}\n" {
		t.Errorf("empty WriteJSON = %q, %v; want {}", b.String(), err)
	}
}

func TestEncodersRefuseUnrepresentable(t *testing.T) {
	tests := []struct {
		name string
		fn   func(*bytes.Buffer, Values) error
		val  string
	}{
		{"env CR", func(b *bytes.Buffer, v Values) error { return WriteEnv(b, v) }, "a\rb"},
		{"env NUL", func(b *bytes.Buffer, v Values) error { return WriteEnv(b, v) }, "a\x00b"},
		{"shell NUL", func(b *bytes.Buffer, v Values) error { return WriteShell(b, v) }, "a\x00b"},
		{"shell CR", func(b *bytes.Buffer, v Values) error { return WriteShell(b, v) }, "a\r\nb"},
		{"json bad UTF-8", func(b *bytes.Buffer, v Values) error { return WriteJSON(b, v) }, "a\xffb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := tt.fn(&b, Values{ClientSecret: tt.val})
			if err == nil {
				t.Fatalf("got no error, want one")
			}
			if !strings.Contains(err.Error(), "CXONE_CLIENT_SECRET") || strings.Contains(err.Error(), tt.val) {
				t.Errorf("error %q should name the variable and not hold the value", err)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes on error, want 0", b.Len())
			}
		})
	}
}

func TestExportValuesMasked(t *testing.T) {
	v := Values{ClientSecret: "s3cr3t-value", AccessToken: "tok-value"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := sprintf(f, v); strings.Contains(got, "s3cr3t") || strings.Contains(got, "tok-value") {
			t.Errorf("%s printed a secret: %q", f, got)
		}
	}
}

func TestParseEnv(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
	}{
		{"empty", "", map[string]string{}},
		{"bom crlf comments", "\xef\xbb\xbf# c\r\nA=1\r\n\r\n  # indented\r\nB=two words  # trailing\r\n", map[string]string{"A": "1", "B": "two words"}},
		{"export prefix", "export A=x\nexport\tB='y z'\n", map[string]string{"A": "x", "B": "y z"}},
		{"var named export", "export=1\n", map[string]string{"export": "1"}},
		{"hash inside bare", "A=a#b\n", map[string]string{"A": "a#b"}},
		{"empty values", "A=\nB=''\nC=\"\"\n", map[string]string{"A": "", "B": "", "C": ""}},
		{"double escapes", `A="q\" d\$ b\` + "`" + ` s\\ n\n t\t"` + "\n", map[string]string{"A": "q\" d$ b` s\\ n\n t\\t"}},
		{"escaped backslash before n", `A="a\\nb"` + "\n", map[string]string{"A": `a\nb`}},
		{"multi-line double", "A=\"l1\nl2\"\nB=2\n", map[string]string{"A": "l1\nl2", "B": "2"}},
		{"continuation", "A=\"ab\\\ncd\"\n", map[string]string{"A": "abcd"}},
		{"single literal", `A='a\b$c"d'` + "\n", map[string]string{"A": `a\b$c"d`}},
		{"concatenation", `A='it'\''s'"x"y` + "\n", map[string]string{"A": "it'sxy"}},
		{"comment after quotes", "A=\"v\"  # note\n", map[string]string{"A": "v"}},
		{"no final newline", "A=1", map[string]string{"A": "1"}},
		{"dollar not expanded", "A=$HOME\n", map[string]string{"A": "$HOME"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dotenv.Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ParseEnv: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseEnvErrors(t *testing.T) {
	const secret = "TOPSECRETVALUE"
	tests := []struct {
		name, in, want string
	}{
		{"no equals", "A=1\n" + secret + "\n", "line 2: not a NAME=value"},
		{"space before equals", "A =" + secret, "line 1: not a NAME=value"},
		{"bad name", "1A=" + secret, "line 1: not a NAME=value"},
		{"dash name", "\n\nA-B=" + secret, "line 3: not a NAME=value"},
		{"duplicate", "A=1\n# x\nexport A=" + secret, "line 3: A is set more than once (first on line 1)"},
		{"unterminated double", "A=1\nB=\"" + secret + "\nC=3\n", "line 2: unterminated double-quoted"},
		{"unterminated single", "B='" + secret, "line 1: unterminated single-quoted"},
		{"text after quote", "A=\"x\" " + secret, "line 1: unexpected text after the quoted value"},
		{"line after multi-line", "A=\"x\ny\"\n" + secret, "line 3: not a NAME=value"},
		{"too big", "A=" + strings.Repeat("x", dotenv.MaxFileSize), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dotenv.Parse(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q echoes the value", err)
			}
		})
	}
}

func TestReadEnvFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.env")
	if err := os.WriteFile(p, []byte("CXONE_CLIENT_ID=abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := dotenv.ReadFile(p)
	if err != nil || got["CXONE_CLIENT_ID"] != "abc" {
		t.Errorf("ReadEnvFile = %q, %v; want CXONE_CLIENT_ID=abc", got, err)
	}
	if _, err := dotenv.ReadFile(p + ".missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want fs.ErrNotExist", err)
	}
	if err := os.WriteFile(p, []byte("oops\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := dotenv.ReadFile(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad file: got %v, want an error naming %s and line 1", err, p)
	}
}

func FuzzEnvRoundTrip(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, s+"x", "")
	}
	f.Add("", "a\rb", "\x00")
	f.Add("\xff\xfe", "#", "export A=1")
	f.Add("\"\\\n", "'\\''", "\\\n")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		v := Values{ClientSecret: a, AccessKeySecret: b, TenantID: c, AccessToken: a + c}
		var buf bytes.Buffer
		if err := WriteEnv(&buf, v); err != nil {
			if !strings.ContainsAny(a+b+c, "\x00\r") {
				t.Fatalf("WriteEnv refused representable values: %v", err)
			}
			return
		}
		want := varsMap(v)
		got, err := dotenv.Parse(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("ParseEnv of WriteEnv output: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("env round trip: got %q, want %q", got, want)
		}
		buf.Reset()
		if err := WriteShell(&buf, v); err != nil {
			t.Fatalf("WriteShell refused what WriteEnv took: %v", err)
		}
		if got, err = dotenv.Parse(&buf); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("shell round trip: got %q, %v; want %q", got, err, want)
		}
	})
}
