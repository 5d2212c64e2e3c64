package export

import (
	"fmt"
	"os"
	"testing"
)

// sprintf lets the tests take their formats from a table (vet's printf check wants
// constant ones).
func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// dirNames lists a folder's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
