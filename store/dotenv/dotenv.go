// Package dotenv reads env files (`--env-file`): the dotenv syntax the export formats write
// and the shell reads, without variable expansion, never echoing a value in an error.
package dotenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxFileSize bounds what Parse reads; an env file of credentials is a few hundred bytes.
const MaxFileSize = 1 << 20

// Parse reads a dotenv file: a UTF-8 BOM and CRLF line ends are accepted; blank lines and
// lines starting with # are skipped; an `export ` prefix is allowed; NAME=value with the value
// bare (the rest of the line, trimmed, up to a ` #` comment), 'single-quoted' (literal, may span
// lines) or "double-quoted" (\\ \" \$ \` escapes and backslash-newline as bash reads them, and
// \n for a newline as dotenv readers read it; any other backslash stays; may span lines), and
// adjacent quoted parts concatenate as in the shell (so the shell export format reads back too).
// There is no variable expansion. A name set twice is an error naming it and both lines; a
// malformed line is an error naming the line number. Errors never echo a value, since values
// are secrets.
func Parse(r io.Reader) (map[string]string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err == nil && len(data) > MaxFileSize {
		err = fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	p := &envParser{s: strings.ReplaceAll(string(data), "\r\n", "\n"), line: 1}
	return p.parse()
}

// ReadFile reads and parses the env file at path (see Parse).
func ReadFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("env file: %w", err)
	}
	defer f.Close()
	m, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("env file %s: %w", path, err)
	}
	return m, nil
}

// ReadFileContext is ReadFile (or Parse of in, for path "-") abandoned when ctx
// ends: the file may be a pipe (`--env-file <(pass show cxone)`, a named pipe) whose writer
// never comes, and opening or reading it would otherwise outlast Ctrl+C. The error then wraps
// ctx's error. The abandoned read is left to the process's end.
func ReadFileContext(ctx context.Context, path string, in io.Reader) (map[string]string, error) {
	type result struct {
		vars map[string]string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		if path == "-" {
			r.vars, r.err = Parse(in)
		} else {
			r.vars, r.err = ReadFile(path)
		}
		done <- r
	}()
	select {
	case r := <-done:
		return r.vars, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("env file %s: reading it was abandoned: %w", path, ctx.Err())
	}
}

type envParser struct {
	s    string
	i    int
	line int
}

func (p *envParser) eof() bool  { return p.i >= len(p.s) }
func (p *envParser) peek() byte { return p.s[p.i] }

// next consumes one byte, counting lines.
func (p *envParser) next() byte {
	c := p.s[p.i]
	p.i++
	if c == '\n' {
		p.line++
	}
	return c
}

func (p *envParser) skipBlanks() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.i++
	}
}

func (p *envParser) skipToEOL() {
	for !p.eof() && p.peek() != '\n' {
		p.i++
	}
}

func isNameStart(c byte) bool { return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isNameChar(c byte) bool  { return isNameStart(c) || c >= '0' && c <= '9' }

func (p *envParser) parse() (map[string]string, error) {
	vals := map[string]string{}
	lines := map[string]int{}
	for !p.eof() {
		p.skipBlanks()
		if p.eof() {
			break
		}
		switch p.peek() {
		case '\n':
			p.next()
			continue
		case '#':
			p.skipToEOL()
			continue
		}
		start := p.line
		if strings.HasPrefix(p.s[p.i:], "export") && p.i+6 < len(p.s) && (p.s[p.i+6] == ' ' || p.s[p.i+6] == '\t') {
			p.i += 6
			p.skipBlanks()
		}
		j := p.i
		for j < len(p.s) && isNameChar(p.s[j]) {
			j++
		}
		name := p.s[p.i:j]
		if name == "" || !isNameStart(name[0]) || j >= len(p.s) || p.s[j] != '=' {
			return nil, fmt.Errorf("line %d: not a NAME=value assignment", start)
		}
		p.i = j + 1
		val, err := p.value(start)
		if err != nil {
			return nil, err
		}
		if first, dup := lines[name]; dup {
			return nil, fmt.Errorf("line %d: %s is set more than once (first on line %d)", start, name, first)
		}
		vals[name], lines[name] = val, start
	}
	return vals, nil
}

// value reads what follows '=' up to the end of the assignment.
func (p *envParser) value(start int) (string, error) {
	if p.eof() || (p.peek() != '"' && p.peek() != '\'') {
		// Bare: the rest of the line, an inline comment (blank then #) removed, trimmed.
		j := p.i
		p.skipToEOL()
		v := p.s[j:p.i]
		for k := 0; k < len(v); k++ {
			if v[k] == '#' && k > 0 && (v[k-1] == ' ' || v[k-1] == '\t') {
				v = v[:k]
				break
			}
		}
		return strings.Trim(v, " \t"), nil
	}
	var b strings.Builder
	for !p.eof() {
		c := p.peek()
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			return b.String(), p.endOfAssignment(start)
		case c == '\'':
			p.next()
			for {
				if p.eof() {
					return "", fmt.Errorf("line %d: unterminated single-quoted value", start)
				}
				c := p.next()
				if c == '\'' {
					break
				}
				b.WriteByte(c)
			}
		case c == '"':
			p.next()
			for {
				if p.eof() {
					return "", fmt.Errorf("line %d: unterminated double-quoted value", start)
				}
				c := p.next()
				if c == '"' {
					break
				}
				if c == '\\' && !p.eof() {
					switch d := p.peek(); d {
					case '\\', '"', '$', '`':
						b.WriteByte(p.next())
						continue
					case 'n': // how WriteEnv writes a newline; the dotenv readers agree
						p.next()
						b.WriteByte('\n')
						continue
					case '\n':
						p.next() // line continuation, as in bash
						continue
					}
				}
				b.WriteByte(c)
			}
		case c == '\\':
			p.next()
			if !p.eof() {
				if d := p.next(); d != '\n' {
					b.WriteByte(d)
				}
			}
		default:
			b.WriteByte(p.next())
		}
	}
	return b.String(), nil
}

// endOfAssignment accepts blanks and a comment after a quoted value, nothing else.
func (p *envParser) endOfAssignment(start int) error {
	p.skipBlanks()
	if p.eof() {
		return nil
	}
	switch p.peek() {
	case '\n':
		return nil
	case '#':
		p.skipToEOL()
		return nil
	}
	return fmt.Errorf("line %d: unexpected text after the quoted value (quote the whole value)", start)
}
