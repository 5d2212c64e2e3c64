package steps

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// RunAccessible runs the same steps as Run as plain line prompts on out: no alternate screen,
// no animation, no colour, one question per line, so screen readers can follow. Secrets are
// read without echo when in is a terminal. End of input or a cancelled ctx returns
// ErrCancelled; nothing is written before the save step.
func RunAccessible(ctx context.Context, deps Deps, cfg Config, in io.Reader, out io.Writer) (Outcome, error) {
	p := &prompter{ctx: ctx, out: out, r: bufio.NewReader(in)}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = f
	}
	w := &wizard{p: p, deps: deps, cfg: cfg, d: &ui.Draft{}}
	return w.run()
}

// prompter reads answers line by line. Reads run in a goroutine so a cancelled context (a
// signal) ends a prompt that is waiting for input.
type prompter struct {
	ctx context.Context
	out io.Writer
	r   *bufio.Reader
	tty *os.File
}

type lineResult struct {
	s   string
	err error
}

func (p *prompter) say(format string, a ...any) {
	fmt.Fprintf(p.out, format+"\n", a...)
}

func (p *prompter) read(read func() (string, error)) (string, error) {
	ch := make(chan lineResult, 1)
	go func() {
		s, err := read()
		ch <- lineResult{s, err}
	}()
	select {
	case <-p.ctx.Done():
		return "", ErrCancelled
	case r := <-ch:
		if r.err != nil && (r.s == "" || !errors.Is(r.err, io.EOF)) {
			if errors.Is(r.err, io.EOF) {
				return "", fmt.Errorf("input ended before the setup was finished: %w", ErrCancelled)
			}
			return "", fmt.Errorf("read answer: %w", r.err)
		}
		return r.s, nil
	}
}

// line asks a question; an empty answer gives def.
func (p *prompter) line(question, def string) (string, error) {
	if def != "" {
		fmt.Fprintf(p.out, "%s [%s]: ", question, def)
	} else {
		fmt.Fprintf(p.out, "%s: ", question)
	}
	s, err := p.read(func() (string, error) { return p.r.ReadString('\n') })
	if err != nil {
		return "", err
	}
	if s = ui.Clean(s); s == "" {
		return def, nil
	}
	return s, nil
}

// secret asks for a secret without echo on a terminal. keep tells the person that an empty
// answer keeps the value already entered.
func (p *prompter) secret(question string, keep bool) (string, error) {
	if keep {
		question += " (press enter to keep the one entered)"
	}
	if p.tty != nil {
		question += " (typing is not shown)"
	}
	fmt.Fprintf(p.out, "%s: ", question)
	var s string
	var err error
	if p.tty != nil {
		fd := int(p.tty.Fd())
		// If a signal ends the prompt, the read is abandoned before ReadPassword can turn
		// echo back on: restore the terminal ourselves, or the shell is left without echo.
		state, stateErr := term.GetState(fd)
		s, err = p.read(func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		})
		if errors.Is(err, ErrCancelled) && stateErr == nil {
			if rerr := term.Restore(fd, state); rerr != nil {
				err = fmt.Errorf("%w (and restoring the terminal failed: %w)", err, rerr)
			}
		}
		fmt.Fprintln(p.out)
	} else {
		s, err = p.read(func() (string, error) { return p.r.ReadString('\n') })
	}
	if err != nil {
		return "", err
	}
	return ui.Clean(s), nil
}

// choose lists options numbered from 1 and returns the index picked; enter picks def.
func (p *prompter) choose(question string, options []string, def int) (int, error) {
	p.say("%s", question)
	for i, o := range options {
		mark := ""
		if i == def {
			mark = " (default)"
		}
		p.say("  %d. %s%s", i+1, o, mark)
	}
	for {
		s, err := p.line("Number", strconv.Itoa(def+1))
		if err != nil {
			return 0, err
		}
		n, err := strconv.Atoi(s)
		if err == nil && n >= 1 && n <= len(options) {
			return n - 1, nil
		}
		p.say("Please enter a number from 1 to %d.", len(options))
	}
}

