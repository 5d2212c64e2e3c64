package store

import (
	"context"
	"io"

	"cxone-auth/store/dotenv"
)

// The env-file reader is store/dotenv; these names forward to it.

// ParseEnv (dotenv.Parse) reads a dotenv file without expansion, its errors never echoing a
// value; ReadEnvFile (dotenv.ReadFile) reads the file at a path.
var (
	ParseEnv    = dotenv.Parse
	ReadEnvFile = dotenv.ReadFile
)

// ReadEnvFileContext is dotenv.ReadFileContext: the read is abandoned when ctx ends.
func ReadEnvFileContext(ctx context.Context, path string, in io.Reader) (map[string]string, error) {
	return dotenv.ReadFileContext(ctx, path, in)
}
