package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"cxone-auth/ui"
)

// TestPromptsShareOneReader is answers piped ahead to several prompts of one run: the
// accessible line prompts, the keyring passphrase and a y/N read the same stdin through one
// reader, so no prompt's buffer swallows the answers meant for the next (two buffered readers
// over stdin lost them).
func TestPromptsShareOneReader(t *testing.T) {
	var errOut bytes.Buffer
	io := testStreams(strings.NewReader("acme\nsecret passphrase \ny\nlast\n"), &bytes.Buffer{}, &errOut)
	io.SetStdinTTY(true)
	ctx := context.Background()
	lines := ui.NewPrompter(ctx, io.LineInput(), &errOut)
	if got, err := lines.Text("Tenant", "", nil); err != nil || got != "acme" {
		t.Fatalf("line prompt: %q %v", got, err)
	}
	if got, err := io.ReadSecret(ctx, "Passphrase: "); err != nil || got != "secret passphrase " {
		t.Fatalf("passphrase after a line prompt: %q %v, want it exactly as typed", got, err)
	}
	if ok, err := io.Confirm(ctx, "Remove?"); err != nil || !ok {
		t.Fatalf("y/N after the passphrase: %v %v", ok, err)
	}
	again := ui.NewPrompter(ctx, io.LineInput(), &errOut)
	if got, err := again.Text("Next", "", nil); err != nil || got != "last" {
		t.Fatalf("a second line prompter: %q %v", got, err)
	}
	if strings.Contains(errOut.String(), "secret passphrase") {
		t.Errorf("the passphrase was printed:\n%s", errOut.String())
	}
}