func (p *prompter) yes(question string, def bool) (bool, error) {
	d := "y/N"
	if def {
		d = "Y/n"
	}
	for {
		fmt.Fprintf(p.out, "%s [%s]: ", question, d)
		s, err := p.read(func() (string, error) { return p.r.ReadString('\n') })
		if err != nil {
			return false, err
		}
		switch strings.ToLower(ui.Clean(s)) {
		case "":
			return def, nil
		case "y", "yes":
			return true, nil
		case "n", "no":
			return false, nil
		}
		p.say("Please answer y or n.")
	}
}

// wizard walks the steps in order; a failed check jumps back to the step to fix.
type wizard struct {
	p    *prompter
	deps Deps
	cfg  Config
	d    *ui.Draft
}

func (w *wizard) run() (Outcome, error) {
	step := IDWelcome
	var err error
	for {
		switch step {
		case IDWelcome:
			step, err = w.welcome()
		case IDRegister:
			step, err = w.register()
		case IDClient:
			step, err = w.client()
		case IDCreateKey:
			step, err = w.createKey()
		case IDAccessKey:
			step, err = w.accessKey()
		case IDCheck:
			step, err = w.check()
		case IDSave:
			step, err = w.save()
		case IDDone:
			w.done()
			return Outcome{Saved: true, Profile: w.d.Profile, Result: w.d.Result, Backend: w.d.Backend}, nil
		}
		if err != nil {
			return Outcome{}, err
		}
	}
}

func (w *wizard) heading(n int, title string) {
	w.p.say("")
	w.p.say("Step %d of 8: %s", n, title)
}

func (w *wizard) welcome() (string, error) {
	p := w.p
	w.heading(1, "Welcome")
	p.say("This sets up CXone API credentials for your programs and scripts, checks them live and stores them in your keyring. You will need:")
	p.say("- a back-end application registered in the CXone developer portal (its Client ID and Client Secret); approval typically takes 2 to 3 business days;")
	p.say("- to sign in to CXone as the user the API calls run as, to create an access key.")
	def := envCommercial
	issuer := w.d.Issuer
	if issuer == "" {
		issuer = w.cfg.Issuer
	}
	iss, _ := validateIssuer(issuer)
	switch {
	case issuer == "" || iss == auth.IssuerCommercial:
	case iss == auth.IssuerFedRAMP:
		def = envFedRAMP
	default:
		def = envCustom
	}
	env, err := p.choose("Environment:", []string{
		"Commercial (" + auth.IssuerCommercial + ")",
		"FedRAMP (" + auth.IssuerFedRAMP + ")",
		"Custom issuer",
	}, def)
	if err != nil {
		return "", err
	}
	w.d.Environment = envNames[env]
	switch env {
	case envCommercial:
		w.d.Issuer = auth.IssuerCommercial
	case envFedRAMP:
		w.d.Issuer = auth.IssuerFedRAMP
	default:
		def := ""
		if issuer != auth.IssuerCommercial && issuer != auth.IssuerFedRAMP {
			def = issuer
		}
		for {
			s, err := p.line("Issuer URL", def)
			if err != nil {
				return "", err
			}
			if w.d.Issuer, err = validateIssuer(s); err == nil {
				break
			}
			p.say("Error: %s.", err)
		}
	}
	name := w.d.Profile
	if name == "" {
		name = w.cfg.Profile
	}
	if name == "" {
		name = "default"
	}
	for {
		s, err := p.line("Profile name", name)
		if err != nil {
			return "", err
		}
		if err := validateProfile(s); err != nil {
			p.say("Error: %s.", err)
			continue
		}
		w.d.Profile = s
		return IDRegister, nil
	}
}

