package cli

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// Help is ours rather than fang's (docs/cli-habits.md): fang pads every line with spaces to
// 120 columns when stdout is not a terminal, and shows no value names (--profile rather than
// --profile NAME). Ours writes plain lines when stdout is a pipe or a file (wrapped at 80
// columns, nothing trailing), bold headings on a terminal (wrapped at its width, at most 100),
// and the value names of pflag's convention: the backquoted word of a flag's usage
// ("the profile `NAME`"), else a name from helpValueNames, else one from the flag's type.

// helpValueNames are the value names of flags whose usage names none.
var helpValueNames = map[string]string{"env-file": "FILE", "output": "FILE", "format": "FORMAT", "for": "DUR"}

// installHelp makes ours the help of every command in the tree. fang sets its own on the
// root when it runs; ours takes the root's over when --help is parsed (helpFlag) or the help
// command runs.
func installHelp(root *cobra.Command, f *Factory) {
	help := func(c *cobra.Command, _ []string) { f.writeHelp(c) }
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.SetHelpFunc(help)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	hf := root.PersistentFlags().VarPF(&helpFlag{set: func() { root.SetHelpFunc(help) }}, "help", "h", "help for the command")
	hf.NoOptDefVal = "true"
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Example: `  cxone-auth help check
  cxone-auth check --help`,
		ValidArgsFunction: func(c *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, sub := range c.Root().Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || target == nil || len(rest) > 0 {
				return usageErrorHint("Run 'cxone-auth --help' for the list of commands.", "no help for %q: unknown command", strings.Join(args, " "))
			}
			f.writeHelp(target)
			return nil
		},
	})
}

// helpFlag is the --help flag: a bool that, when set, makes sure the root's help is ours.
type helpFlag struct {
	on  bool
	set func()
}

func (h *helpFlag) String() string   { return strconv.FormatBool(h.on) }
func (h *helpFlag) Type() string     { return "bool" }
func (h *helpFlag) IsBoolFlag() bool { return true }
func (h *helpFlag) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	h.on = v
	if v && h.set != nil {
		h.set()
	}
	return nil
}

// helpWidth is the width help wraps at: the terminal's (at most 100), else 80.
func (f *Factory) helpWidth(w io.Writer) (width int, tty bool) {
	if !f.IO.IsStdoutTTY() {
		return 80, false
	}
	if file, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(file.Fd())); err == nil && cols > 20 {
			return min(cols, 100), true
		}
	}
	return 80, true
}

// writeHelp prints c's help on its stdout.
func (f *Factory) writeHelp(c *cobra.Command) {
	out := c.OutOrStdout()
	width, tty := f.helpWidth(out)
	var b strings.Builder
	heading := func(s string) {
		b.WriteString("\n")
		if tty {
			s = lipgloss.NewStyle().Bold(true).Render(s)
		}
		b.WriteString(s + "\n\n")
	}
	text := c.Long
	if text == "" {
		text = c.Short
	}
	for i, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		// Wordwrap may leave a word broken at its hyphen one column over; Hardwrap holds the
		// limit.
		wrapped := ansi.Hardwrap(ansi.Wordwrap(strings.Join(strings.Fields(para), " "), width-2, ""), width-2, true)
		b.WriteString(indent(wrapped, "  ") + "\n")
	}

	heading("USAGE")
	use := strings.Replace(c.UseLine(), "[flags]", "[--flags]", 1)
	if c.HasAvailableSubCommands() && !strings.Contains(use, "[command]") {
		use = strings.Replace(use, c.CommandPath(), c.CommandPath()+" [command]", 1)
	}
	b.WriteString("  " + use + "\n")
	if len(c.Aliases) > 0 {
		heading("ALIASES")
		b.WriteString("  " + strings.Join(append([]string{c.Name()}, c.Aliases...), ", ") + "\n")
	}
	if c.Example != "" {
		heading("EXAMPLES")
		b.WriteString(strings.TrimRight(c.Example, "\n") + "\n")
	}
	var cmds [][2]string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() || sub.Name() == "help" {
			cmds = append(cmds, [2]string{sub.Name(), sub.Short})
		}
	}
	if len(cmds) > 0 {
		heading("COMMANDS")
		writeColumns(&b, cmds, width)
	}
	if rows := flagRows(c.LocalFlags()); len(rows) > 0 {
		heading("FLAGS")
		writeColumns(&b, rows, width)
	}
	if rows := flagRows(c.InheritedFlags()); len(rows) > 0 {
		heading("GLOBAL FLAGS")
		writeColumns(&b, rows, width)
	}
	b.WriteString("\n")
	w := styledWriter(out, f.Env, f.Settings != nil && f.Settings.NoColor)
	_, _ = io.WriteString(w, b.String()) // stdout gone: nothing to tell
}

// flagRows are the visible flags of fs: "-o --output FILE" and its usage with the default.
func flagRows(fs *pflag.FlagSet) [][2]string {
	var rows [][2]string
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		name, usage := flagValueName(fl)
		key := "--" + fl.Name
		if fl.Shorthand != "" {
			key = "-" + fl.Shorthand + " " + key
		}
		if name != "" {
			key += " " + name
		}
		if d := fl.DefValue; d != "" && d != "false" && d != "0" && d != "[]" && fl.Name != "help" {
			usage += " (default " + d + ")"
		}
		rows = append(rows, [2]string{key, usage})
	})
	return rows
}

// flagValueName is a flag's value name and its usage without the backquotes; "" for a bool.
func flagValueName(fl *pflag.Flag) (string, string) {
	name, usage := pflag.UnquoteUsage(fl)
	if fl.Value.Type() == "bool" {
		return "", usage
	}
	if !strings.Contains(fl.Usage, "`") {
		switch {
		case helpValueNames[fl.Name] != "":
			name = helpValueNames[fl.Name]
		case name == "duration":
			name = "DUR"
		case name == "int":
			name = "N"
		default:
			name = "VALUE"
		}
	}
	return name, usage
}

// writeColumns prints rows as two columns, the second wrapped to the width with a hanging
// indent; a first column too wide puts the second on the next line.
func writeColumns(b *strings.Builder, rows [][2]string, width int) {
	col := 0
	for _, r := range rows {
		col = max(col, ansi.StringWidth(r[0]))
	}
	col = min(col, 28)
	pad := 2 + col + 2
	for _, r := range rows {
		wrapped := strings.Split(ansi.Wordwrap(r[1], max(20, width-pad), ""), "\n")
		if ansi.StringWidth(r[0]) > col {
			fmt.Fprintf(b, "  %s\n", r[0])
			for _, l := range wrapped {
				fmt.Fprintf(b, "%s%s\n", strings.Repeat(" ", pad), l)
			}
			continue
		}
		for i, l := range wrapped {
			if i == 0 {
				fmt.Fprintf(b, "  %-*s  %s\n", col, r[0], l)
				continue
			}
			fmt.Fprintf(b, "%s%s\n", strings.Repeat(" ", pad), l)
		}
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
