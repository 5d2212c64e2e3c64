package export

import (
	"bytes"
	"context"
	"cxone-auth/store/dotenv"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/joho/godotenv"
)

// The env export promises (docs/export.md): bare and single-quoted values come back exactly
// from bash, dash, node dotenv, python-dotenv and godotenv; double-quoted values never run
// anything when a shell sources the file, and come back exactly from each reader whose
// escapes they need. TestEnvFileReaders checks those promises with the real readers.

// envCorpusEntry is one awkward value and the quoting WriteEnv must choose for it.
type envCorpusEntry struct {
	name, value, class string
}

// envCorpus holds values of every class. The command substitutions name a marker file
// (PWNED-...) that must never appear.
var envCorpus = []envCorpusEntry{
	{"uuid", "485a8a1b-3f4c-4a51-9c7e-21d4d5c3647f", "bare"},
	{"base32 key", "ZO4EXAMPLEKEYID7NA====", "bare"},
	{"url", "https://api-na1.niceincontact.com/inContactAPI", "bare"},
	{"= @ + : at edges", "=a@b+c:d/e.f_g-h=", "bare"},
	{"one space", " ", "single"},
	{"inner space", "with space", "single"},
	{"leading/trailing spaces", "  padded  ", "single"},
	{"tab", "tab\there", "single"},
	{"double quote", `say "hi"`, "single"},
	{"$HOME", "$HOME", "single"},
	{"$(cmd)", "$(touch PWNED-single)", "single"},
	{"backquotes", "`touch PWNED-single-bq`", "single"},
	{"hash", "a #not-a-comment", "single"},
	{"leading hash", "#x", "single"},
	{"unicode", "unicodé ✓ 🔑", "single"},
	{"shell metacharacters", "a;b&c|d>e<f*g?h[i]~j!k", "single"},
	{"lone $", "$", "single"},
	{"single quote", "it's", "double"},
	{"lone single quote", "'", "double"},
	{"${X}", "${HOME}", "single"},
	{"${X:-y}", "${UNSET_X:-fallback}", "single"},
	{"${X} with quote", "it's ${HOME}", "double"},
	{"backslash", `back\slash`, "double"},
	{"two backslashes", `a\\b`, "double"},
	{`literal \n`, `a\nb`, "double"},
	{"trailing backslash", `tail\`, "double"},
	{"escaped-looking $", `\$HOME`, "double"},
	{"newline", "line1\nline2", "double"},
	{"trailing newline", "x\n", "double"},
	{"$(cmd) with quote", "'$(touch PWNED-double)'", "double"},
	{"backquotes with quote", "it's `touch PWNED-double-bq`", "double"},
	{"$(cmd) with backslash", `\$(touch PWNED-double-bs)`, "double"},
	{"every escape", "\\\"$`\n'", "double"},
	{"ends with double quote", `it's "x"`, "double"},
	{"starts with double quote", `"it's`, "double"},
}

// envReadResult is what one reader made of one file.
type envReadResult struct {
	parsed       bool   // the reader accepted the file
	value, after string // CXONE_CLIENT_SECRET and the line after it (CXONE_TENANT_ID)
}

// envAfter is the value on the line after the tested one; a reader that mangles the tested
// value's quoting may also lose it.
const envAfter = "after"

func (r envReadResult) exact(want string) bool {
	return r.parsed && r.value == want && r.after == envAfter
}

// envReader is one real-world reader of env files. read returns one result per file, or an
// error when the reader is not installed.
type envReader struct {
	name     string
	required bool // under CXONE_REQUIRE_PARSERS=1 a missing reader fails the test
	read     func(t *testing.T, files []string) ([]envReadResult, string, error)
	// handles reports whether a double-quoted value needs only escapes this reader decodes
	// (see docs/export.md), i.e. whether it must come back exactly.
	handles func(v string) bool
}

func TestEnvFileReaders(t *testing.T) {
	requireAll := os.Getenv("CXONE_REQUIRE_PARSERS") == "1"
	dir := t.TempDir()
	files := make([]string, len(envCorpus))
	written := make([]string, len(envCorpus)) // the quoting WriteEnv chose: the promises follow it
	for i, c := range envCorpus {
		var b bytes.Buffer
		if err := WriteEnv(&b, Values{ClientSecret: c.value, TenantID: envAfter}); err != nil {
			t.Fatalf("%s: WriteEnv: %v", c.name, err)
		}
		if written[i] = envClassOf(b.String()); written[i] != c.class {
			t.Errorf("%s: WriteEnv wrote it %s, want %s", c.name, written[i], c.class)
		}
		if got, err := dotenv.Parse(bytes.NewReader(b.Bytes())); err != nil || got["CXONE_CLIENT_SECRET"] != c.value {
			t.Errorf("%s: ParseEnv does not read WriteEnv's output back (err %v)", c.name, err)
		}
		files[i] = filepath.Join(dir, fmt.Sprintf("%02d.env", i))
		if err := os.WriteFile(files[i], b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	readers := []envReader{
		shellReader("bash"),
		shellReader("dash"),
		nodeDotenvReader(),
		pythonDotenvReader(),
		{name: "godotenv", required: true, read: readGodotenv, handles: func(v string) bool {
			// Decodes all four escapes and \n, but takes a \" just before the closing quote
			// for the end of the value, so a value ending in \ or " is cut.
			return !strings.HasSuffix(v, `\`) && !strings.HasSuffix(v, `"`)
		}},
		dockerReader(),
	}
	results := map[string][]envReadResult{}
	versions := map[string]string{}
	var notRun []string
	for _, r := range readers {
		res, version, err := r.read(t, files)
		if err != nil {
			notRun = append(notRun, fmt.Sprintf("%s (%v)", r.name, err))
			if requireAll && r.required {
				t.Errorf("env reader %s could not run: %v; run scripts/install-env-parsers.sh", r.name, err)
			}
			continue
		}
		results[r.name], versions[r.name] = res, version
	}

	for _, r := range readers {
		res, ok := results[r.name]
		if !ok {
			continue
		}
		for i, c := range envCorpus {
			got, class := res[i], written[i]
			switch {
			case class == "single" && r.name == "python-dotenv" && strings.Contains(c.value, "${"):
				// python-dotenv expands ${X} inside every kind of quotes: no encoding carries
				// such a value to it (docs/export.md), so there is no promise to check.
			case class == "bare" || class == "single" && r.name != "docker":
				if !got.exact(c.value) {
					t.Errorf("%s reads the %s value %q as %s, want it exactly", r.name, class, c.name, describeRead(got, c.value))
				}
			case class == "double" && (r.name == "bash" || r.name == "dash"):
				// The shells take \n as two characters; everything else comes back exactly.
				if want := strings.ReplaceAll(c.value, "\n", `\n`); !got.exact(want) {
					t.Errorf("%s reads the double-quoted value %q as %s, want it exactly (newline as \\n)", r.name, c.name, describeRead(got, want))
				}
			case class == "double" && r.handles != nil && r.handles(c.value):
				if !got.exact(c.value) {
					t.Errorf("%s reads the double-quoted value %q as %s, want it exactly: it decodes every escape the value needs", r.name, c.name, describeRead(got, c.value))
				}
			}
		}
	}
	if err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "PWNED") {
			t.Errorf("reading the env files ran a command: %s exists", p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}

	t.Log("\n" + envReaderTable(readers, results, versions))
	if len(notRun) > 0 {
		t.Logf("NOT RUN (install with scripts/install-env-parsers.sh; CXONE_REQUIRE_PARSERS=1 makes this fatal): %s", strings.Join(notRun, "; "))
	}
}

// envClassOf tells how WriteEnv wrote CXONE_CLIENT_SECRET in out.
func envClassOf(out string) string {
	line, _, _ := strings.Cut(strings.TrimPrefix(out, "CXONE_CLIENT_SECRET="), "\n")
	switch {
	case strings.HasPrefix(line, "'"):
		return "single"
	case strings.HasPrefix(line, `"`):
		return "double"
	}
	return "bare"
}

// describeRead says what a reader returned, for failure messages (test values, not secrets).
func describeRead(r envReadResult, want string) string {
	switch {
	case !r.parsed:
		return "a parse error"
	case r.value != want:
		return fmt.Sprintf("%q", r.value)
	}
	return fmt.Sprintf("the right value but the next line as %q", r.after)
}

// envReaderTable renders, per value, which reader returned it exactly.
func envReaderTable(readers []envReader, results map[string][]envReadResult, versions map[string]string) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprint(w, "class\tvalue")
	for _, r := range readers {
		fmt.Fprintf(w, "\t%s", r.name)
	}
	fmt.Fprintln(w)
	for i, c := range envCorpus {
		fmt.Fprintf(w, "%s\t%s", c.class, c.name)
		for _, r := range readers {
			res, ok := results[r.name]
			switch {
			case !ok:
				fmt.Fprint(w, "\tnot run")
			case res[i].exact(c.value):
				fmt.Fprint(w, "\texact")
			case !res[i].parsed:
				fmt.Fprint(w, "\tERROR")
			case res[i].value != c.value:
				fmt.Fprint(w, "\tchanged")
			default:
				fmt.Fprint(w, "\tnext-line")
			}
		}
		fmt.Fprintln(w)
	}
	_ = w.Flush()
	b.WriteString("\nversions:")
	for _, r := range readers {
		if v, ok := versions[r.name]; ok {
			fmt.Fprintf(&b, " %s=%s", r.name, v)
		}
	}
	return b.String()
}

// readerEnv is the minimal environment the external readers run with.
func readerEnv(home string) []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LC_ALL=C.UTF-8"}
}

// shellReader sources each file with `set -a; . FILE` in a subshell of the named shell and
// writes the two variables to files beside it. The shell runs in an empty folder, where a
// command substitution that ran would leave its marker.
func shellReader(shell string) envReader {
	return envReader{name: shell, required: true, read: func(t *testing.T, files []string) ([]envReadResult, string, error) {
		path, err := exec.LookPath(shell)
		if err != nil {
			return nil, "", err
		}
		work := t.TempDir()
		const script = `for f do
  ( set -a; . "$f"; printf '%s' "$CXONE_CLIENT_SECRET" >"$f.$0.value"; printf '%s' "$CXONE_TENANT_ID" >"$f.$0.after" ) 2>/dev/null
done`
		cmd := exec.Command(path, append([]string{"-c", script, filepath.Base(shell)}, files...)...)
		cmd.Dir, cmd.Env = work, readerEnv(work)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", shell, err, out)
		}
		if names := dirNames(t, work); len(names) > 0 {
			t.Errorf("sourcing the env files with %s created %v: a value ran a command", shell, names)
		}
		res := make([]envReadResult, len(files))
		for i, f := range files {
			v, err1 := os.ReadFile(f + "." + filepath.Base(shell) + ".value")
			a, err2 := os.ReadFile(f + "." + filepath.Base(shell) + ".after")
			res[i] = envReadResult{parsed: err1 == nil && err2 == nil, value: string(v), after: string(a)}
		}
		version := shell
		if out, err := exec.Command(path, "-c", `echo "${BASH_VERSION:-}"`).Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
			version = string(bytes.TrimSpace(out))
		}
		return res, version, nil
	}}
}