func (w *wizard) register() (string, error) {
	p := w.p
	w.heading(2, "Register an application")
	p.say("Programs call the CXone APIs through a registered application.")
	p.say("1. Sign in to the CXone developer portal and follow the registration guide: %s", registrationURL)
	p.say("2. Register a new application: type back-end application (it cannot be changed later); token endpoint client authentication client_secret_basic; tenants, environment, scopes and primary business unit as your program needs.")
	p.say("3. Wait for approval, typically 2 to 3 business days. The Client ID and Client Secret arrive by email in a password-protected archive.")
	ok, err := p.yes("Do you already have the Client ID and Client Secret?", true)
	if err != nil {
		return "", err
	}
	if !ok {
		p.say("Run cxone-auth setup again when the email arrives. Nothing was saved.")
		return "", ErrCancelled
	}
	return IDClient, nil
}

func (w *wizard) client() (string, error) {
	p := w.p
	w.heading(3, "Client credentials")
	if w.deps.Profiles != nil {
		ctx, cancel := context.WithTimeout(p.ctx, profilesTimeout)
		list, err := w.deps.Profiles.Profiles(ctx)
		cancel()
		if err != nil {
			p.say("Could not list existing profiles: %s", errorText(err))
		}
		if len(list) > 0 {
			opts := []string{"Enter new client credentials"}
			for _, pr := range list {
				opts = append(opts, fmt.Sprintf("Reuse those of profile %s (%s, %s)", pr.Name, pr.Issuer, masked(pr.ClientID)))
			}
			i, err := p.choose("One registered application serves many access keys.", opts, 0)
			if err != nil {
				return "", err
			}
			if i > 0 {
				pr := list[i-1]
				pass := ""
				if pr.NeedsPassphrase && !w.cfg.PassphraseFromEnv {
					if pass, err = p.secret("Passphrase of that profile's keyring", false); err != nil {
						return "", err
					}
				}
				ctx, cancel := context.WithTimeout(p.ctx, reuseTimeout)
				id, secret, err := w.deps.Profiles.ClientCredentials(ctx, pr.Name, pass)
				cancel()
				if err == nil {
					w.d.Creds.ClientID, w.d.Creds.ClientSecret = ui.Clean(id), ui.Clean(secret)
					p.say("Copied the client credentials of profile %s.", pr.Name)
					return IDCreateKey, nil
				}
				p.say("Could not read profile %s: %s. Enter the values instead.", pr.Name, errorText(err))
			}
		}
	}
	p.say("Enter the Client ID and Client Secret of the registered application, from the approval email.")
	for {
		id, err := p.line("Client ID", w.d.Creds.ClientID)
		if err != nil {
			return "", err
		}
		if id == "" || spaceErr(id) != "" {
			p.say("Error: the Client ID is required and contains no spaces.")
			continue
		}
		if warn := lintClientID(id); warn != "" {
			p.say("Warning: Client ID %s.", warn)
		}
		w.d.Creds.ClientID = id
		break
	}
	for {
		s, err := p.secret("Client Secret", w.d.Creds.ClientSecret != "")
		if err != nil {
			return "", err
		}
		if s == "" {
			s = w.d.Creds.ClientSecret
		}
		if s == "" || spaceErr(s) != "" {
			p.say("Error: the Client Secret is required and contains no spaces.")
			continue
		}
		if warn := lintClientSecret(s); warn != "" {
			p.say("Warning: Client Secret %s.", warn)
		}
		w.d.Creds.ClientSecret = s
		return IDCreateKey, nil
	}
}

func (w *wizard) createKey() (string, error) {
	p := w.p
	w.heading(4, "Create an access key")
	p.say("The API calls run as the CXone user who owns the access key. Sign in to CXone as a user of the business unit the calls are for (NICE recommends a dedicated API user), then open: My Profile, Access Keys, Add access key. This needs the My Access Key permission; an administrator can create a key for another user under Admin, Employees, the user, Access Keys.")
	p.say("Warning: the secret is shown only once. Copy both the Access Key ID and the Access Key Secret before you close the dialog; a lost secret means creating a new key.")
	for {
		ok, err := p.yes("Have you copied the Access Key ID and the Access Key Secret?", false)
		if err != nil {
			return "", err
		}
		if ok {
			return IDAccessKey, nil
		}
		p.say("Take your time; answer y once both values are copied somewhere safe.")
	}
}

