package steps

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"cxone-auth/auth"
)

// Private checks used until (or unless) the auth package offers them. They only warn: SPEC
// section 3 says unusual formats must not block.

var (
	profileRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	guidRE    = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	legacyRE  = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`) // App@Vendor
	base32RE  = regexp.MustCompile(`^[A-Z2-7]+=*$`)
)

// validateProfile blocks names the store cannot use.
func validateProfile(name string) error {
	if name == "" {
		return errors.New("a profile name is required")
	}
	if !profileRE.MatchString(name) {
		return errors.New("use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)")
	}
	return nil
}

// validateIssuer accepts an https URL, or http on a loopback host (local testing), and
// returns it without a trailing slash.
func validateIssuer(raw string) (string, error) {
	s := strings.TrimRight(strings.TrimSpace(raw), "/")
	if s == "" {
		return "", errors.New("an issuer URL is required")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", errors.New("not a URL: expected https://host")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", errors.New("the issuer takes no query, fragment or user info")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return "", errors.New("the issuer must use https (http only on localhost)")
		}
	default:
		return "", fmt.Errorf("the issuer must use https, not %q", u.Scheme)
	}
	return s, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// sanitize makes server text safe for the terminal: no escape sequences, no control
// characters, one line.
func sanitize(s string) string {
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

// errorText is the sanitised message of err for people.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return sanitize(err.Error())
}

func hasSpace(s string) bool { return strings.IndexFunc(s, unicode.IsSpace) >= 0 }

func lintClientID(s string) string {
	switch {
	case s == "":
		return ""
	case hasSpace(s):
		return "contains spaces"
	case guidRE.MatchString(s), legacyRE.MatchString(s):
		return ""
	}
	return "unusual: Client IDs are normally a GUID (8-4-4-4-12 hex digits)"
}

func lintClientSecret(s string) string {
	switch {
	case s == "":
		return ""
	case hasSpace(s):
		return "contains spaces"
	case len(s) < 16:
		return fmt.Sprintf("unusually short (%d characters)", len(s))
	}
	return ""
}

func lintAccessKey(s string) string {
	switch {
	case s == "":
		return ""
	case hasSpace(s):
		return "contains spaces"
	case !base32RE.MatchString(s):
		return "unusual: access keys are normally base32 (A–Z, 2–7) ending in '='"
	case len(s) != 56:
		return fmt.Sprintf("unusual length %d: access keys are normally 56 characters ending in '='", len(s))
	}
	return ""
}

// spaceErr blocks values with whitespace inside: no credential contains any, so it is
// always a bad paste (two values at once, a line break).
func spaceErr(s string) string {
	if hasSpace(s) {
		return "contains spaces: paste the value alone"
	}
	return ""
}

// masked is how identifiers appear on screen outside their own field. Values that arrive
// masked already (ExistingProfile.ClientID may be) are shown as they are.
func masked(s string) string {
	if strings.Contains(s, "…") {
		return sanitize(s)
	}
	return auth.Mask(s)
}
