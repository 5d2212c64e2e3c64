// The attack: CXone's access-key API (behind a gateway) creates the new key, but the answer
// that carries it never reaches cxone-auth in a usable form (a 504 from the gateway after
// the backend created the key; a 201 whose body is not the documented JSON). The product
// prints "Nothing was changed" and leaves a second ACTIVE access key for the user in CXone,
// one nobody holds the secret of and nobody was told about (SPEC 11: a refusal before the
// store ends with "nothing changed"; SPEC 11 never allows two active keys to be left behind).
package cli

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cxone-auth/auth/cxonetest"
)

func TestReviewRotateAutoLostCreateAnswerLeavesNoOrphanKey(t *testing.T) {
	for name, lose := range map[string]func(w http.ResponseWriter){
		"gateway 504 after create": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusGatewayTimeout)
			io.WriteString(w, "<html><title>504 Gateway Time-out</title></html>")
		},
		"201 with a body that is not JSON": func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"resultSet":{"accessKeyId":"`) // cut off
		},
	} {
		t.Run(name, func(t *testing.T) {
			var (
				mu      sync.Mutex
				backend string
			)
			// The API host is a gateway in front of the emulator: it forwards everything and,
			// for the key creation, forwards it (the key IS created) then loses the answer.
			gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				b := backend
				mu.Unlock()
				body, _ := io.ReadAll(r.Body)
				req, _ := http.NewRequest(r.Method, b+r.URL.RequestURI(), strings.NewReader(string(body)))
				req.Header = r.Header.Clone()
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/access-key-management/") {
					io.Copy(io.Discard, resp.Body)
					lose(w)
					return
				}
				for k, v := range resp.Header {
					w.Header()[k] = v
				}
				w.WriteHeader(resp.StatusCode)
				io.Copy(w, resp.Body)
			}))
			t.Cleanup(gw.Close)
			e := newCLIEnv(t, cxonetest.Config{APIEndpoint: gw.URL})
			mu.Lock()
			backend = e.srv.URL
			mu.Unlock()
			p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
			if code, out, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
				t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
			}

			code, out, stderr := e.run("setup", "--profile", "prod", "--rotate", "--auto")
			if code == 0 {
				t.Fatalf("rotate --auto with a lost create answer: exit 0\n%s%s", out, stderr)
			}
			old := cxonetest.DefaultCredentials.AccessKeyID
			var orphans []string
			for _, id := range e.srv.AccessKeyIDs(cxonetest.DefaultUser.ID) {
				if st, _ := e.srv.AccessKey(id); id != old && st.Active {
					orphans = append(orphans, id)
				}
			}
			if len(orphans) > 0 {
				t.Errorf("CXone holds %d active key(s) besides the profile's own after the rotation stopped (exit %d); stderr:\n%s", len(orphans), code, stderr)
				if strings.Contains(stderr, "Nothing was changed") {
					t.Errorf("and stderr says \"Nothing was changed\"")
				}
			}
		})
	}
}

// Ctrl+C while the new key is being checked: the clean-up runs on a context of its own (the
// command's is cancelled), so the new key is deleted again, and the command exits 130.
func TestRotateAutoCancelledDuringCheckDeletesTheNewKey(t *testing.T) {
	e := rotateAutoEnv(t)
	e.srv.SetNewKeyDelay(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			for _, r := range e.srv.RequestsTo(cxonetest.EndpointAccessKeys) {
				if r.Method == http.MethodPost {
					time.Sleep(300 * time.Millisecond) // into the live check's retries
					cancel()
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	var out, errb bytes.Buffer
	io := testStreams(strings.NewReader(""), nil, nil)
	io.Out, io.ErrOut = &out, &errb
	code := Main(ctx, []string{"setup", "--profile", "prod", "--rotate", "--auto"}, io, EnvFromMap(e.vars))
	if code != exitCancelled {
		t.Errorf("exit %d after Ctrl+C, want 130\n%s", code, errb.String())
	}
	old := cxonetest.DefaultCredentials.AccessKeyID
	for _, id := range e.srv.AccessKeyIDs(cxonetest.DefaultUser.ID) {
		if st, _ := e.srv.AccessKey(id); id != old && st.Active {
			t.Errorf("the new key %s is still active after Ctrl+C; stderr:\n%s", id, errb.String())
		}
	}
}

// When the key a lost creation made cannot be deleted again, the message must not say
// "Nothing was changed": it says a new access key may have been created and where to look,
// and no guided rotation follows (it could create yet another key).
func TestRotateAutoSaysWhenANewKeyMayRemain(t *testing.T) {
	var backend string
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, _ := http.NewRequest(r.Method, backend+r.URL.RequestURI(), strings.NewReader(string(body)))
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/access-key-management/") {
			io.Copy(io.Discard, resp.Body)
			w.WriteHeader(http.StatusGatewayTimeout)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(gw.Close)
	e := newCLIEnv(t, cxonetest.Config{APIEndpoint: gw.URL})
	backend = e.srv.URL
	p := e.writeEnvFile("c.env", cxonetest.DefaultCredentials)
	if code, out, stderr := e.run("setup", "--env-file", p, "--profile", "prod"); code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, stderr)
	}
	e.srv.SetFault(cxonetest.EndpointAccessKeys, cxonetest.Fault{Kind: cxonetest.FaultStatus, Status: 403, Method: "DELETE"})
	io := testStreams(strings.NewReader(""), nil, nil)
	io.SetStdinTTY(true)
	io.SetStdoutTTY(true)
	code, out, stderr := e.runIn(io, "--accessible", "setup", "--profile", "prod", "--rotate", "--auto")
	t.Logf("exit %d\n%s", code, stderr)
	if code == 0 {
		t.Errorf("exit 0")
	}
	if strings.Contains(stderr, "Nothing was changed") || !strings.Contains(stderr, "a new access key may have been created") {
		t.Errorf("the message does not say a new key may remain:\n%s", stderr)
	}
	if strings.Contains(out+stderr, "Continuing with the guided rotation") {
		t.Errorf("the guided rotation followed a refusal that may have left a key")
	}
}