func (w *wizard) accessKey() (string, error) {
	p := w.p
	w.heading(5, "Access key")
	for {
		id, err := p.line("Access Key ID", w.d.Creds.AccessKeyID)
		if err != nil {
			return "", err
		}
		if id == "" || spaceErr(id) != "" {
			p.say("Error: the Access Key ID is required and contains no spaces.")
			continue
		}
		if warn := lintAccessKey(id); warn != "" {
			p.say("Warning: Access Key ID %s.", warn)
		}
		w.d.Creds.AccessKeyID = id
		break
	}
	for {
		s, err := p.secret("Access Key Secret", w.d.Creds.AccessKeySecret != "")
		if err != nil {
			return "", err
		}
		if s == "" {
			s = w.d.Creds.AccessKeySecret
		}
		if s == "" || spaceErr(s) != "" {
			p.say("Error: the Access Key Secret is required and contains no spaces.")
			continue
		}
		if warn := lintAccessKey(s); warn != "" {
			p.say("Warning: Access Key Secret %s.", warn)
		}
		w.d.Creds.AccessKeySecret = s
		return IDCheck, nil
	}
}

var stateWords = map[auth.StageState]string{
	auth.StateRunning: "running", auth.StateDone: "done", auth.StateWarning: "warning",
	auth.StateSkipped: "skipped", auth.StateFailed: "failed",
}

func (w *wizard) check() (string, error) {
	p := w.p
	w.heading(6, "Check")
	p.say("Checking the credentials against %s.", w.d.Issuer)
	if w.deps.Verifier == nil {
		return "", errors.New("wizard: no verifier")
	}
	ctx, cancel := context.WithTimeout(p.ctx, checkTimeout)
	res, err := w.deps.Verifier.Verify(ctx, w.d.Issuer, w.d.Creds, func(ev auth.StageEvent) {
		if ev.State == auth.StateRunning {
			return // one line per stage: its outcome
		}
		line := ev.Stage.String() + ": " + stateWords[ev.State]
		if d := sanitize(ev.Detail); d != "" {
			line += " (" + d + ")"
		}
		p.say("%s", line)
	})
	cancel()
	if p.ctx.Err() != nil {
		return "", ErrCancelled
	}
	if err == nil && res != nil {
		w.d.Result = res
		p.say("The credentials work. User %s; tenant %s; business unit %s; API endpoint %s.",
			sanitize(orUnknown(res.User)), sanitize(orUnknown(res.Tenant)), sanitize(buText(res)), sanitize(orUnknown(res.APIEndpoint)))
		for _, warn := range res.Warnings {
			p.say("Warning: %s", sanitize(warn))
		}
		return IDSave, nil
	}
	if err == nil {
		err = errors.New("the check returned no result")
	}
	title, hint := failureText(err)
	p.say("Error: %s. %s", title, hint)
	p.say("Details: %s", errorText(err))
	var acts []checkAction
	switch auth.KindOf(err) {
	case auth.KindInvalidClient:
		acts = []checkAction{actFixClient, actRetry}
	case auth.KindInvalidGrant, auth.KindUnauthorized:
		acts = []checkAction{actFixKey, actRetry}
	case auth.KindProtocol:
		acts = []checkAction{actIssuer, actRetry}
	default:
		acts = []checkAction{actRetry, actIssuer}
	}
	opts := make([]string, 0, len(acts)+1)
	for _, a := range acts {
		opts = append(opts, actionLabel(a))
	}
	opts = append(opts, "Quit without saving")
	i, err := p.choose("What now?", opts, 0)
	if err != nil {
		return "", err
	}
	if i == len(acts) {
		return "", ErrCancelled
	}
	if t := actionTarget(acts[i]); t != "" {
		return t, nil
	}
	return IDCheck, nil
}

