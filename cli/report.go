package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"cxone-auth/auth"
	"cxone-auth/internal/textclean"
	"cxone-auth/store"
)

// textStyles colour the plain (non-wizard) output with the 16 basic ANSI colours, which every
// terminal maps to its own theme. The output goes through lipgloss's colour-profile writer,
// which drops the colours for NO_COLOR or --no-color and everything for a pipe or a file.
type textStyles struct {
	ok, bad, warn, bold, faint lipgloss.Style
}

var styles = textStyles{
	ok:    lipgloss.NewStyle().Foreground(lipgloss.Green).Bold(true),
	bad:   lipgloss.NewStyle().Foreground(lipgloss.Red).Bold(true),
	warn:  lipgloss.NewStyle().Foreground(lipgloss.Yellow).Bold(true),
	bold:  lipgloss.NewStyle().Bold(true),
	faint: lipgloss.NewStyle().Faint(true),
}

// styledWriter wraps w in lipgloss's colour-profile writer, detected from w and the
// environment (--no-color counts as NO_COLOR).
func styledWriter(w io.Writer, env Env, noColor bool) *colorprofile.Writer {
	environ := env.Environ()
	if noColor {
		environ = append(environ, "NO_COLOR=1")
	}
	return colorprofile.NewWriter(w, environ)
}

// bufferedStyled is styledWriter behind a buffer: a report of many rows goes out in one write
// when flush is called, instead of a system call for every cell (a tabwriter flushes cell by
// cell; 100 profiles made 1,300 writes).
func bufferedStyled(w io.Writer, env Env, noColor bool) (out io.Writer, flush func() error) {
	var buf bytes.Buffer
	return &buf, func() error {
		_, err := styledWriter(w, env, noColor).Write(buf.Bytes())
		return err
	}
}

// writeJSON writes v as indented JSON for every --json output, and keeps it from carrying
// anything a terminal acts on or hides: encoding/json escapes the C0 controls but writes C1
// controls (U+009B is an 8-bit CSI), DEL, bidirectional overrides and other format characters
// (Cf) as they are. Each of those is written as a \uXXXX escape instead (a surrogate pair
// above U+FFFF): still valid JSON that decodes to the same value, so scripts lose nothing,
// with no raw control byte left for the terminal. Such runes only occur inside JSON strings
// (the syntax around them is ASCII), so rewriting them there is safe. See docs/cli.md.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := w.Write(jsonEscapeInvisible(buf.Bytes())); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// jsonInvisible reports whether r must not reach a terminal raw from JSON output: the runes
// the sanitiser removes (textclean.Invisible) but for the C0 controls, which encoding/json
// escapes itself (and the indent's newlines, which stay).
func jsonInvisible(r rune) bool { return r >= 0x20 && textclean.Invisible(r) }

// jsonEscapeInvisible rewrites every jsonInvisible rune of encoded JSON as \uXXXX.
func jsonEscapeInvisible(b []byte) []byte {
	if !bytes.ContainsFunc(b, jsonInvisible) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if n == 1 && r == utf8.RuneError || !jsonInvisible(r) {
			out = append(out, b[:n]...)
			b = b[n:]
			continue
		}
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
		} else {
			out = fmt.Appendf(out, `\u%04x`, r)
		}
		b = b[n:]
	}
	return out
}

// writeCheckReport prints the detailed report of one or more checks: what was found on
// success, what went wrong and what to do about it on failure.
func writeCheckReport(w io.Writer, entries []checkEntry) {
	for i, e := range entries {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeEntry(w, e)
	}
}

