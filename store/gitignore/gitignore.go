// Package gitignore answers one question without starting any process: would git ignore this
// path, i.e. would `git add .` leave a file written there out? It reads the repository's files
// itself (the rules and the evidence for not running git are in docs/gitignore.md).
package gitignore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Status reports whether path lies inside a git work tree and, if so, whether git
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
func Status(path string, getenv func(string) string) (inWorkTree, ignored bool) {
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

// readLimited reads all of r, refusing more than limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}
