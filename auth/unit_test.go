package auth

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cxone-auth/auth/cxonetest"
)

func TestUnitCredentialsNeverPrintSecrets(t *testing.T) {
	c := Credentials{ClientID: "485a2498-41b6-42f1-9e01-f85a40fe647f", ClientSecret: "CLIENTSECRETVALUE",
		AccessKeyID: "ZO4EBONGDHBHNBQK2BVM4NIQJXEYHQ4WVBO2BC66J54H6P7KO2NA====", AccessKeySecret: "KEYSECRETVALUE"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "creds", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "creds", c)
	out := fmt.Sprintf("%v %+v %#v %s %q", c, c, c, c, c) + buf.String() + fmt.Sprint([]Credentials{c}) + fmt.Sprintf("%v", &c)
	for _, s := range []string{c.ClientSecret, c.AccessKeySecret, c.ClientID, c.AccessKeyID} {
		if strings.Contains(out, s) {
			t.Errorf("formatted credentials show %q", s)
		}
	}
	if !strings.Contains(out, "485a…647f") {
		t.Errorf("the masked client ID is missing: %s", out)
	}
	bad := c
	bad.ClientSecret = "has space SECRETPART"
	bad.AccessKeySecret = ""
	err := bad.Validate()
	if err == nil || strings.Contains(err.Error(), "SECRETPART") || !strings.Contains(err.Error(), "Client Secret") || !strings.Contains(err.Error(), "Access Key Secret is empty") {
		t.Errorf("Validate: %v", err)
	}
}

func TestUnitMask(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""}, {"abc", "…"}, {"abcdefgh", "…gh"}, {"abcdefghijkl", "…kl"},
		{"abcdefghijklm", "abcd…jklm"}, {"ZO4EBONGDHBHNBQK2BVM4NIQJXEYHQ4WVBO2BC66J54H6P7KO2NA====", "ZO4E…===="},
	} {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUnitValidateIssuer(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"https://cxone.niceincontact.com/", "https://cxone.niceincontact.com", true},
		{"  HTTPS://CXONE.niceincontact.com ", "https://cxone.niceincontact.com", true},
		{"http://127.0.0.1:8787", "http://127.0.0.1:8787", true},
		{"http://127.5.5.5", "http://127.5.5.5", true},
		{"http://[::1]:9", "http://[::1]:9", true},
		{"http://localhost:1", "http://localhost:1", true},
		{"http://LocalHost:1", "http://localhost:1", true},
		{"http://foo.localhost:1", "", false},
		{"http://localhost.:1", "", false},
		{"http://[::ffff:127.0.0.1]:1", "", false},
		{"http://[::1%25lo]:1", "", false},
		{"http://127.0.0.1.nip.io", "", false},
		{"https://cxone\u202e.niceincontact.com", "", false},
		{"https://cxone\u200b.niceincontact.com", "", false},
		{"http://cxone.example.com", "", false},
		{"http://10.0.0.1", "", false},
		{"ftp://127.0.0.1", "", false},
		{"cxone.niceincontact.com", "", false},
		{"https://user:pw@cxone.niceincontact.com", "", false},
		{"https://cxone.niceincontact.com/?x=1", "", false},
		{"", "", false},
	} {
		got, err := ValidateIssuer(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ValidateIssuer(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("the error repeats a password: %v", err)
		}
	}
}

func TestUnitRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"", -1}, {"soon", -1}, {"0", 0}, {"3", 3 * time.Second}, {"100", 10 * time.Second}, {"-5", 0},
		{now.Add(4 * time.Second).Format(http.TimeFormat), 4 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(time.Hour).Format(http.TimeFormat), 10 * time.Second},
	} {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUnitIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.255.0.9": true, "::1": true,
		"foo.localhost": false, "localhost.": false, "localhost.localdomain": false, "::ffff:127.0.0.1": false,
		"::1%lo": false, "0:0:0:0:0:0:0:1": true, "128.0.0.1": false, "10.0.0.1": false, "": false,
		"127.1": false, "0x7f.0.0.1": false, "127.0.0.1.": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestUnitOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://CXone.example.com/a":     "https://cxone.example.com:443",
		"HTTPS://cxone.example.com:443/b": "https://cxone.example.com:443",
		"http://127.0.0.1/x":              "http://127.0.0.1:80",
		"http://[::1]:8080":               "http://[::1]:8080",
	} {
		u, _ := url.Parse(in)
		if got := origin(u); got != want {
			t.Errorf("origin(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestUnitCheckRedirect(t *testing.T) {
	req := func(method, s string) *http.Request {
		u, _ := url.Parse(s)
		return &http.Request{Method: method, URL: u}
	}
	get := func(s string) *http.Request { return req(http.MethodGet, s) }
	https, loop := get("https://cxone.niceincontact.com/a"), get("http://127.0.0.1:8080/a")
	for _, tt := range []struct {
		name string
		next *http.Request
		via  []*http.Request
		want error // nil: followed
	}{
		{"first redirect", get("https://cxone.niceincontact.com/b"), []*http.Request{https}, nil},
		{"explicit default port", get("https://CXONE.niceincontact.com:443/b"), []*http.Request{https}, nil},
		{"third redirect", get("https://cxone.niceincontact.com/b"), []*http.Request{https, https, https}, nil},
		{"fourth redirect", get("https://cxone.niceincontact.com/b"), []*http.Request{https, https, https, https}, errRedirect},
		{"another host", get("https://evil.example/b"), []*http.Request{https}, errRedirect},
		{"a subdomain", get("https://x.cxone.niceincontact.com/b"), []*http.Request{https}, errRedirect},
		{"another port", get("https://cxone.niceincontact.com:8443/b"), []*http.Request{https}, errRedirect},
		{"https to http", get("http://cxone.niceincontact.com/b"), []*http.Request{https}, errRedirect},
		{"https to http loopback", get("http://127.0.0.1/b"), []*http.Request{https}, errRedirect},
		{"loopback http to the same port", get("http://127.0.0.1:8080/b"), []*http.Request{loop}, nil},
		{"loopback http to another port", get("http://127.0.0.1:9090/b"), []*http.Request{loop}, errRedirect},
		{"loopback http to localhost", get("http://localhost:8080/b"), []*http.Request{loop}, errRedirect},
		{"back to the first origin after a hop elsewhere", get("https://cxone.niceincontact.com/c"), []*http.Request{https, get("https://cxone.niceincontact.com/b")}, nil},
		{"the token POST", get("https://cxone.niceincontact.com/b"), []*http.Request{req(http.MethodPost, "https://cxone.niceincontact.com/a")}, http.ErrUseLastResponse},
	} {
		err := checkRedirect(tt.next, tt.via)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestUnitCheckEndpoint(t *testing.T) {
	httpsIss, _ := url.Parse("https://cxone.niceincontact.com")
	loopIss, _ := url.Parse("http://127.0.0.1:8080")
	for _, tt := range []struct {
		name   string
		issuer *url.URL
		raw    string
		ok     bool
	}{
		{"https under https", httpsIss, "https://na1.nice-incontact.com/auth/token", true},
		{"http loopback under https", httpsIss, "http://127.0.0.1:9/auth/token", false},
		{"http localhost under https", httpsIss, "http://localhost:9/auth/token", false},
		{"http remote under https", httpsIss, "http://na1.nice-incontact.com/auth/token", false},
		{"https under loopback http", loopIss, "https://na1.nice-incontact.com/auth/token", true},
		{"loopback http under loopback http", loopIss, "http://localhost:9/auth/token", true},
		{"remote http under loopback http", loopIss, "http://na1.nice-incontact.com/auth/token", false},
		{"foo.localhost under loopback http", loopIss, "http://foo.localhost:9/auth/token", false},
		{"user information", httpsIss, "https://u:p@na1.nice-incontact.com/auth/token", false},
		{"fragment", httpsIss, "https://na1.nice-incontact.com/auth/token#x", false},
		{"relative", httpsIss, "/auth/token", false},
		{"another scheme", httpsIss, "ftp://na1.nice-incontact.com/auth/token", false},
		{"a control character", httpsIss, "https://na1.nice-incontact.com/auth/token?\u009b2J", false},
		{"a bidi override", httpsIss, "https://na1.nice-incontact.com/\u202etoken", false},
		{"a query", httpsIss, "https://na1.nice-incontact.com/auth/token?realm=x", true},
	} {
		_, err := checkEndpoint(tt.issuer, tt.raw, "token endpoint")
		if (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok %v", tt.name, err, tt.ok)
		}
		if err != nil && (KindOf(err) != KindProtocol || !clean(err.Error()) || strings.Contains(err.Error(), "u:p@")) {
			t.Errorf("%s: error %q is not a clean protocol error without the password", tt.name, err)
		}
	}
}

func TestUnitSanitize(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "Client authentication failed.", "Client authentication failed."},
		{"CSI", "a\x1b[31mred\x1b[0m b", "ared b"},
		{"OSC with BEL", "a\x1b]0;title\x07b", "ab"},
		{"OSC with ST", "a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"SOS", "a\x1bXsos body\x1b\\b", "ab"},
		{"PM", "a\x1b^pm body\x1b\\b", "ab"},
		{"APC", "a\x1b_apc body\x1b\\b", "ab"},
		{"two-character escape", "a\x1bcb\x1b(Bc", "abc"},
		{"ESC ESC CSI", "a\x1b\x1b[2Jb", "ab"},
		{"CSI cut by ESC", "a\x1b[3\x1b[0mb", "ab"},
		{"8-bit CSI", "a\u009b2Jb", "ab"},
		{"8-bit OSC", "a\u009d0;title\u009cb", "ab"},
		{"8-bit DCS", "a\u0090q#0\u009cb", "ab"},
		{"8-bit SOS", "a\u0098sos body\u009cb", "ab"},
		{"8-bit PM", "a\u009epm body\u009cb", "ab"},
		{"8-bit APC", "a\u009fapc body\u009cb", "ab"},
		{"8-bit string ended by ESC \\", "a\u009fapc\x1b\\b", "ab"},
		{"unterminated OSC drops the rest", "a\x1b]0;title", "a"},
		{"other C1", "a\u0085b\u0080c\u009ad", "a bcd"},
		{"C0 and DEL", "a\x00b\x08c\x7fd", "abcd"},
		{"line breaks fold", "a\r\n\tb\u2028c\u2029d", "a b c d"},
		{"bidi", "a\u202eb\u202ac\u2066d\u2069e\u200ef\u200fg\u061ch", "abcdefgh"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"raw 8-bit CSI byte", "a\x9b31mb", "a\ufffd31mb"},
		{"emulator payload", cxonetest.EscapeText, "bad client red link end gnp.exe iso tail"},
	} {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("%s: Sanitize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	long := Sanitize(strings.Repeat("é", 400))
	if n := utf8.RuneCountInString(long); n != maxSanitized || !strings.HasSuffix(long, "…") {
		t.Errorf("long input: %d runes, want %d ending in an ellipsis", n, maxSanitized)
	}
}

// TestUnitCleanInput holds the wizard's paste-cleaning cases.
func TestUnitCleanInput(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"spaces", "  abc  ", "abc"},
		{"newlines and tabs", "\tab\r\ncd\n", "abcd"},
		{"controls", "a\x00b\x07c\x7fd\u0085e", "abcde"},
		{"escape sequences", "\x1b[31mRED\x1b[0m", "RED"},
		{"osc", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "link"},
		{"zero width and bom", "\ufeffab\u200bc", "abc"},
		{"soft hyphen and word joiner", "a\u00adb\u2060c", "abc"},
		{"inner spaces kept", "a b", "a b"},
		{"equals kept", " ZO4E====\n", "ZO4E===="},
		{"empty", " \n\t ", ""},
		{"8-bit sequences", "\u009b31mA\u009d0;t\u009cB\u009fapc\u009cC\u0098sos\u009cD", "ABCD"},
		{"bidi and separators", "\u202eA\u2066B\u2069\u2028C\u2029", "ABC"},
		{"invalid UTF-8", "A\xffB\ufffdC", "ABC"},
		{"bracketed paste markers", "\x1b[200~SECRET\x1b[201~", "SECRET"},
	} {
		if got := CleanInput(tt.in); got != tt.want {
			t.Errorf("%s: CleanInput(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
	if got := utf8.RuneCountInString(CleanInput(strings.Repeat("A", 5000))); got != MaxValueLen {
		t.Errorf("len(CleanInput(5000 chars)) = %d, want %d", got, MaxValueLen)
	}
	if got := CleanInput(strings.Repeat("A", MaxValueLen-1) + " B"); got != strings.Repeat("A", MaxValueLen-1) {
		t.Errorf("a value cut after a space keeps the trailing space: %q", got[len(got)-3:])
	}
}

func TestUnitParseErrorBody(t *testing.T) {
	for _, tt := range []struct{ body, code, desc string }{
		{`{"error":"invalid_client","error_description":"Client authentication failed."}`, "invalid_client", "Client authentication failed."},
		{`{"error":"invalid_grant","errorDescription":"inactive"}`, "invalid_grant", "inactive"},
		{`{"message":"No known way to render data"}`, "", "No known way to render data"},
		{"{\"error\":\"x\",\"errorDescription\":\"a\\u001b[31mred\"}", "x", "ared"},
		{`<html><title>502 Bad Gateway</title></html>`, "", "502 Bad Gateway"},
		{``, "", ""},
	} {
		code, desc := ParseErrorBody([]byte(tt.body))
		if code != tt.code || !strings.Contains(desc, tt.desc) {
			t.Errorf("ParseErrorBody(%q) = %q, %q; want %q, containing %q", tt.body, code, desc, tt.code, tt.desc)
		}
	}
}

func TestUnitKindOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want Kind
	}{
		{nil, ""},
		{&RejectedError{Kind: KindInvalidGrant}, KindInvalidGrant},
		{fmt.Errorf("wrapped: %w", &RejectedError{Kind: KindInvalidClient}), KindInvalidClient},
		{&ServerError{Status: 503}, KindServer},
		{&ProtocolError{Msg: "x"}, KindProtocol},
		{fmt.Errorf("w: %w", &NetworkError{Err: errors.New("refused")}), KindNetwork},
		{&TimeoutError{Timeout: "1s"}, KindTimeout},
		{errors.New("anything else"), KindProtocol},
	} {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if !KindUnauthorized.Rejected() || KindNetwork.Rejected() || KindProtocol.Rejected() {
		t.Error("Rejected: want true only for the credentials' kinds")
	}
}