// envParsersDir is where scripts/install-env-parsers.sh puts node's dotenv package.
func envParsersDir() (string, error) {
	if d := os.Getenv("CXONE_ENV_PARSERS_DIR"); d != "" {
		return d, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "cxone-auth", "env-parsers"), nil
}

// runJSONReader runs a reader program that prints {"file": {"NAME": "value"}|null} and converts
// its answer.
func runJSONReader(t *testing.T, files []string, name string, args ...string) ([]envReadResult, error) {
	work := t.TempDir()
	cmd := exec.Command(name, append(args, files...)...)
	cmd.Dir, cmd.Env = work, readerEnv(work)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", name, err, stderr.Bytes())
	}
	var got map[string]map[string]*string
	if err := json.Unmarshal(out, &got); err != nil {
		return nil, fmt.Errorf("%s printed no JSON: %w", name, err)
	}
	res := make([]envReadResult, len(files))
	for i, f := range files {
		m, ok := got[f]
		if !ok || m == nil {
			continue
		}
		res[i].parsed = true
		if v := m["CXONE_CLIENT_SECRET"]; v != nil {
			res[i].value = *v
		}
		if v := m["CXONE_TENANT_ID"]; v != nil {
			res[i].after = *v
		}
	}
	return res, nil
}

func nodeDotenvReader() envReader {
	return envReader{name: "node-dotenv", required: true, handles: func(v string) bool {
		// Decodes only \n (and \r) inside double quotes; every other backslash stays.
		return !strings.ContainsAny(v, "\\\"$`")
	}, read: func(t *testing.T, files []string) ([]envReadResult, string, error) {
		node, err := exec.LookPath("node")
		if err != nil {
			return nil, "", err
		}
		dir, err := envParsersDir()
		if err != nil {
			return nil, "", err
		}
		mod := filepath.Join(dir, "node_modules", "dotenv")
		pkg, err := os.ReadFile(filepath.Join(mod, "package.json"))
		if err != nil {
			return nil, "", fmt.Errorf("dotenv not installed in %s", dir)
		}
		var meta struct{ Version string }
		_ = json.Unmarshal(pkg, &meta)
		script := filepath.Join(t.TempDir(), "read.js")
		if err := os.WriteFile(script, []byte(`const dotenv = require(process.argv[2]);
const fs = require('fs');
const out = {};
for (const f of process.argv.slice(3)) {
  try { out[f] = dotenv.parse(fs.readFileSync(f)); } catch (e) { out[f] = null; }
}
process.stdout.write(JSON.stringify(out));
`), 0o600); err != nil {
			return nil, "", err
		}
		res, err := runJSONReader(t, files, node, script, mod)
		return res, meta.Version, err
	}}
}

