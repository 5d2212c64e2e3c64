package store

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// GitIgnoreStatus reports whether path lies inside a git work tree and, if so, whether git
// would ignore it, i.e. whether `git add .` would leave an exported secret out. It starts no
// process: a repository's own configuration (core.fsmonitor, hooks) can make a git command
// run a program of the repository's choosing, so the answer comes from reading files:
//
//   - the work tree: the nearest folder above path holding a .git folder, or a .git file
//     saying "gitdir: DIR" (linked work trees, submodules);
//   - the .gitignore files from the work tree's root down to path's folder (symbolic links are
//     skipped, as git skips them), .git/info/exclude of the repository (the common git folder
//     for linked work trees), and the global ignore file: core.excludesFile from the system
//     (/etc/gitconfig), global and repository config, else $XDG_CONFIG_HOME/git/ignore or
//     ~/.config/git/ignore; getenv supplies HOME, XDG_CONFIG_HOME, GIT_CONFIG_GLOBAL and
//     GIT_CONFIG_NOSYSTEM, so the process environment is never read here;
//   - the index, because git never ignores a tracked file.
//
// Patterns follow git's rules: negation, a trailing slash for folders only, anchoring by a
// leading or inner slash, *, ?, ** as a whole path segment, character classes with ranges and
// [:names:], \ quoting (\#, \!, \ ), unescaped trailing spaces dropped, and a file inside an
// ignored folder staying ignored whatever later patterns say.
//
// Not read: GIT_DIR and GIT_WORK_TREE, core.worktree, config include directives (when a
// config file has one, the global ignore file is not used at all), system config outside
// /etc, and core.ignoreCase (matching is case-sensitive). Each of these, like any file that
// cannot be read, can only make ignored come out false where git would say true, so the
// caller's "not ignored" warning errs towards being shown.
func GitIgnoreStatus(path string, getenv func(string) string) (inWorkTree, ignored bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, false
	}
	dir := filepath.Dir(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	root, gitDir, ok := findWorkTree(dir)
	if !ok {
		return false, false
	}
	rel, err := filepath.Rel(root, filepath.Join(dir, filepath.Base(abs)))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return true, false
	}
	rel = filepath.ToSlash(rel)
	parts := strings.Split(rel, "/")
	for _, p := range parts {
		if p == ".git" {
			return true, true // inside the repository's own folder: git never adds it
		}
	}
	if gitDir == "" {
		return true, false // a .git file we cannot follow: nothing more is known
	}
	common := commonGitDir(gitDir)

	// Lowest priority first: the global file, info/exclude, then .gitignore files from the
	// root down. The last pattern that matches decides.
	var pats []ignorePattern
	if global, ok := globalExcludesFile(root, common, gitDir, getenv); ok && global != "" {
		if lines, ok := readIgnoreFile(global, true); ok {
			pats = appendPatterns(pats, lines, "")
		}
	}
	lines, ok := readIgnoreFile(filepath.Join(common, "info", "exclude"), true)
	if !ok {
		return true, false
	}
	pats = appendPatterns(pats, lines, "")

	// levels[i] holds the patterns that apply to paths below the folder parts[:i].
	levels := make([][]ignorePattern, len(parts))
	for i := range parts {
		base := strings.Join(parts[:i], "/")
		if base != "" {
			base += "/"
		}
		lines, ok := readIgnoreFile(filepath.Join(root, filepath.FromSlash(base), ".gitignore"), false)
		if !ok {
			return true, false
		}
		pats = appendPatterns(pats, lines, base)
		levels[i] = pats
	}
	for i := 1; i <= len(parts); i++ {
		isDir := i < len(parts)
		if lastMatch(levels[i-1], strings.Join(parts[:i], "/"), isDir) {
			return true, !tracked(gitDir, rel)
		}
	}
	return true, false
}

// findWorkTree walks up from dir to the nearest folder with a .git entry. gitDir is empty when
// that entry is a .git file that cannot be followed.
func findWorkTree(dir string) (root, gitDir string, ok bool) {
	for d := dir; ; {
		dotgit := filepath.Join(d, ".git")
		if fi, err := os.Lstat(dotgit); err == nil {
			switch {
			case fi.IsDir():
				if isGitDir(dotgit) {
					return d, dotgit, true
				}
			case fi.Mode().IsRegular():
				return d, followGitFile(d, dotgit), true
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", "", false
		}
		d = parent
	}
}

// isGitDir reports whether dir looks like a git folder (it has a HEAD).
func isGitDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "HEAD"))
	return err == nil
}

// followGitFile reads a .git file ("gitdir: DIR", DIR relative to the work tree) and returns
// the git folder it names, or "" when it names none.
func followGitFile(root, file string) string {
	data, ok := readSmallFile(file, 4096)
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	target, found := strings.CutPrefix(strings.TrimRight(line, " \t\r"), "gitdir: ")
	if !found || target == "" {
		return ""
	}
	if !filepath.IsAbs(target) {
		target = filepath.Join(root, target)
	}
	if !isGitDir(target) {
		return ""
	}
	return target
}

