package auth

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"cxone-auth/internal/textclean"
)

// MaxValueLen is the longest credential value accepted, in bytes here and in runes for
// CleanInput: far above any real value (56 for access keys), it only stops a runaway paste.
const MaxValueLen = textclean.MaxValueLen

// Validate checks that the four values are present and plausible as values: non-empty, no white
// space or control characters inside, at most 4096 characters. Messages name the field, never
// the value. Unusual formats are not errors: see the Lint functions.
func (c Credentials) Validate() error {
	var errs []error
	for _, f := range []struct{ name, v string }{
		{"Client ID", c.ClientID}, {"Client Secret", c.ClientSecret},
		{"Access Key ID", c.AccessKeyID}, {"Access Key Secret", c.AccessKeySecret},
	} {
		if err := ValidateValue(f.name, f.v); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ValidateValue checks one credential value; name is the field's name for the message.
func ValidateValue(name, v string) error {
	switch {
	case strings.TrimSpace(v) == "":
		return fmt.Errorf("%s is empty", name)
	case len(v) > MaxValueLen:
		return fmt.Errorf("%s is %d characters long: at most %d are accepted", name, len(v), MaxValueLen)
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return fmt.Errorf("%s contains white space: copy it again without spaces or line breaks", name)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return fmt.Errorf("%s contains control characters", name)
	}
	return nil
}

var (
	guidRE      = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	appVendorRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	base32RE    = regexp.MustCompile(`^[A-Z2-7]+=*$`)
)

// LintClientID warns (without blocking) when a Client ID has an unusual shape: current
// registrations use a GUID, older applications the App@Vendor form.
func LintClientID(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || guidRE.MatchString(s) || appVendorRE.MatchString(s) {
		return ""
	}
	return "Client IDs are normally a GUID (like 485a2498-41b6-42f1-9e01-f85a40fe647f): check that this is the Client ID from NICE's email"
}

// LintClientSecret warns when the Client Secret looks like something else.
func LintClientSecret(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return ""
	case guidRE.MatchString(s):
		return "this looks like a Client ID (a GUID), not a Client Secret"
	case len(s) < 16:
		return fmt.Sprintf("this is short for a Client Secret (%d characters): check that it was copied whole", len(s))
	}
	return ""
}

// LintAccessKeyID warns when an Access Key ID is not the usual base32 value of about 56
// characters ending in "=".
func LintAccessKeyID(s string) string { return lintAccessKey("Access Key IDs", s) }

// LintAccessKeySecret is LintAccessKeyID for the secret.
func LintAccessKeySecret(s string) string { return lintAccessKey("Access Key Secrets", s) }

func lintAccessKey(what, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return ""
	case guidRE.MatchString(s):
		return "this looks like a Client ID (a GUID), not an access key value"
	case base32RE.MatchString(strings.ToUpper(s)) && s != strings.ToUpper(s):
		return what + " are normally upper case (A–Z, 2–7): check that it was copied exactly"
	case !base32RE.MatchString(s):
		return what + " are normally base32 (A–Z, 2–7) ending in \"=\": check that it was copied exactly"
	case len(s) < 50 || len(s) > 64:
		return fmt.Sprintf("%s are normally about 56 characters; this one has %d: check that it was copied whole", what, len(s))
	case !strings.HasSuffix(s, "="):
		return what + " normally end in \"=\": check that the end was copied"
	}
	return ""
}
