package store

import (
	"context"
	"io"

	"cxone-auth/store/dotenv"
)

// The env-file reader is store/dotenv; this name forwards to it.

// ReadEnvFileContext is dotenv.ReadFileContext: the read is abandoned when ctx ends.
func ReadEnvFileContext(ctx context.Context, path string, in io.Reader) (map[string]string, error) {
	return dotenv.ReadFileContext(ctx, path, in)
}
