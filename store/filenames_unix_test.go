//go:build !windows

package store

import (
	"os"
	"path/filepath"
	"testing"
)

// Item file names follow keyFor: "profile:NAME" here ("profile_NAME" only on Windows). A
// "profile_NAME" file is no profile's item: listed as one, it was an orphan that `remove`
// (which deletes the key keyFor gives) could never clear.
func TestItemFileNamesFollowKeyFor(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"profile:a", "profile_b", "cyclr:client", "cyclr_client", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, fileName(n)), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if items := fileItems(dir); len(items) != 1 || profileOfFile(items[0]) != "a" {
		t.Errorf("fileItems = %v, want only a's item", items)
	}
	if n := profileOfFile(filepath.Join(dir, "profile_b")); n != "" {
		t.Errorf("a profile_b file counts as profile %q's item", n)
	}
	if isKeyringFile("notes.txt") || isKeyringFile("cyclr_client") || !isKeyringFile(fileName(cyclrItemKey(BackendFile))) {
		t.Errorf("isKeyringFile: notes %v, cyclr_client %v, the Cyclr item %v",
			isKeyringFile("notes.txt"), isKeyringFile("cyclr_client"), isKeyringFile(fileName(cyclrItemKey(BackendFile))))
	}
}
