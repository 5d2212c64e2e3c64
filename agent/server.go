//go:build linux || darwin

package agent

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Supported reports whether this build has the agent.
const Supported = true

// Agent bounds: a connection has connTimeout to ask and be answered (one that never speaks is
// dropped, and others are served meanwhile); at most maxConns are served at once; the header
// is looked at every headerPoll.
var (
	connTimeout = time.Second
	maxConns    = 32
	headerPoll  = time.Second
)

// Config is what an agent serves.
type Config struct {
	Socket   string          // its socket, in RuntimeDir
	Dir      string          // the keyring folder it was unlocked for
	Header   []byte          // keyring.json as it was when the key was derived
	Key      []byte          // the keyring's master key; the agent's copy is cleared when it exits
	Deadline time.Time       // when it exits
	Ready    func()          // called once it listens
	Done     <-chan struct{} // closed: exit now (a signal); nil: never
}

type server struct {
	cfg      Config
	digest   string
	deadline atomic.Int64 // unix nanoseconds
	wake     chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
	locked   atomic.Bool
}

// Serve listens on cfg.Socket and serves cfg.Key until the deadline, a lock request, or a
// change of the keyring's header (or its removal); then it removes its socket and returns.
func Serve(cfg Config) error {
	if len(cfg.Key) == 0 || cfg.Dir == "" || len(cfg.Header) == 0 {
		return errors.New("agent: nothing to serve")
	}
	key := make([]byte, len(cfg.Key))
	copy(key, cfg.Key)
	lockMemory(key)
	defer clear(key)
	cfg.Key = key
	cfg.Dir = filepath.Clean(cfg.Dir)
	s := &server{cfg: cfg, digest: HeaderDigest(cfg.Header), wake: make(chan struct{}, 1), stop: make(chan struct{})}
	s.deadline.Store(cfg.Deadline.UnixNano())
	ln, err := listen(cfg.Socket)
	if err != nil {
		return err
	}
	defer ln.Close() // removes the socket
	if cfg.Ready != nil {
		cfg.Ready()
	}
	go s.accept(ln)
	poll := time.NewTicker(headerPoll)
	defer poll.Stop()
	for {
		left := time.Until(time.Unix(0, s.deadline.Load()))
		if left <= 0 {
			return nil
		}
		timer := time.NewTimer(left)
		select {
		case <-timer.C:
		case <-s.wake: // the deadline moved
		case <-poll.C:
			if !s.headerSame() {
				timer.Stop()
				return nil
			}
		case <-s.stop:
			timer.Stop()
			return nil
		case <-cfg.Done:
			timer.Stop()
			return nil
		}
		timer.Stop()
	}
}

// listen opens the socket. A socket file already there is refused if it is not this user's
// socket or if an agent answers on it; a dead one of ours (a killed agent) is replaced.
func listen(path string) (*net.UnixListener, error) {
	if fi, err := os.Lstat(path); err == nil {
		st, _ := fi.Sys().(*syscall.Stat_t)
		if fi.Mode()&fs.ModeSocket == 0 || st == nil || int(st.Uid) != os.Getuid() {
			return nil, fmt.Errorf("%s exists and is not this user's agent socket; refusing to replace it", path)
		}
		c, err := net.DialTimeout("unix", path, 100*time.Millisecond)
		if err == nil {
			c.Close()
			return nil, fmt.Errorf("an agent already listens on %s", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	old := syscall.Umask(0o077)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	syscall.Umask(old)
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(true)
	return ln, nil
}

func (s *server) accept(ln *net.UnixListener) {
	sem := make(chan struct{}, maxConns)
	for {
		c, err := ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		select {
		case sem <- struct{}{}:
			go func() {
				defer func() { <-sem }()
				s.handle(c)
			}()
		default:
			c.Close() // busy: the client falls back to the passphrase
		}
	}
}

// headerSame reports whether keyring.json is still the header the key belongs to.
func (s *server) headerSame() bool {
	data, err := readSmall(filepath.Join(s.cfg.Dir, "keyring.json"))
	return err == nil && bytes.Equal(data, s.cfg.Header)
}

func (s *server) quit() { s.stopOnce.Do(func() { close(s.stop) }) }

func (s *server) handle(c *net.UnixConn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(connTimeout))
	if uid, err := peerUID(c); err != nil || uid != os.Getuid() {
		return // another user: not a word
	}
	line, err := bufio.NewReader(&limited{r: c, n: 4096}).ReadBytes('\n')
	if err != nil {
		return
	}
	var req request
	if json.Unmarshal(line, &req) != nil {
		return
	}
	var resp response
	switch req.Op {
	case "ping":
		resp = response{Dir: s.cfg.Dir, Deadline: time.Unix(0, s.deadline.Load()).Unix()}
	case "get":
		switch {
		case s.locked.Load():
			resp.Error = "locked"
		case filepath.Clean(req.Dir) != s.cfg.Dir:
			resp.Error = "not unlocked for that keyring folder"
		case !s.headerSame():
			resp.Error = "the keyring's header changed; the agent stops"
			defer s.quit()
		case req.Header != s.digest:
			resp.Error = "not unlocked for that keyring header"
		default:
			resp.Key = s.cfg.Key
		}
	case "extend":
		d := time.Unix(req.Deadline, 0)
		if until := time.Until(d); until <= 0 || until > MaxLifetime+time.Minute {
			resp.Error = "deadline out of range"
			break
		}
		s.deadline.Store(d.UnixNano())
		select {
		case s.wake <- struct{}{}:
		default:
		}
		resp = response{Dir: s.cfg.Dir, Deadline: d.Unix()}
	case "lock":
		s.locked.Store(true) // no key from now on, even before the socket is gone
		s.quit()
		resp = response{Dir: s.cfg.Dir}
	default:
		resp.Error = "unknown request"
	}
	data, _ := json.Marshal(resp)
	_, _ = c.Write(append(data, '\n'))
	clear(data)
}

// limited reads at most n bytes.
type limited struct {
	r interface{ Read([]byte) (int, error) }
	n int
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("request too long")
	}
	if len(p) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= n
	return n, err
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(&limited{r: f, n: 8192})
	return buf.Bytes(), err
}
