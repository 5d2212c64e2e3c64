package ui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// uiCountingReader counts what the prompt took from the input.
type uiCountingReader struct {
	r io.Reader
	n int
}

func (c *uiCountingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += n
	return n, err
}

// L6: a prompt reading a piped stdin that never sends a newline (here 10 MiB of it) stops at
// MaxLineBytes instead of buffering the whole input; a line within the bound is still read,
// and what follows it is left for the next prompt.
func TestReadLineBoundsAPipedLine(t *testing.T) {
	src := &uiCountingReader{r: strings.NewReader(strings.Repeat("a", 10<<20))}
	in := NewInput(src)
	s, err := in.ReadLine(context.Background(), false)
	if !errors.Is(err, ErrLineTooLong) || s != "" {
		t.Errorf("ReadLine over 10 MiB without a newline: %d bytes, %v; want ErrLineTooLong", len(s), err)
	}
	if src.n > MaxLineBytes+64<<10 {
		t.Errorf("the prompt read %d bytes of input for one line, want at most about %d", src.n, MaxLineBytes)
	}
	long := strings.Repeat("b", MaxLineBytes-1)
	in = NewInput(strings.NewReader(long + "\nnext\n"))
	if s, err := in.ReadLine(context.Background(), false); err != nil || s != long {
		t.Errorf("a line of %d bytes: %d bytes, %v", len(long), len(s), err)
	}
	if s, err := in.ReadLine(context.Background(), false); err != nil || s != "next" {
		t.Errorf("the next line: %q, %v", s, err)
	}
}
