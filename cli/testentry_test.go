package cli

import (
	"io"
	"slices"
)

// The tests' ways into streams and environments; the product builds them in main from the
// real ones (System, NewEnv).

// testStreams returns streams over the given reader and writers, none of them a terminal unless the
// test says so with SetStdinTTY and friends.
func testStreams(in io.Reader, out, errOut io.Writer) *IOStreams {
	f := false
	return &IOStreams{In: in, Out: out, ErrOut: errOut, stdinTTY: &f, stdoutTTY: &f, stderrTTY: &f}
}

// EnvFromMap returns an environment holding the map's variables (for tests).
func EnvFromMap(m map[string]string) Env {
	var vars []string
	for k, v := range m {
		vars = append(vars, k+"="+v)
	}
	slices.Sort(vars)
	return Env{vars: vars}
}
