package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
)

// A token endpoint that refuses the request may quote what it was sent in its description
// (a validation message, a hostile server on purpose), and the token request carries the
// access key secret and the client secret. Those values, in every form the request wrote them
// (as they are, form-encoded, JSON-escaped, in the Basic header), are hidden in the server's
// text before it is parsed, sanitised and shortened: shortening could otherwise leave part of
// one to show.

// secretForms are the forms in which a request may have carried the client secret (with
// clientID in a Basic header) and the other secrets.
func secretForms(clientID, clientSecret string, others ...string) []string {
	secrets := append(append([]string(nil), others...), clientSecret)
	var out []string
	add := func(s string) {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		add(s)
		add(url.QueryEscape(s))
		if b, err := json.Marshal(s); err == nil {
			add(string(b[1 : len(b)-1]))
			add(strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`))
		}
	}
	if clientSecret != "" {
		// The Basic header: base64 of ID:secret, and of the form-encoded pair.
		add(base64.StdEncoding.EncodeToString([]byte(clientID + ":" + clientSecret)))
		add(base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(clientID) + ":" + url.QueryEscape(clientSecret))))
	}
	// Longest first, so that a form holding another is hidden whole.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// hideForms replaces every form in s with "(hidden)".
func hideForms(s string, forms []string) string {
	for _, f := range forms {
		s = strings.ReplaceAll(s, f, "(hidden)")
	}
	return s
}

// leaksPart says s holds 12 characters in a row of one of the forms (a quote cut short).
func leaksPart(s string, forms []string) bool {
	const window = 12
	for _, f := range forms {
		rs := []rune(f)
		if len(rs) < window {
			if len(rs) >= 8 && strings.Contains(s, f) {
				return true
			}
			continue
		}
		for i := 0; i+window <= len(rs); i++ {
			if strings.Contains(s, string(rs[i:i+window])) {
				return true
			}
		}
	}
	return false
}

const quotedSecret = "(the answer quoted what was sent; not shown)"

// hideInResponse hides the forms in what resp says about an error: its body and the
// icStatusDescription header.
func hideInResponse(resp *response, forms []string) {
	resp.body = []byte(hideForms(string(resp.body), forms))
	if v := resp.header.Get(StatusDescriptionHeader); v != "" {
		h := resp.header.Clone()
		h.Set(StatusDescriptionHeader, hideForms(v, forms))
		resp.header = h
	}
}

// hideInError hides the forms in the server text err carries (a ServerError's excerpt, a
// ProtocolError's or a RejectedError's description), and drops that text when a part of one
// still shows.
func hideInError(err error, forms []string) error {
	clean := func(s string) string {
		s = hideForms(s, forms)
		if leaksPart(s, forms) {
			return quotedSecret
		}
		return s
	}
	var se *ServerError
	if errors.As(err, &se) {
		se.Excerpt = clean(se.Excerpt)
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		pe.Msg = clean(pe.Msg)
	}
	var re *RejectedError
	if errors.As(err, &re) {
		re.Description = clean(re.Description)
		re.Code = clean(re.Code)
	}
	return err
}
