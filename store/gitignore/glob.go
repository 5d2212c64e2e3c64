package gitignore

// The glob matcher of ignore patterns: *, ?, ** as a whole path segment, character classes
// with ranges and [:names:], \ quoting; memoised, so no pattern can make it exponential.

import "strings"

// globMatch reports whether name (a slash-separated path) matches the gitignore glob pat.
// Exploring every split of every star is exponential, so results are memoised per position.
func globMatch(pat, name string) bool {
	g := globState{pat: pat, name: name, memo: map[[2]int]bool{}}
	return g.match(0, 0)
}

type globState struct {
	pat, name string
	memo      map[[2]int]bool
}

func (g *globState) match(pi, ti int) bool {
	pat, name := g.pat, g.name
	for pi < len(pat) {
		switch c := pat[pi]; c {
		case '*':
			key := [2]int{pi, ti}
			if v, ok := g.memo[key]; ok {
				return v
			}
			v := g.star(pi, ti)
			g.memo[key] = v
			return v
		case '?':
			if ti >= len(name) || name[ti] == '/' {
				return false
			}
			pi, ti = pi+1, ti+1
		case '[':
			if ti >= len(name) || name[ti] == '/' {
				return false
			}
			next, ok := matchClass(pat, pi, name[ti])
			if !ok {
				return false
			}
			pi, ti = next, ti+1
		case '\\':
			if pi+1 >= len(pat) || ti >= len(name) || name[ti] != pat[pi+1] {
				return false
			}
			pi, ti = pi+2, ti+1
		default:
			if ti >= len(name) || name[ti] != c {
				return false
			}
			pi, ti = pi+1, ti+1
		}
	}
	return ti == len(name)
}

// star matches a run of stars at pat[pi]. Two or more stars that form a whole path segment
// ("**/x", "x/**", "x/**/y") also cross slashes, and "**/" may match no folder at all; any
// other run is one star, which never crosses a slash.
func (g *globState) star(pi, ti int) bool {
	pat, name := g.pat, g.name
	j := pi
	for j < len(pat) && pat[j] == '*' {
		j++
	}
	segment := (pi == 0 || pat[pi-1] == '/') &&
		(j == len(pat) || pat[j] == '/' || pat[j] == '\\' && j+1 < len(pat) && pat[j+1] == '/')
	crosses := j-pi >= 2 && segment
	if j == len(pat) {
		return crosses || !strings.Contains(name[ti:], "/")
	}
	if crosses && pat[j] == '/' && g.match(j+1, ti) {
		return true
	}
	for k := ti; k <= len(name); k++ {
		if k > ti && !crosses && name[k-1] == '/' {
			return false
		}
		if g.match(j, k) {
			return true
		}
	}
	return false
}

// matchClass matches c against the bracket expression at pat[pi] ('['). It returns the
// index after the closing ']' and whether c is in the class; ok is also false for a class
// that never closes or names an unknown [:class:], which matches nothing.
func matchClass(pat string, pi int, c byte) (next int, ok bool) {
	i := pi + 1
	negated := false
	if i < len(pat) && (pat[i] == '!' || pat[i] == '^') {
		negated, i = true, i+1
	}
	matched := false
	prev := -1 // the previous single character, which may start a range
	for first := true; ; first = false {
		if i >= len(pat) {
			return 0, false
		}
		ch := pat[i]
		if ch == ']' && !first {
			break
		}
		switch {
		case ch == '\\':
			i++
			if i >= len(pat) {
				return 0, false
			}
			if c == pat[i] {
				matched = true
			}
			prev = int(pat[i])
			i++
		case ch == '-' && prev >= 0 && i+1 < len(pat) && pat[i+1] != ']':
			i++
			hi := pat[i]
			if hi == '\\' {
				i++
				if i >= len(pat) {
					return 0, false
				}
				hi = pat[i]
			}
			if int(c) >= prev && c <= hi {
				matched = true
			}
			prev = -1
			i++
		case ch == '[' && i+1 < len(pat) && pat[i+1] == ':':
			end := strings.IndexByte(pat[i+2:], ']')
			if end < 0 {
				return 0, false
			}
			end += i + 2
			if end-1 < i+2 || pat[end-1] != ':' {
				// No ":]": the '[' is an ordinary character.
				if c == '[' {
					matched = true
				}
				prev = '['
				i++
				continue
			}
			in, known := inNamedClass(pat[i+2:end-1], c)
			if !known {
				return 0, false
			}
			if in {
				matched = true
			}
			prev = -1
			i = end + 1
		default:
			if c == ch {
				matched = true
			}
			prev = int(ch)
			i++
		}
	}
	return i + 1, matched != negated
}

// inNamedClass tells whether c is in the POSIX class name (ASCII only, as git has it).
func inNamedClass(name string, c byte) (in, known bool) {
	upper, lower, digit := c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9'
	graph := c > ' ' && c < 0x7f
	switch name {
	case "alnum":
		return upper || lower || digit, true
	case "alpha":
		return upper || lower, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < ' ' || c == 0x7f, true
	case "digit":
		return digit, true
	case "graph":
		return graph, true
	case "lower":
		return lower, true
	case "print":
		return graph || c == ' ', true
	case "punct":
		return graph && !upper && !lower && !digit, true
	case "space":
		return c == ' ' || c >= '\t' && c <= '\r', true
	case "upper":
		return upper, true
	case "xdigit":
		return digit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F', true
	}
	return false, false
}
