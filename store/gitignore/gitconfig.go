package gitignore

// The git config reader: only what finds the global ignore file (core.excludesFile, and
// whether a config file has include directives, in which case it is not used).

import (
	"os"
	"path/filepath"
	"strings"
)

// globalExcludesFile returns the global ignore file git would read: core.excludesFile from
// the config files (later ones win; a relative one is relative to the work tree's root), else
// the XDG default. ok is false when a config file
// has include directives, which could set it elsewhere.
func globalExcludesFile(root, common, gitDir string, getenv func(string) string) (path string, ok bool) {
	home := getenv("HOME")
	xdg := getenv("XDG_CONFIG_HOME")
	var files []string
	if !truthyGit(getenv("GIT_CONFIG_NOSYSTEM")) {
		files = append(files, "/etc/gitconfig")
	}
	if g := getenv("GIT_CONFIG_GLOBAL"); g != "" {
		files = append(files, g)
	} else {
		if xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		} else if home != "" {
			files = append(files, filepath.Join(home, ".config", "git", "config"))
		}
		if home != "" {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
	}
	files = append(files, filepath.Join(common, "config"), filepath.Join(gitDir, "config.worktree"))
	value, set := "", false
	for _, f := range files {
		data, readable := readSmallFile(f, maxIgnoreFile)
		if !readable {
			if _, err := os.Lstat(f); err == nil {
				return "", false // exists but unreadable: its value is unknown
			}
			continue
		}
		v, found, includes := configExcludesFile(data)
		if includes {
			return "", false
		}
		if found {
			value, set = v, true
		}
	}
	if set {
		if rest, ok := strings.CutPrefix(value, "~/"); ok && home != "" {
			value = filepath.Join(home, rest)
		}
		if value != "" && !filepath.IsAbs(value) {
			value = filepath.Join(root, value) // git runs from the work tree's root
		}
		return value, true
	}
	switch {
	case xdg != "":
		return filepath.Join(xdg, "git", "ignore"), true
	case home != "":
		return filepath.Join(home, ".config", "git", "ignore"), true
	}
	return "", true
}

// truthyGit reads a git boolean environment value.
func truthyGit(v string) bool {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// configExcludesFile reads the last core.excludesFile of one git config file and whether the
// file has [include] or [includeIf] sections. Only as much of git's config syntax as that
// needs is understood: sections, comments, quotes, escapes and continuation lines.
func configExcludesFile(data []byte) (value string, found, includes bool) {
	section := ""
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimLeft(lines[i], " \t")
		if strings.HasPrefix(line, "[") {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				continue
			}
			head := strings.TrimSpace(line[1:end])
			name, _, hasSub := strings.Cut(head, " ")
			name = strings.ToLower(name)
			if dot := strings.IndexByte(name, '.'); dot >= 0 {
				name, hasSub = name[:dot], true
			}
			if name == "include" || name == "includeif" {
				includes = true
			}
			section = name
			if hasSub {
				section += "."
			}
			line = strings.TrimLeft(line[end+1:], " \t")
		}
		if section != "core" || line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		key, rest, hasValue := strings.Cut(line, "=")
		if !strings.EqualFold(strings.TrimSpace(key), "excludesfile") || !hasValue {
			continue
		}
		// Join continuation lines, then unquote.
		for strings.HasSuffix(rest, `\`) && !strings.HasSuffix(rest, `\\`) && i+1 < len(lines) {
			i++
			rest = rest[:len(rest)-1] + lines[i]
		}
		value, found = unquoteConfigValue(rest), true
	}
	return value, found, includes
}

// unquoteConfigValue applies git's value rules: surrounding blanks dropped, "..." quoting,
// \\ \" \n \t \b escapes, and # or ; starting a comment outside quotes.
func unquoteConfigValue(s string) string {
	var b strings.Builder
	inQuote := false
	pendingSpace := ""
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			inQuote = !inQuote
			continue
		case !inQuote && (c == '#' || c == ';'):
			return b.String()
		case !inQuote && (c == ' ' || c == '\t'):
			if b.Len() > 0 {
				pendingSpace += string(c)
			}
			continue
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				c = '\n'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			default:
				c = s[i]
			}
		}
		b.WriteString(pendingSpace)
		pendingSpace = ""
		b.WriteByte(c)
	}
	return b.String()
}
