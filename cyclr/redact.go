package cyclr

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"

	"cxone-auth/auth"
)

// What Cyclr says back in an error may quote what it was sent (ASP.NET model validation does:
// "The value '...' is not valid for ..."), and a request to Cyclr carries secrets: the CXone
// access key secret, the AuthValue that holds it, the Cyclr client secret, the bearer token.
// Every value a request carried is hidden in the server's text before that text is sanitised
// and shortened (which could otherwise leave part of a secret to show).

// redactMinLen is the shortest value of a JSON body that is hidden: shorter ones (true, a
// method name, an ID) would blank out the words of the message, and no secret is that short.
const redactMinLen = 8

// redactWindow is the length of a piece of a secret that, found in a shortened message, hides
// the whole message: a server may quote a secret cut short.
const redactWindow = 12

// redactor hides the values a request carried.
type redactor struct{ values []string }

// newRedactor hides secrets (every one, whatever its length) and every string of the JSON
// payload of at least redactMinLen characters.
func newRedactor(payload []byte, secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		r.add(s)
	}
	if len(payload) > 0 {
		var v any
		if json.Unmarshal(payload, &v) == nil {
			r.walk(v)
		}
	}
	return r
}

func (r *redactor) walk(v any) {
	switch x := v.(type) {
	case string:
		if len([]rune(x)) >= redactMinLen {
			r.add(x)
		}
	case []any:
		for _, e := range x {
			r.walk(e)
		}
	case map[string]any:
		for _, e := range x {
			r.walk(e)
		}
	}
}

// add hides s as it is, and as JSON and URL forms write it.
func (r *redactor) add(s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	r.values = append(r.values, s)
	if b, err := json.Marshal(s); err == nil {
		if j := string(b[1 : len(b)-1]); j != s {
			r.values = append(r.values, j)
		}
		if j := strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`); j != s {
			r.values = append(r.values, j)
		}
	}
	if q := url.QueryEscape(s); q != s {
		r.values = append(r.values, q)
	}
}

// hide replaces every carried value in s with "(hidden)", longest first.
func (r *redactor) hide(s string) string {
	if r == nil {
		return s
	}
	vals := append([]string(nil), r.values...)
	// Longest first, so that a value holding another (the AuthValue holds no secret as text,
	// but a JSON form holds its plain one) is hidden whole.
	for i := 1; i < len(vals); i++ {
		for j := i; j > 0 && len(vals[j]) > len(vals[j-1]); j-- {
			vals[j], vals[j-1] = vals[j-1], vals[j]
		}
	}
	for _, v := range vals {
		s = strings.ReplaceAll(s, v, "(hidden)")
	}
	return s
}

// leaks says s still holds a piece of redactWindow characters of a carried value (a quote of
// a secret cut short, say).
func (r *redactor) leaks(s string) bool {
	if r == nil {
		return false
	}
	for _, v := range r.values {
		rs := []rune(v)
		if len(rs) < redactWindow {
			if len(rs) >= redactMinLen && strings.Contains(s, v) {
				return true
			}
			continue
		}
		for i := 0; i+redactWindow <= len(rs); i++ {
			if strings.Contains(s, string(rs[i:i+redactWindow])) {
				return true
			}
		}
	}
	return false
}

// text is server text made safe to show: carried values hidden, then sanitised, and dropped
// altogether if a piece of one still shows.
func (r *redactor) text(s string) string {
	s = auth.Sanitize(r.hide(s))
	if r.leaks(s) {
		return "(the answer quoted what was sent; not shown)"
	}
	return s
}

// serverError hides the carried values in the excerpt of a *auth.ServerError (a 5xx or 429
// that outlived the retries, whose excerpt auth took from the body).
func (r *redactor) serverError(err error) error {
	var se *auth.ServerError
	if errors.As(err, &se) && se.Excerpt != "" {
		cp := *se
		cp.Excerpt = r.text(se.Excerpt)
		if cp.Excerpt != se.Excerpt {
			return &cp
		}
	}
	return err
}
