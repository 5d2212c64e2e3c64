package gitignore

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGitIgnoreSplitIndex is the miss of a split index (core.splitIndex): the tracked files
// live in the shared index that the index's link extension names, so an index read alone
// says "not tracked", the ignore rule wins, and a tracked (soon committed) export gets no
// warning. Each tracked file must count as tracked whether its entry is in the shared index
// or in the split one; an untracked file stays ignored.
func TestGitIgnoreSplitIndex(t *testing.T) {
	g := newGitEnv(t)
	repo := t.TempDir()
	g.git(t, repo, "", "init", "-q")
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitignore", "*.env\n")
	write("shared.env", "X=1\n")
	g.git(t, repo, "", "add", "-f", ".gitignore", "shared.env")
	g.git(t, repo, "", "commit", "-qm", "init")
	g.git(t, repo, "", "update-index", "--split-index")
	write("split.env", "Y=1\n")
	g.git(t, repo, "", "add", "-f", "split.env") // lands in the split part
	if m, _ := filepath.Glob(filepath.Join(repo, ".git", "sharedindex.*")); len(m) == 0 {
		t.Fatal("git wrote no shared index: the split index was not staged")
	}
	for _, tc := range []struct {
		name    string
		ignored bool
	}{{"shared.env", false}, {"split.env", false}, {"untracked.env", true}} {
		in, ignored := Status(filepath.Join(repo, tc.name), g.getenv)
		if !in || ignored != tc.ignored {
			t.Errorf("%s in a split index: in work tree %v, ignored %v; want ignored %v", tc.name, in, ignored, tc.ignored)
		}
	}
}
