//go:build linux || darwin

package agent

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"
)

// ErrNoAgent reports that no agent listens for the keyring folder.
var ErrNoAgent = errors.New("no unlock agent is running for this keyring")

// call sends one request to the agent at sock and reads its answer, within ctx. The socket
// must be this user's, and so must the process answering on it.
func call(ctx context.Context, sock string, req request) (response, error) {
	fi, err := os.Lstat(sock)
	if errors.Is(err, fs.ErrNotExist) {
		return response{}, ErrNoAgent
	}
	if err != nil {
		return response{}, err
	}
	if st, _ := fi.Sys().(*syscall.Stat_t); fi.Mode()&fs.ModeSocket == 0 || st == nil || int(st.Uid) != os.Getuid() {
		return response{}, fmt.Errorf("%s is not this user's agent socket", sock)
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return response{}, fmt.Errorf("%w (%v)", ErrNoAgent, err)
	}
	c := nc.(*net.UnixConn)
	defer c.Close()
	if uid, err := peerUID(c); err != nil || uid != os.Getuid() {
		return response{}, fmt.Errorf("the process on %s is not this user's", sock)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	data, _ := json.Marshal(req)
	if _, err := c.Write(append(data, '\n')); err != nil {
		return response{}, err
	}
	line, err := bufio.NewReader(&limited{r: c, n: 4096}).ReadBytes('\n')
	if err != nil {
		return response{}, err
	}
	var resp response
	if err := json.Unmarshal(line, &resp); err != nil {
		return response{}, err
	}
	clear(line)
	if resp.Error != "" {
		return resp, errors.New("agent: " + resp.Error)
	}
	return resp, nil
}

// Get asks the agent at sock for the key of keyring folder dir whose header is header.
func Get(ctx context.Context, sock, dir string, header []byte) ([]byte, error) {
	resp, err := call(ctx, sock, request{Op: "get", Dir: dir, Header: HeaderDigest(header)})
	if err != nil {
		return nil, err
	}
	if len(resp.Key) == 0 {
		return nil, errors.New("agent: no key")
	}
	return resp.Key, nil
}

// Ping reports the running agent's folder and deadline.
func Ping(ctx context.Context, sock string) (string, time.Time, error) {
	resp, err := call(ctx, sock, request{Op: "ping"})
	if err != nil {
		return "", time.Time{}, err
	}
	return resp.Dir, time.Unix(resp.Deadline, 0), nil
}

// Extend moves the running agent's deadline.
func Extend(ctx context.Context, sock string, deadline time.Time) error {
	_, err := call(ctx, sock, request{Op: "extend", Deadline: deadline.Unix()})
	return err
}

// Lock makes the agent at sock exit; ErrNoAgent when none runs there.
func Lock(ctx context.Context, sock string) error {
	_, err := call(ctx, sock, request{Op: "lock"})
	return err
}

// Sockets lists the agent sockets in the runtime folder.
func Sockets(runtime string) []string {
	entries, err := os.ReadDir(runtime)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if e.Type()&fs.ModeSocket != 0 {
			out = append(out, runtime+string(os.PathSeparator)+e.Name())
		}
	}
	return out
}