func pythonDotenvReader() envReader {
	return envReader{name: "python-dotenv", required: true, handles: func(v string) bool {
		// Decodes \\ \" \n (not \$ or \`) and expands ${X} even when escaped.
		return !strings.ContainsAny(v, "$`")
	}, read: func(t *testing.T, files []string) ([]envReadResult, string, error) {
		// Debian's python3-dotenv first (what the install script provides), then others.
		candidates := []string{os.Getenv("CXONE_PYTHON"), "/usr/bin/python3", "python3"}
		var tried []string
		for _, py := range candidates {
			if py == "" {
				continue
			}
			path, err := exec.LookPath(py)
			if err != nil {
				continue
			}
			out, err := exec.Command(path, "-c", "import dotenv, importlib.metadata as m; print(m.version('python-dotenv'))").Output()
			if err != nil {
				tried = append(tried, path)
				continue
			}
			res, err := runJSONReader(t, files, path, "-c", `import json, sys
from dotenv import dotenv_values
print(json.dumps({f: dotenv_values(f) for f in sys.argv[1:]}))
`)
			return res, strings.TrimSpace(string(out)) + " (" + path + ")", err
		}
		return nil, "", fmt.Errorf("no python with the dotenv module (tried %v)", tried)
	}}
}

func readGodotenv(_ *testing.T, files []string) ([]envReadResult, string, error) {
	res := make([]envReadResult, len(files))
	for i, f := range files {
		m, err := godotenv.Read(f)
		if err == nil {
			res[i] = envReadResult{parsed: true, value: m["CXONE_CLIENT_SECRET"], after: m["CXONE_TENANT_ID"]}
		}
	}
	return res, "v1.5.1", nil
}

