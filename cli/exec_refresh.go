package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"cxone-auth/auth"
	"cxone-auth/store"
)

// exec --refresh (docs/exec-refresh.md): the child re-reads CXONE_ACCESS_TOKEN_FILE, which
// exec keeps holding a token with at least 5 minutes left, as Kubernetes' projected service
// account tokens and Vault Agent's token sink do.

var (
	// refreshLead is how long before expiry the token in the file is replaced: the 5 minutes
	// every token exec hands out must have, and a margin for a slow renewal.
	refreshLead = store.TokenMinLifetime + 30*time.Second
	// refreshMinWait is the shortest wait between two renewals, for tokens that are born
	// with less than refreshLead to live.
	refreshMinWait = time.Second
	// refreshBackoff is the wait after a first failed renewal, doubled after each further
	// failure up to refreshMaxBackoff.
	refreshBackoff    = time.Second
	refreshMaxBackoff = time.Minute
)

// tokenFileName is the file's name in its private folder.
const tokenFileName = "token"

// runRefreshing runs the child as runChild does, with CXONE_ACCESS_TOKEN_FILE kept fresh.
func (f *Factory) runRefreshing(ctx context.Context, args []string, extra [][2]string, p profileToken) error {
	dir, err := f.tokenFolder()
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, tokenFileName)
	if err := writeTokenFile(path, p.token.AccessToken); err != nil {
		return err
	}
	env := f.Env.ChildEnviron(append(extra, [2]string{"CXONE_ACCESS_TOKEN_FILE", path})...)

	// The child and the renewals share stderr. A file (a terminal) is handed to the child as it
	// is, so the child still sees its terminal; any other writer gets one write at a time.
	errOut := f.IO.ErrOut
	if _, isFile := errOut.(*os.File); !isFile {
		errOut = &lockedWriter{w: errOut}
	}
	// Renewals outlive the signal context of main (a SIGTERM is passed to the child, which
	// may take its time to stop) and end with the child.
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.keepTokenFresh(rctx, path, p, errOut)
	}()
	err = f.runChildTo(args, env, errOut)
	cancel()
	wg.Wait() // no renewal writes into the folder once it is being removed
	if rmErr := os.RemoveAll(dir); rmErr != nil {
		fmt.Fprintf(errOut, "cxone-auth: exec: could not remove the token folder %s: %v\n", dir, rmErr)
	}
	return err
}

// tokenFolder creates the private 0700 folder of the token file: under $XDG_RUNTIME_DIR (a
// per-user tmpfs, emptied at logout) when it is set, else under the temp folder.
func (f *Factory) tokenFolder() (string, error) {
	base := f.Env.Getenv("XDG_RUNTIME_DIR")
	if fi, err := os.Stat(base); base == "" || err != nil || !fi.IsDir() {
		base = f.Env.Getenv("TMPDIR")
		if base == "" {
			base = os.TempDir()
		}
	}
	sweepTokenFolders(base)
	dir, err := os.MkdirTemp(base, fmt.Sprintf("%s%d-", tokenFolderPrefix, os.Getpid()))
	if err != nil {
		return "", fmt.Errorf("exec --refresh: cannot create the token folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("exec --refresh: %w", err)
	}
	return dir, nil
}

// tokenFolderPrefix starts the name of every token folder; the pid of the exec that made it
// follows, then a random part.
const tokenFolderPrefix = "cxone-auth-exec-"

// sweepTokenFolders removes the token folders in base that a killed exec could not (SIGKILL
// leaves no chance to clean up): those of this user whose exec is no longer running.
func sweepTokenFolders(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), tokenFolderPrefix)
		if !ok || !e.IsDir() { // a symbolic link is never followed
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		dir := filepath.Join(base, e.Name())
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || !ownedByMe(fi) || !processGone(pid) {
			continue
		}
		_ = os.RemoveAll(dir)
	}
}

// writeTokenFile replaces the token file atomically (mode 0600): a reader sees the old token
// or the new one, never part of one. It holds the token alone, without a newline.
func writeTokenFile(path, token string) error {
	if err := store.WriteFileAtomic(path, []byte(token), true); err != nil {
		return fmt.Errorf("exec --refresh: %w", err)
	}
	return nil
}

// keepTokenFresh renews the token before it has refreshLead left and writes each new one to
// path, until ctx ends. A failed renewal is reported on errOut and retried with backoff; the
// file keeps the old token meanwhile.
func (f *Factory) keepTokenFresh(ctx context.Context, path string, p profileToken, errOut io.Writer) {
	last := p.token
	backoff := refreshBackoff
	wait := untilRenewal(last.TokenExpiresAt, time.Now())
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		res, err := f.renewToken(ctx, p, last)
		if err == nil {
			err = writeTokenFile(path, res.AccessToken)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			left := "it has expired"
			if d := time.Until(last.TokenExpiresAt); d > 0 {
				left = "it expires in " + d.Round(time.Second).String()
			}
			fmt.Fprintf(errOut, "cxone-auth: exec --refresh: could not renew the token (%v); trying again in %s; the file keeps the current token (%s)\n",
				errorText(err), backoff, left)
			wait = backoff
			backoff = min(2*backoff, refreshMaxBackoff)
			continue
		}
		f.Settings.Logger.Debug("token file renewed", "expires", res.TokenExpiresAt)
		last, backoff = res, refreshBackoff
		wait = untilRenewal(last.TokenExpiresAt, time.Now())
	}
}

// untilRenewal is how long to wait before renewing a token that expires at exp. A token
// without an expiry (a server that sent no expires_in) is renewed every refreshUnknownLife.
func untilRenewal(exp, now time.Time) time.Duration {
	if exp.IsZero() {
		return refreshUnknownLife
	}
	return max(exp.Sub(now)-refreshLead, refreshMinWait)
}

// refreshUnknownLife is the renewal period of tokens of unknown lifetime: well inside the hour
// CXone's tokens live.
const refreshUnknownLife = 30 * time.Minute

// renewToken requests a new token for p's credentials through the endpoints the last token
// came from. It neither reads nor writes the keyring: the credentials are those exec started
// with, and nothing can ask for a passphrase while the child runs.
func (f *Factory) renewToken(ctx context.Context, p profileToken, last *auth.Result) (*auth.Result, error) {
	issuer := p.sec.Issuer
	if issuer == "" {
		issuer = f.Settings.Issuer
	}
	return f.Client().Check(ctx, p.sec.Credentials(), auth.Options{
		Issuer: issuer, Scope: f.Settings.Scope, Cache: store.CacheFromResult(last).Endpoints(), Logger: f.Settings.Logger, SkipProof: true,
	})
}

// lockedWriter serialises writes from the child's output copier and the renewals.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