func writeEntry(w io.Writer, e checkEntry) {
	head := e.Name
	if e.Source != "keyring" {
		head = e.Source
	}
	switch e.Status {
	case statusValid:
		fmt.Fprintf(w, "%s %s: credentials are valid %s\n", styles.ok.Render("✓"), styles.bold.Render(head), styles.faint.Render(fmt.Sprintf("(%d ms)", e.DurationMS)))
	case statusMissing:
		fmt.Fprintf(w, "%s %s: not found\n", styles.bad.Render("✗"), styles.bold.Render(head))
	default:
		fmt.Fprintf(w, "%s %s: %s\n", styles.bad.Render("✗"), styles.bold.Render(head), e.Error.Message)
	}
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-15s %s\n", k, v)
		}
	}
	if e.Status != statusValid {
		row("Status", e.Status) // the one vocabulary, as list and --json say it
	}
	if e.Status == statusValid {
		row("User", e.User)
		tenant := e.Tenant
		if e.TenantID != "" {
			tenant = strings.TrimSpace(tenant + " (" + e.TenantID + ")")
		}
		row("Tenant", tenant)
		row("Business unit", e.BusinessUnitText())
		row("Area", e.Area)
		row("API endpoint", store.Or(e.APIEndpoint))
		if e.TokenExpiresAt != nil {
			row("Token expires", fmt.Sprintf("%s (in %s)", e.TokenExpiresAt.Format(time.RFC3339), time.Until(*e.TokenExpiresAt).Round(time.Minute)))
		}
		row("Auth method", e.AuthMethod)
	}
	row("Issuer", e.Issuer)
	row("Client ID", e.ClientID)
	row("Access key ID", e.AccessKeyID)
	for _, warn := range e.Warnings {
		fmt.Fprintf(w, "  %s %s\n", styles.warn.Render("!"), warn)
	}
	if fix := fixAdvice(e); fix != "" {
		fmt.Fprintf(w, "  %s %s\n", styles.bold.Render("What to do:"), fix)
	}
}

// writeCompactReport prints one line a profile (check --all): status mark, name, tenant,
// business unit, age of the check and, when it is not valid, the reason.
func writeCompactReport(w io.Writer, entries []checkEntry, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, e := range entries {
		mark := styles.ok.Render("✓")
		if e.Status != statusValid {
			mark = styles.bad.Render("✗")
		}
		reason := ""
		if e.Error != nil {
			// The status word of the one vocabulary, with the advice's few words when they
			// add something: "access key rejected", "unreachable (timed out)".
			reason = auth.AdviceFor(auth.Kind(e.Error.Kind)).Short
			if !strings.Contains(reason, e.Status) {
				reason = e.Status + " (" + reason + ")"
			}
		}
		line := fmt.Sprintf("%s %s\t%s\t%s\t%s", mark, e.Name, dash(e.TenantText()), dash(e.BusinessUnitText()), store.Age(e.CheckedAt, now))
		if reason != "" {
			line += "\t" + reason
		}
		fmt.Fprintln(tw, line)
	}
	_ = tw.Flush() // the writer is the terminal or a pipe: nothing useful to do on failure
	valid := 0
	for _, e := range entries {
		if e.Status == statusValid {
			valid++
		}
	}
	if valid < len(entries) {
		fmt.Fprintf(w, "\n%d of %d valid. Details: cxone-auth check --profile NAME\n", valid, len(entries))
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fixAdvice says what to change for a failed check, from the one advice table, with the
// command that does it.
func fixAdvice(e checkEntry) string {
	if e.Error == nil {
		return ""
	}
	a := auth.AdviceFor(auth.Kind(e.Error.Kind))
	setup := "cxone-auth setup"
	if e.Source == "keyring" && e.Name != "default" {
		setup += " --profile " + e.Name
	}
	switch a.Target {
	case auth.TargetClient, auth.TargetAccessKey:
		if e.Source != "keyring" {
			return a.Cause + " " + a.Fix
		}
		return a.Cause + " " + a.Fix + " To change the stored values, run '" + setup + "'."
	case auth.TargetProfile:
		return "run '" + setup + "' to create it, or 'cxone-auth list' to see what exists."
	}
	return a.Fix + flagHint(auth.Kind(e.Error.Kind))
}

// flagHint is what the command line adds to an error kind's advice: the flags that act on it.
// The advice itself (auth/advice.go) names no flag, since the wizard and the profiles screen
// show it too.
func flagHint(k auth.Kind) string {
	switch k {
	case auth.KindTimeout:
		return " Raise the bound with --timeout (or CXONE_TIMEOUT)."
	case auth.KindKeyring:
		return " Choose one with --keyring-backend; --debug shows the backends tried."
	case auth.KindNetwork, auth.KindServer:
		return ""
	}
	if a := auth.AdviceFor(k); a.Target == auth.TargetIssuer {
		return " Run with --debug for details."
	}
	return ""
}
