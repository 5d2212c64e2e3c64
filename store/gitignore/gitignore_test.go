package gitignore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitEnv is a clean environment for the git the tests run (tests may run git; the product
// never does): no system config, HOME in a temp folder.
type gitEnv struct {
	home string
	vars map[string]string
}

func newGitEnv(t *testing.T) *gitEnv {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is needed to compare against: %v", err)
	}
	home := t.TempDir()
	return &gitEnv{home: home, vars: map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"}}
}

// getenv is what GitIgnoreStatus sees.
func (g *gitEnv) getenv(k string) string { return g.vars[k] }

func (g *gitEnv) environ() []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}
	for k, v := range g.vars {
		env = append(env, k+"="+v)
	}
	return env
}

// git runs git in dir and returns its output; failures are fatal unless allowed.
func (g *gitEnv) git(t *testing.T, dir string, stdin string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = g.environ()
	cmd.Stdin = strings.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	if code > 1 {
		t.Fatalf("git %v: exit %d: %s", args, code, stderr.String())
	}
	return string(out), code
}

// gitIgnored asks real git which of paths (relative to repo) it ignores.
func (g *gitEnv) gitIgnored(t *testing.T, repo string, paths []string) map[string]bool {
	t.Helper()
	out, _ := g.git(t, repo, strings.Join(paths, "\x00")+"\x00", "check-ignore", "--stdin", "-z")
	got := map[string]bool{}
	for _, p := range strings.Split(out, "\x00") {
		if p != "" {
			got[p] = true
		}
	}
	return got
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ignoreCase is one comparison: ignore files (relative to the case's folder) and the path of
// an exported file there.
type ignoreCase struct {
	name  string
	files map[string]string
	path  string
}

func gi(lines ...string) map[string]string {
	return map[string]string{".gitignore": strings.Join(lines, "\n") + "\n"}
}

var ignoreCases = []ignoreCase{
	{"suffix", gi("*.env"), "x.env"},
	{"suffix deep", gi("*.env"), "a/b/x.env"},
	{"suffix other", gi("*.env"), "x.txt"},
	{"exact name", gi(".env"), ".env"},
	{"exact name deep", gi(".env"), "a/.env"},
	{"exact name other", gi(".env"), "x.env"},
	{"leading slash anchors", gi("/.env"), ".env"},
	{"leading slash anchors deep", gi("/.env"), "a/.env"},
	{"middle slash anchors", gi("a/.env"), "a/.env"},
	{"middle slash anchors deep", gi("a/.env"), "b/a/.env"},
	{"leading double star", gi("**/a/.env"), "b/c/a/.env"},
	{"leading double star top", gi("**/a/.env"), "a/.env"},
	{"trailing double star", gi("a/**"), "a/b/x.env"},
	{"trailing double star self", gi("a/**"), "a"},
	{"inner double star zero", gi("a/**/x.env"), "a/x.env"},
	{"inner double star many", gi("a/**/x.env"), "a/b/c/x.env"},
	{"double star not a segment", gi("a**/x.env"), "ab/x.env"},
	{"double star not a segment deep", gi("a**/x.env"), "ab/c/x.env"},
	{"star one level", gi("*/x.env"), "a/x.env"},
	{"star one level deep", gi("*/x.env"), "a/b/x.env"},
	{"star in folder", gi("a/*"), "a/x.env"},
	{"question mark", gi("?.env"), "x.env"},
	{"question mark two", gi("?.env"), "xy.env"},
	{"folder only", gi("secret/"), "secret/x.env"},
	{"folder only on file", gi("secret/"), "secret"},
	{"folder only deep", gi("secret/"), "a/secret/b/x.env"},
	{"no re-include under ignored folder", gi("secret/", "!secret/x.env"), "secret/x.env"},
	{"no re-include under folder/*", gi("secret/*", "!secret/x.env"), "secret/x.env"},
	{"negation", gi("*.env", "!keep.env"), "keep.env"},
	{"negation other", gi("*.env", "!keep.env"), "drop.env"},
	{"negation then again", gi("*.env", "!keep.env", "keep.*"), "keep.env"},
	{"comment", gi("#x.env"), "#x.env"},
	{"escaped hash", gi(`\#x.env`), "#x.env"},
	{"escaped bang", gi(`\!x.env`), "!x.env"},
	{"trailing spaces dropped", gi("x.env   "), "x.env"},
	{"escaped trailing space kept", gi(`x.env\ `), "x.env "},
	{"escaped trailing space not plain", gi(`x.env\ `), "x.env"},
	{"tab not trimmed", gi("x.env\t"), "x.env"},
	{"class", gi("x.[ea]nv"), "x.env"},
	{"negated class", gi("x.[!e]nv"), "x.env"},
	{"caret class", gi("x.[^e]nv"), "x.anv"},
	{"range", gi("x.[a-f]nv"), "x.env"},
	{"range out", gi("x.[f-z]nv"), "x.env"},
	{"named class", gi("x.[[:alpha:]]nv"), "x.env"},
	{"named class digit", gi("x[[:digit:]].env"), "x1.env"},
	{"bracket first", gi("x[]a].env"), "x].env"},
	{"unterminated class", gi("x[.env"), "x[.env"},
	{"unknown named class", gi("x[[:nope:]].env"), "xa.env"},
	{"class never matches slash", gi("a[/]b"), "a/b"},
	{"escaped star", gi(`x\*.env`), "x*.env"},
	{"escaped star literal only", gi(`x\*.env`), "xy.env"},
	{"trailing backslash", gi(`x.env\`), "x.env"},
	{"everything", gi("**"), "a/b/x.env"},
	{"case sensitive", gi("*.ENV"), "x.env"},
	{"crlf", map[string]string{".gitignore": "*.env\r\n"}, "x.env"},
	{"bom", map[string]string{".gitignore": "\xef\xbb\xbf*.env\n"}, "x.env"},
	{"no final newline", map[string]string{".gitignore": "*.env"}, "x.env"},
	{"deeper file wins", map[string]string{".gitignore": "*.env\n", "a/.gitignore": "!x.env\n"}, "a/x.env"},
	{"deeper file wins ignore", map[string]string{".gitignore": "!x.env\n", "a/.gitignore": "*.env\n"}, "a/x.env"},
	{"deeper file anchored", map[string]string{"a/.gitignore": "/x.env\n"}, "a/x.env"},
	{"deeper file anchored deep", map[string]string{"a/.gitignore": "/x.env\n"}, "a/b/x.env"},
	{"deeper file does not reach up", map[string]string{"a/.gitignore": "*.env\n"}, "x.env"},
	{"folder pattern from deeper file", map[string]string{"a/.gitignore": "b/\n"}, "a/b/x.env"},
	{"double star folder only", gi("**/secret/"), "a/secret/x.env"},
	{"double star under anchored", gi("/a/**/b/"), "a/x/b/y.env"},
	{"dots", gi("*.*.env"), "a.b.env"},
	{"unicode", gi("clé*.env"), "clé-1.env"},
	{"range from bracket", gi("x[]-a].env"), "x^.env"},
	{"escaped bracket in class", gi(`x[\]].env`), "x].env"},
	{"dash after named class", gi("x[[:alpha:]-z].env"), "x-.env"},
	{"colon bracket not a class", gi("x[[:].env"), "x[.env"},
	{"colon bracket not a class 2", gi("x[[:]].env"), "x:].env"},
	{"escaped range end", gi(`x[a-\z].env`), "xq.env"},
}

// TestGitIgnoreStatusMatchesGit compares GitIgnoreStatus with `git check-ignore` on a table of
// pattern cases, each in its own folder of one repository.
func TestGitIgnoreStatusMatchesGit(t *testing.T) {
	g := newGitEnv(t)
	compareWithGit(t, g, ignoreCases)
}

// TestGitIgnoreStatusRandomPatterns compares with git on random patterns and paths made of
// the characters that have meaning in ignore files (a fixed seed, so failures repeat).
func TestGitIgnoreStatusRandomPatterns(t *testing.T) {
	g := newGitEnv(t)
	r := rand.New(rand.NewPCG(1, 2))
	atoms := []string{"a", "b", "a", "*", "**", "?", "/", "[ab]", "[!a]", "[a-b]", `\a`, ".", "x"}
	names := []string{"a", "b", "ab", "ba", "aa", "a.x", "xa", "b.a"}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	var cases []ignoreCase
	for i := 0; i < 600; i++ {
		var lines []string
		for n := 1 + r.IntN(3); n > 0; n-- {
			var p strings.Builder
			if r.IntN(5) == 0 {
				p.WriteString("!")
			}
			for m := 1 + r.IntN(5); m > 0; m-- {
				p.WriteString(pick(atoms))
			}
			lines = append(lines, p.String())
		}
		var path []string
		for n := 1 + r.IntN(3); n > 0; n-- {
			path = append(path, pick(names))
		}
		cases = append(cases, ignoreCase{fmt.Sprintf("random %d: %q", i, lines), gi(lines...), strings.Join(path, "/")})
	}
	compareWithGit(t, g, cases)
}

func compareWithGit(t *testing.T, g *gitEnv, cases []ignoreCase) {
	t.Helper()
	repo := t.TempDir()
	g.git(t, repo, "", "init", "-q")
	var paths []string
	for i, c := range cases {
		base := fmt.Sprintf("c%03d", i)
		for name, content := range c.files {
			writeFile(t, filepath.Join(repo, base, name), content)
		}
		p := filepath.Join(repo, base, filepath.FromSlash(c.path))
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			t.Fatalf("%s: path %s is a folder in this layout", c.name, c.path)
		}
		writeFile(t, p, "x")
		paths = append(paths, base+"/"+c.path)
	}
	want := g.gitIgnored(t, repo, paths)
	mismatches := 0
	for i, c := range cases {
		inTree, got := Status(filepath.Join(repo, filepath.FromSlash(paths[i])), g.getenv)
		if !inTree {
			t.Errorf("%s: not seen as inside the work tree", c.name)
		}
		if got != want[paths[i]] {
			mismatches++
			t.Errorf("%s: %s with %q: ignored = %v, git says %v", c.name, c.path, c.files, got, want[paths[i]])
		}
	}
	t.Logf("%d cases compared with git, %d git ignores, %d mismatches", len(cases), len(want), mismatches)
}

// TestGitIgnoreStatusSources checks the files beyond .gitignore against git: info/exclude,
// the global ignore file and core.excludesFile, the index (a tracked file is never ignored)
// in SHA-1, SHA-256 and version 4 indexes, and work trees whose .git is a file.
func TestGitIgnoreStatusSources(t *testing.T) {
	type setup func(t *testing.T, g *gitEnv, repo string)
	gitCmd := func(args ...string) setup {
		return func(t *testing.T, g *gitEnv, repo string) { g.git(t, repo, "", args...) }
	}
	inRepo := func(rel, content string) setup {
		return func(t *testing.T, g *gitEnv, repo string) { writeFile(t, filepath.Join(repo, rel), content) }
	}
	inHome := func(rel, content string) setup {
		return func(t *testing.T, g *gitEnv, repo string) { writeFile(t, filepath.Join(g.home, rel), content) }
	}
	tests := []struct {
		name  string
		init  []string // git init arguments
		steps []setup
		path  string
		// mayMiss: a documented gap where git ignores the file and GitIgnoreStatus does not
		// (never the other way round).
		mayMiss bool
	}{
		{"info/exclude", nil, []setup{inRepo(".git/info/exclude", "*.env\n")}, "x.env", false},
		{"xdg default global file", nil, []setup{inHome(".config/git/ignore", "*.env\n")}, "x.env", false},
		{"core.excludesFile", nil, []setup{inHome(".gitconfig", "[core]\n\texcludesFile = ~/global-ignore\n"), inHome("global-ignore", "*.env\n")}, "x.env", false},
		{"core.excludesFile quoted, odd case", nil, []setup{inHome(".gitconfig", "[Core]\n\tExcludesFile = \"~/global ignore\" ; note\n"), inHome("global ignore", "*.env\n")}, "x.env", false},
		{"core.excludesFile replaces the default", nil, []setup{inHome(".gitconfig", "[core]\n\texcludesfile = ~/empty\n"), inHome("empty", ""), inHome(".config/git/ignore", "*.env\n")}, "x.env", false},
		{"core.excludesFile in the repository config", nil, []setup{gitCmd("config", "core.excludesFile", "../repo-ignore"), inRepo("../repo-ignore", "*.env\n")}, "x.env", false},
		{"config with include", nil, []setup{inHome(".gitconfig", "[include]\n\tpath = ~/more\n"), inHome("more", ""), inHome(".config/git/ignore", "*.env\n")}, "x.env", true},
		{"exclude overridden by .gitignore", nil, []setup{inRepo(".git/info/exclude", "*.env\n"), inRepo(".gitignore", "!x.env\n")}, "x.env", false},
		{"tracked file", nil, []setup{inRepo(".gitignore", "*.env\n"), inRepo("x.env", "x"), gitCmd("add", "-f", "x.env")}, "x.env", false},
		{"tracked other file", nil, []setup{inRepo(".gitignore", "*.env\n"), inRepo("y.env", "x"), gitCmd("add", "-f", "y.env")}, "x.env", false},
		{"tracked deep, index v4", nil, []setup{inRepo(".gitignore", "*.env\n"), inRepo("a/b/x.env", "x"), inRepo("a/b/y.env", "x"), inRepo("a/c.txt", "x"),
			gitCmd("add", "-f", "a"), gitCmd("update-index", "--index-version", "4")}, "a/b/x.env", false},
		{"untracked, index v4", nil, []setup{inRepo(".gitignore", "*.env\n"), inRepo("a/b/y.env", "x"), gitCmd("add", "-f", "a"),
			gitCmd("update-index", "--index-version", "4")}, "a/b/x.env", false},
		{"tracked, sha256", []string{"--object-format=sha256"}, []setup{inRepo(".gitignore", "*.env\n"), inRepo("x.env", "x"), gitCmd("add", "-f", "x.env")}, "x.env", false},
		{"untracked, sha256", []string{"--object-format=sha256"}, []setup{inRepo(".gitignore", "*.env\n"), inRepo("y.env", "x"), gitCmd("add", "-f", "y.env")}, "x.env", false},
		{"separate git dir", []string{"--separate-git-dir=../elsewhere.git"}, []setup{inRepo("../elsewhere.git/info/exclude", "*.env\n")}, "x.env", false},
		{"symlinked .gitignore is not followed", nil, []setup{inRepo("../outside-ignore", "*.env\n"), func(t *testing.T, g *gitEnv, repo string) {
			if err := os.Symlink(filepath.Join(repo, "../outside-ignore"), filepath.Join(repo, ".gitignore")); err != nil {
				t.Fatal(err)
			}
		}}, "x.env", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGitEnv(t)
			repo := filepath.Join(t.TempDir(), "repo")
			if err := os.Mkdir(repo, 0o755); err != nil {
				t.Fatal(err)
			}
			g.git(t, repo, "", append([]string{"init", "-q"}, tt.init...)...)
			for _, s := range tt.steps {
				s(t, g, repo)
			}
			target := filepath.Join(repo, filepath.FromSlash(tt.path))
			if _, err := os.Stat(target); err != nil {
				writeFile(t, target, "x")
			}
			want := g.gitIgnored(t, repo, []string{tt.path})[tt.path]
			inTree, got := Status(target, g.getenv)
			if !inTree {
				t.Fatalf("not seen as inside the work tree")
			}
			switch {
			case got == want:
			case tt.mayMiss && want && !got:
				t.Logf("documented gap: git ignores it, GitIgnoreStatus says not ignored (the warning is shown)")
			default:
				t.Errorf("ignored = %v, git says %v", got, want)
			}
		})
	}
}

// TestGitIgnoreStatusLinkedWorktree: a linked work tree has a .git file; info/exclude of the
// main repository applies there, and its own index decides what is tracked.
func TestGitIgnoreStatusLinkedWorktree(t *testing.T) {
	g := newGitEnv(t)
	base := t.TempDir()
	repo := filepath.Join(base, "main")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	g.git(t, repo, "", "init", "-q")
	writeFile(t, filepath.Join(repo, "README"), "x")
	g.git(t, repo, "", "add", "README")
	g.git(t, repo, "", "commit", "-q", "-m", "init")
	wt := filepath.Join(base, "wt")
	g.git(t, repo, "", "worktree", "add", "-q", wt)
	writeFile(t, filepath.Join(repo, ".git", "info", "exclude"), "*.env\n")
	for _, p := range []string{"x.env", "x.txt"} {
		writeFile(t, filepath.Join(wt, p), "x")
		want := g.gitIgnored(t, wt, []string{p})[p]
		inTree, got := Status(filepath.Join(wt, p), g.getenv)
		if !inTree || got != want {
			t.Errorf("%s in a linked work tree: inTree %v ignored %v, git says ignored %v", p, inTree, got, want)
		}
	}
}

func TestGitIgnoreStatusOutsideAndInsideGitDir(t *testing.T) {
	g := newGitEnv(t)
	if in, _ := Status(filepath.Join(t.TempDir(), "x.env"), g.getenv); in {
		t.Errorf("a folder outside any repository counts as a work tree")
	}
	repo := t.TempDir()
	g.git(t, repo, "", "init", "-q")
	if in, ign := Status(filepath.Join(repo, ".git", "x.env"), g.getenv); !in || !ign {
		t.Errorf("a file inside .git: inTree %v ignored %v; want true, true (git never adds it)", in, ign)
	}
	if in, ign := Status(filepath.Join(repo, "x.env"), g.getenv); !in || ign {
		t.Errorf("an unignored file: inTree %v ignored %v; want true, false", in, ign)
	}
	// A .gitignore that cannot be read (a FIFO would block a reader) is not waited for and
	// leaves the file counted as not ignored.
	if err := mkfifo(filepath.Join(repo, "sub", ".gitignore")); err != nil {
		t.Logf("no FIFO here (%v): that part is not checked", err)
		return
	}
	if in, ign := Status(filepath.Join(repo, "sub", "x.env"), g.getenv); !in || ign {
		t.Errorf("beside an unreadable .gitignore: inTree %v ignored %v; want true, false", in, ign)
	}
}

// TestGitIgnoreStatusRunsNothingFromTheRepository is the attack: a repository whose config
// names a file-system monitor and a hooks folder of its own. Git itself runs the monitor for
// `git check-ignore` (checked below, so the trap is known to be armed); GitIgnoreStatus must
// never run anything.
func TestGitIgnoreStatusRunsNothingFromTheRepository(t *testing.T) {
	g := newGitEnv(t)
	trap := t.TempDir()
	marker := filepath.Join(trap, "MARKER")
	script := filepath.Join(trap, "run.sh")
	// The script records that it ran and whether the keyring passphrase reached it, never
	// the environment itself.
	writeFile(t, script, "#!/bin/sh\necho \"ran: $*\" >>"+marker+"\n[ -n \"$CXONE_KEYRING_PASSPHRASE\" ] && echo \"and saw the keyring passphrase\" >>"+marker+"\n")
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	g.git(t, repo, "", "init", "-q")
	writeFile(t, filepath.Join(repo, ".gitignore"), "*.env\n")
	writeFile(t, filepath.Join(repo, "tracked.txt"), "x")
	g.git(t, repo, "", "add", ".gitignore", "tracked.txt")
	hooks := filepath.Join(trap, "hooks")
	for _, h := range []string{"pre-commit", "post-checkout", "post-index-change", "fsmonitor-watchman", "reference-transaction"} {
		writeFile(t, filepath.Join(hooks, h), "#!/bin/sh\nexec "+script+" "+h+"\n")
		if err := os.Chmod(filepath.Join(hooks, h), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(repo, ".git", "hooks", h), "#!/bin/sh\nexec "+script+" "+h+"\n")
		if err := os.Chmod(filepath.Join(repo, ".git", "hooks", h), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := os.OpenFile(filepath.Join(repo, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(cfg, "[core]\n\tfsmonitor = %s\n\thooksPath = %s\n\tpager = %s\n\tsshCommand = %s\n[alias]\n\tcheck-ignore = !%s\n", script, hooks, script, script, script)
	if err := cfg.Close(); err != nil {
		t.Fatal(err)
	}
	g.vars["CXONE_KEYRING_PASSPHRASE"] = "would-leak-to-the-monitor"
	for _, p := range []string{"x.env", "x.txt", "tracked.txt", "sub/x.env"} {
		writeFile(t, filepath.Join(repo, p), "x")
		Status(filepath.Join(repo, p), g.getenv)
	}
	if data, err := os.ReadFile(marker); err == nil {
		t.Fatalf("GitIgnoreStatus ran the repository's command: %.200s", data)
	}
	// The trap is real: git itself runs the monitor for the same question.
	g.gitIgnored(t, repo, []string{"x.env"})
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("git check-ignore did not run core.fsmonitor here; the attack test proves less than it should")
	}
}

func TestGlobMatch(t *testing.T) {
	// Hand-checked cases beyond what the git comparisons reach; the catastrophic one would
	// take hours without memoisation.
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*p*z", strings.Repeat("abcdefghijklmnop", 8), false},
		{"**/**/**/**/**/**/**/**/**/x", strings.Repeat("a/", 40) + "y", false},
		{"a/**/b/**/c", "a/x/b/y/z/c", true},
		{"*", "", true},
		{"?", "", false},
		{"[a-]", "-", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pat, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
}