// dockerReader passes each file to `docker create --env-file` against a fake engine on a unix
// socket that records the container's environment, so the real docker CLI's parser is used
// without a Docker engine. It is not required: CI machines have the docker client, but
// nothing installs it.
func dockerReader() envReader {
	return envReader{name: "docker", read: func(t *testing.T, files []string) ([]envReadResult, string, error) {
		docker, err := exec.LookPath("docker")
		if err != nil {
			return nil, "", err
		}
		work := t.TempDir()
		sock := filepath.Join(work, "d.sock")
		ln, err := net.Listen("unix", sock)
		if err != nil {
			return nil, "", err
		}
		envs := make(chan []string, 1)
		srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Api-Version", "1.41")
			if strings.HasSuffix(r.URL.Path, "/containers/create") {
				var body struct{ Env []string }
				data, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
				if json.Unmarshal(data, &body) == nil {
					envs <- body.Env
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusCreated)
				_, _ = w.Write([]byte(`{"Id":"0123456789ab","Warnings":[]}`))
				return
			}
			if strings.HasSuffix(r.URL.Path, "/_ping") {
				_, _ = w.Write([]byte("OK"))
				return
			}
			http.Error(w, `{"message":"not supported by this fake engine"}`, http.StatusNotImplemented)
		})}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		res := make([]envReadResult, len(files))
		var version string
		if out, err := exec.Command(docker, "--version").Output(); err == nil {
			version = strings.TrimSpace(strings.TrimPrefix(string(out), "Docker version "))
		}
		for i, f := range files {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			cmd := exec.CommandContext(ctx, docker, "create", "--env-file", f, "busybox")
			cmd.Dir = work
			cmd.Env = append(readerEnv(work), "DOCKER_HOST=unix://"+sock, "DOCKER_CONFIG="+filepath.Join(work, "cfg"))
			out, err := cmd.CombinedOutput()
			cancel()
			select {
			case env := <-envs:
				res[i].parsed = true
				for _, kv := range env {
					k, v, _ := strings.Cut(kv, "=")
					switch k {
					case "CXONE_CLIENT_SECRET":
						res[i].value = v
					case "CXONE_TENANT_ID":
						res[i].after = v
					}
				}
			default:
				if i == 0 && !strings.Contains(string(out), "env file") {
					// Not a refusal of the file: the CLI does not talk to the fake engine.
					return nil, "", fmt.Errorf("docker CLI did not reach the fake engine: %v: %s", err, bytes.TrimSpace(out))
				}
			}
		}
		return res, version, nil
	}}
}
