package auth

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
)

// maxCAFile bounds what is read from the file of loopback roots; a certificate is a few
// kilobytes.
const maxCAFile = 1 << 20

// ReadLoopbackRoots reads the PEM certificates of the file at path (CXONE_CA_FILE) into a pool
// for ClientConfig.LoopbackRoots. A file that cannot be read, is not a regular file, is larger
// than 1 MiB or holds no certificate is an error; the message names the file, never its text.
func ReadLoopbackRoots(path string) (*x509.CertPool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("CA file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("CA file %s is not a regular file", Sanitize(path))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCAFile+1))
	if err != nil {
		return nil, fmt.Errorf("CA file %s: %w", Sanitize(path), err)
	}
	if len(data) > maxCAFile {
		return nil, fmt.Errorf("CA file %s is larger than 1 MiB", Sanitize(path))
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CA file %s: certificate %d cannot be read", Sanitize(path), n+1)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, errors.New("CA file " + Sanitize(path) + " holds no PEM certificate")
	}
	return pool, nil
}

// loopbackTrust sends each request through the transport its host calls for: https to a
// loopback host (127.0.0.0/8, ::1, localhost) through one that trusts only the loopback roots
// (CXONE_CA_FILE, such as the emulator's certificate) and never uses a proxy; every other
// request through the default transport and the system's roots. So a certificate someone
// talks you into trusting for a local emulator can never vouch for cxone.niceincontact.com,
// whatever a resolver or hosts file says that name is. Redirects are requests of their own
// here, so each one is judged by its own host.
type loopbackTrust struct {
	def, loop http.RoundTripper
}

func (t loopbackTrust) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "https" && IsLoopback(req.URL.Hostname()) {
		return t.loop.RoundTrip(req)
	}
	return t.def.RoundTrip(req)
}

// loopbackTransport is tr for loopback https hosts: only roots are trusted, no proxy.
func loopbackTransport(tr *http.Transport, roots *x509.CertPool) *http.Transport {
	lt := tr.Clone()
	lt.Proxy = nil
	cfg := &tls.Config{}
	if tr.TLSClientConfig != nil {
		cfg = tr.TLSClientConfig.Clone()
	}
	cfg.RootCAs = roots
	lt.TLSClientConfig = cfg
	return lt
}

// loopbackCAHint adds to a certificate error of a loopback https host how to trust an
// emulator's own certificate; other errors come back as cleaned.
func loopbackCAHint(u *url.URL, err, cleaned error) error {
	var ua x509.UnknownAuthorityError
	if u.Scheme != "https" || !IsLoopback(u.Hostname()) || !errors.As(err, &ua) {
		return cleaned
	}
	return fmt.Errorf("%w (for a local emulator's own certificate, set CXONE_CA_FILE to its PEM file)", cleaned)
}