// commonGitDir returns the folder shared by all work trees of gitDir (named by its commondir
// file in linked work trees), where info/exclude and config live.
func commonGitDir(gitDir string) string {
	data, ok := readSmallFile(filepath.Join(gitDir, "commondir"), 4096)
	if !ok || len(bytes.TrimSpace(data)) == 0 {
		return gitDir
	}
	c := strings.TrimSpace(string(data))
	if !filepath.IsAbs(c) {
		c = filepath.Join(gitDir, c)
	}
	return c
}

// maxIgnoreFile bounds each ignore or config file read; bigger ones count as unreadable.
const maxIgnoreFile = 8 << 20

// readSmallFile reads a regular file of at most limit bytes; ok is false otherwise.
func readSmallFile(path string, limit int64) ([]byte, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > limit {
		return nil, false
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	data, err := readLimited(f, limit)
	return data, err == nil
}

// readIgnoreFile returns the lines of an ignore file. A missing file has no lines; so has a
// symbolic link when follow is false (git does not follow .gitignore links in the work
// tree). ok is false when the file exists but cannot be read whole.
func readIgnoreFile(path string, follow bool) (lines []string, ok bool) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true
	}
	if err != nil {
		return nil, false
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if !follow {
			return nil, true
		}
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, true // a dangling link reads as an empty file
		}
	}
	data, ok := readSmallFile(path, maxIgnoreFile)
	if !ok {
		return nil, false
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return strings.Split(string(data), "\n"), true
}

// ignorePattern is one parsed line of an ignore file.
type ignorePattern struct {
	glob     string // the pattern without "!", a trailing "/" and a leading "/"
	base     string // folder of the file it came from, relative to the root: "" or "a/b/"
	negate   bool   // "!pattern": a match means not ignored
	dirOnly  bool   // "pattern/": matches folders only
	basename bool   // no slash in the pattern: matches the last path element at any depth
}

// appendPatterns parses lines of an ignore file found in folder base.
func appendPatterns(pats []ignorePattern, lines []string, base string) []ignorePattern {
	for _, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		line = trimIgnoreSpaces(line)
		p := ignorePattern{base: base}
		if strings.HasPrefix(line, "!") {
			p.negate, line = true, line[1:]
		}
		if strings.HasSuffix(line, "/") {
			p.dirOnly, line = true, line[:len(line)-1]
		}
		if line == "" {
			continue
		}
		p.basename = !strings.Contains(line, "/")
		p.glob = strings.TrimPrefix(line, "/")
		pats = append(pats, p)
	}
	return pats
}

// trimIgnoreSpaces drops trailing spaces that no backslash quotes.
func trimIgnoreSpaces(s string) string {
	lastSpace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if lastSpace < 0 {
				lastSpace = i
			}
		case '\\':
			i++
			if i >= len(s) {
				return s
			}
			lastSpace = -1
		default:
			lastSpace = -1
		}
	}
	if lastSpace >= 0 {
		return s[:lastSpace]
	}
	return s
}

// lastMatch reports whether the last pattern of pats that matches rel (relative to the root;
// a folder when isDir) says ignored.
func lastMatch(pats []ignorePattern, rel string, isDir bool) bool {
	for i := len(pats) - 1; i >= 0; i-- {
		if p := pats[i]; p.matches(rel, isDir) {
			return !p.negate
		}
	}
	return false
}