func buText(r *auth.Result) string {
	switch {
	case r.BusinessUnitID != 0 && r.BusinessUnit != "":
		return fmt.Sprintf("%s (%d)", r.BusinessUnit, r.BusinessUnitID)
	case r.BusinessUnitID != 0:
		return strconv.FormatInt(r.BusinessUnitID, 10)
	}
	return orUnknown(r.BusinessUnit)
}

func (w *wizard) save() (string, error) {
	p := w.p
	w.heading(7, "Save")
	if w.deps.Backends == nil || w.deps.Saver == nil {
		return "", errors.New("wizard: no keyring backends")
	}
	msg := loadBackends(w.deps.Backends)().(backendsMsg)
	if msg.err != nil {
		return "", msg.err
	}
	var avail []Backend
	var opts []string
	def := 0
	for _, b := range msg.list {
		label := b.Label
		if label == "" {
			label = b.Name
		}
		if !b.Available {
			p.say("Not available: %s (%s)", label, b.Note)
			continue
		}
		if b.Default {
			def = len(avail)
		}
		if b.Note != "" {
			label += ", " + b.Note
		}
		avail = append(avail, b)
		opts = append(opts, label)
	}
	if len(avail) == 0 {
		return "", errors.New("no keyring backend is available on this machine")
	}
	for {
		i, err := p.choose(fmt.Sprintf("Store profile %s in which keyring?", w.d.Profile), opts, def)
		if err != nil {
			return "", err
		}
		b := avail[i]
		pass := ""
		if b.NeedsPassphrase && !w.cfg.PassphraseFromEnv {
			if pass, err = w.passphrase(b.Exists); err != nil {
				return "", err
			}
		}
		p.say("Saving…")
		ctx, cancel := context.WithTimeout(p.ctx, saveTimeout)
		err = w.deps.Saver.Save(ctx, SaveRequest{Profile: w.d.Profile, Issuer: w.d.Issuer, Creds: w.d.Creds, Result: w.d.Result, Backend: b.Name, Passphrase: pass})
		cancel()
		if err == nil {
			w.d.Backend, w.d.BackendLabel, w.d.Saved = b.Name, b.Label, true
			return IDDone, nil
		}
		p.say("Error: could not save: %s", errorText(err))
		again, err := p.yes("Try again?", true)
		if err != nil {
			return "", err
		}
		if !again {
			return "", ErrCancelled
		}
		def = i
	}
}

func (w *wizard) passphrase(exists bool) (string, error) {
	p := w.p
	for {
		if exists {
			s, err := p.secret("Passphrase of the encrypted keyring", false)
			if err != nil || s != "" {
				return s, err
			}
			p.say("Error: a passphrase is required.")
			continue
		}
		s, err := p.secret("New passphrase for the encrypted keyring", false)
		if err != nil {
			return "", err
		}
		if s == "" {
			p.say("Error: a passphrase is required.")
			continue
		}
		again, err := p.secret("Repeat the passphrase", false)
		if err != nil {
			return "", err
		}
		if again != s {
			p.say("Error: the two passphrases differ.")
			continue
		}
		return s, nil
	}
}

func (w *wizard) done() {
	p := w.p
	w.heading(8, "Done")
	where := w.d.BackendLabel
	if where == "" {
		where = w.d.Backend
	}
	p.say("Saved profile %s in %s.", w.d.Profile, where)
	if r := w.d.Result; r != nil {
		p.say("User %s; tenant %s; business unit %s; API endpoint %s.",
			sanitize(orUnknown(r.User)), sanitize(orUnknown(r.Tenant)), sanitize(buText(r)), sanitize(orUnknown(r.APIEndpoint)))
	}
	flag := profileFlag(w.d.Profile)
	p.say("Next: run cxone-auth check%s to re-check the credentials, and cxone-auth export%s -o .env to write them for your program.", flag, flag)
}
