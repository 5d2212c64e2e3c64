package auth

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
)

// ParseErrorBody reads an error answer: the OAuth `error` code and the first description
// among `error_description` (OAuth), `errorDescription` (NICE's schema) and `message`. Both are
// sanitised. A body that is not a JSON object yields "" and a short excerpt of its text (the
// title of an HTML page, or its text without tags).
func ParseErrorBody(body []byte) (code, description string) {
	trim := bytes.TrimSpace(body)
	if len(trim) > 0 && trim[0] == '{' {
		var m map[string]json.RawMessage
		if json.Unmarshal(trim, &m) == nil {
			code = jsonText(m["error"])
			for _, k := range []string{"error_description", "errorDescription", "message", "Message"} {
				if d := jsonText(m[k]); d != "" {
					description = d
					break
				}
			}
			return Sanitize(code), shorten(Sanitize(description), 200)
		}
	}
	return "", Excerpt(body)
}

// jsonText reads a JSON string value; other values are ignored.
func jsonText(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

var (
	titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	dropRE  = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)>`)
)

// Excerpt is a short, sanitised excerpt of a body that is not JSON (an HTML gateway page).
func Excerpt(body []byte) string {
	if len(body) > 64<<10 {
		body = body[:64<<10]
	}
	s := string(body)
	if m := titleRE.FindStringSubmatch(s); m != nil && strings.TrimSpace(m[1]) != "" {
		s = m[1]
	} else if strings.Contains(s, "<") {
		s = tagRE.ReplaceAllString(dropRE.ReplaceAllString(s, " "), " ")
	}
	return shorten(Sanitize(s), 120)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// StatusDescriptionHeader is the response header in which CXone's API may put an error's text
// when the body carries none.
const StatusDescriptionHeader = "icStatusDescription"

// ParseErrorResponse is ParseErrorBody, falling back to the icStatusDescription header
// (sanitised and shortened like a body's description) when the body gave no description.
func ParseErrorResponse(body []byte, h http.Header) (code, description string) {
	code, description = ParseErrorBody(body)
	if description == "" && h != nil {
		if v := strings.TrimSpace(h.Get(StatusDescriptionHeader)); v != "" {
			description = shorten(strings.TrimSpace(Sanitize(v)), 200)
		}
	}
	return code, description
}