func (p ignorePattern) matches(rel string, isDir bool) bool {
	if p.dirOnly && !isDir || !strings.HasPrefix(rel, p.base) {
		return false
	}
	if p.basename {
		return globMatch(p.glob, rel[strings.LastIndexByte(rel, '/')+1:])
	}
	// Like git, compare the literal head of the pattern first and glob only the rest; this
	// matters because "**" at the start of that rest counts as a whole path segment, so
	// "a**/x" matches "ab/c/x".
	name := rel[len(p.base):]
	lit := strings.IndexAny(p.glob, `*?[\`)
	if lit < 0 {
		return name == p.glob
	}
	if !strings.HasPrefix(name, p.glob[:lit]) {
		return false
	}
	return globMatch(p.glob[lit:], name[lit:])
}

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

// maxIndexSize bounds the index read; a bigger one counts as unreadable.
const maxIndexSize = 256 << 20

// tracked reports whether rel is in the index of gitDir, so git would not ignore it. An index
// that exists but cannot be read counts as tracking it (the warning is then shown).
func tracked(gitDir, rel string) bool {
	f, err := os.Open(filepath.Join(gitDir, "index"))
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	defer f.Close()
	data, err := readLimited(f, maxIndexSize)
	if err != nil {
		return true
	}
	in, link, err := indexLookup(data, rel)
	if in || err != nil {
		return true
	}
	if link == "" {
		return false
	}
	// A split index (core.splitIndex): most entries live in the shared index the link
	// extension names. An entry the split index deleted still counts as tracked there, which
	// can only show the warning where git would not.
	sf, err := os.Open(filepath.Join(gitDir, "sharedindex."+link))
	if err != nil {
		return true
	}
	defer sf.Close()
	shared, err := readLimited(sf, maxIndexSize)
	if err != nil {
		return true
	}
	in, link, err = indexLookup(shared, rel)
	return in || link != "" || err != nil
}

// errIndex reports an index file this reader does not understand.
var errIndex = errors.New("unreadable git index")

// indexLookup reports whether the index (format versions 2 to 4, SHA-1 or SHA-256) lists
// rel, or a sparse folder entry containing it, and, for a split index, the hex name of the
// shared index its link extension points to (sharedindex.NAME in the git folder).
func indexLookup(data []byte, rel string) (bool, string, error) {
	if len(data) < 12 || string(data[:4]) != "DIRC" {
		return false, "", errIndex
	}
	// The trailing checksum tells the hash size; an index written with index.skipHash has
	// zeros there, and then both sizes are tried.
	sizes := []int{20, 32}
	switch {
	case len(data) >= 32 && bytes.Equal(sha1Sum(data[:len(data)-20]), data[len(data)-20:]):
		sizes = []int{20}
	case len(data) >= 44 && bytes.Equal(sha256Sum(data[:len(data)-32]), data[len(data)-32:]):
		sizes = []int{32}
	}
	for _, size := range sizes {
		if in, link, err := indexHasWithHash(data, rel, size); err == nil {
			return in, link, nil
		}
	}
	return false, "", errIndex
}

func sha1Sum(b []byte) []byte   { s := sha1.Sum(b); return s[:] }
func sha256Sum(b []byte) []byte { s := sha256.Sum256(b); return s[:] }

func indexHasWithHash(data []byte, rel string, hashSize int) (bool, string, error) {
	version := binary.BigEndian.Uint32(data[4:8])
	if version < 2 || version > 4 {
		return false, "", errIndex
	}
	count := binary.BigEndian.Uint32(data[8:12])
	end := len(data) - hashSize
	pos := 12
	prev := ""
	found := false
	for n := uint32(0); n < count; n++ {
		start := pos
		fixed := 40 + hashSize + 2
		if pos+fixed > end {
			return false, "", errIndex
		}
		flags := binary.BigEndian.Uint16(data[pos+40+hashSize:])
		pos += fixed
		if flags&0x4000 != 0 {
			if version < 3 || pos+2 > end {
				return false, "", errIndex
			}
			pos += 2
		}
		var name string
		if version == 4 {
			strip, l := indexVarint(data[pos:end])
			if l == 0 || strip > uint64(len(prev)) {
				return false, "", errIndex
			}
			pos += l
			nul := bytes.IndexByte(data[pos:end], 0)
			if nul < 0 {
				return false, "", errIndex
			}
			name = prev[:len(prev)-int(strip)] + string(data[pos:pos+nul])
			pos += nul + 1
		} else {
			nul := bytes.IndexByte(data[pos:end], 0)
			if nul < 0 {
				return false, "", errIndex
			}
			name = string(data[pos : pos+nul])
			// Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
			pos = start + (pos-start+nul+8)&^7
			if pos > end {
				return false, "", errIndex
			}
		}
		if l := int(flags & 0xfff); l != 0xfff && l != len(name) {
			return false, "", errIndex
		}
		if name == rel || strings.HasSuffix(name, "/") && strings.HasPrefix(rel, name) {
			found = true
		}
		prev = name
	}
	link, err := indexExtensions(data[pos:end], hashSize)
	if err != nil {
		return false, "", err
	}
	return found, link, nil
}

// indexExtensions reads the extensions after the entries: each a 4-byte signature, a 4-byte
// size and its data. It returns the shared index named by a "link" extension (split index).
// A signature starting with a capital letter is optional to understand (git's rule); any
// other unknown one changes what the entries mean, so the index counts as unreadable.
func indexExtensions(ext []byte, hashSize int) (link string, err error) {
	for len(ext) > 0 {
		if len(ext) < 8 {
			return "", errIndex
		}
		sig, size := string(ext[:4]), binary.BigEndian.Uint32(ext[4:8])
		if uint64(size) > uint64(len(ext)-8) {
			return "", errIndex
		}
		body := ext[8 : 8+size]
		switch {
		case sig == "link":
			if len(body) < hashSize {
				return "", errIndex
			}
			link = hex.EncodeToString(body[:hashSize])
		case sig == "sdir": // sparse directories: the entries say it all
		case sig[0] >= 'A' && sig[0] <= 'Z':
		default:
			return "", errIndex
		}
		ext = ext[8+size:]
	}
	return link, nil
}

// indexVarint decodes the offset encoding of index version 4; l is 0 when it is malformed.
func indexVarint(b []byte) (v uint64, l int) {
	if len(b) == 0 {
		return 0, 0
	}
	c := b[0]
	v = uint64(c & 0x7f)
	l = 1
	for c&0x80 != 0 {
		if l >= len(b) || l > 9 {
			return 0, 0
		}
		c = b[l]
		v = (v+1)<<7 | uint64(c&0x7f)
		l++
	}
	return v, l
}
