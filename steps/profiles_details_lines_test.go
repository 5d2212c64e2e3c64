package steps

import (
	"context"
	"os"
	"strings"
	"testing"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// The line prompts' details of a failed check say how to fix it, as the screen's do, in the
// words of their own menu: every item they name is an item of the line menu.
func TestLineDetailsSayHowToFix(t *testing.T) {
	menu, err := os.ReadFile("profiles_lines.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []auth.Kind{auth.KindInvalidClient, auth.KindInvalidGrant, auth.KindNetwork, auth.KindProtocol, auth.KindNotFound} {
		var out strings.Builder
		r := &profileRow{err: &auth.RejectedError{Kind: k, Status: 400}}
		sayDetails(ui.NewPrompter(context.Background(), strings.NewReader(""), &out), r, func(*profileRow, bool) (string, string) { return "", "" })
		want := fixWords(auth.AdviceFor(k).Target, true)
		if want == "" || !strings.Contains(out.String(), want) {
			t.Errorf("%s: the line details lack the fix %q:\n%s", k, want, out.String())
		}
		parts := strings.Split(want, `"`)
		for i := 1; i < len(parts); i += 2 { // the quoted parts
			if item := parts[i]; !strings.Contains(string(menu), `"`+item+`"`) {
				t.Errorf("%s: the fix names %q, which is no item of the line menu", k, item)
			}
		}
	}
}
