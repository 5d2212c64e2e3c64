package steps

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// checkTimeout bounds a whole live check; each request has its own, shorter bound in auth.
const checkTimeout = 2 * time.Minute

type stageMsg struct {
	run    int
	ev     auth.StageEvent
	events <-chan auth.StageEvent
	done   <-chan checkedMsg
}

type checkedMsg struct {
	run int
	res *auth.Result
	err error
}

// What the check step offers after a failure.
type checkAction int

const (
	actRetry checkAction = iota
	actFixClient
	actFixKey
	actIssuer
)

// Check runs the live check with a checklist of stages and, on failure, says which value is
// wrong and where to fix it.
type Check struct {
	sess     *ui.Session
	verifier Verifier
	list     ui.Checklist

	run     int
	running bool
	cancel  context.CancelFunc
	fp      [32]byte // inputs of the last run
	result  *auth.Result
	err     error

	menu ui.Menu
	acts []checkAction
}

// NewCheck returns the live check step.
func NewCheck(v Verifier) *Check { return &Check{verifier: v} }

// ID implements ui.Step.
func (c *Check) ID() string { return IDCheck }

// Title implements ui.Step.
func (c *Check) Title() string { return "Check" }

func fingerprint(d *ui.Draft) [32]byte {
	return sha256.Sum256([]byte(strings.Join([]string{d.Issuer, d.Creds.ClientID, d.Creds.ClientSecret, d.Creds.AccessKeyID, d.Creds.AccessKeySecret}, "\x00")))
}

// Enter implements ui.Step: it starts the check unless these very values already passed.
func (c *Check) Enter(s *ui.Session) tea.Cmd {
	first := c.sess == nil
	c.sess = s
	if first {
		labels := make([]string, len(auth.Stages))
		for i, st := range auth.Stages {
			labels[i] = st.String()
		}
		c.list = ui.NewChecklist(s.Styles, labels...)
	}
	c.list.Static = s.Accessible
	c.Restyle(s.Styles)
	if c.running {
		return c.list.Tick()
	}
	if c.result != nil && c.fp == fingerprint(s.Draft) {
		s.Draft.Result = c.result
		return nil
	}
	return c.start()
}

// Restyle implements ui.Restyler.
func (c *Check) Restyle(st *ui.Styles) { c.list.SetStyles(st) }

// Running reports whether a check is under way.
func (c *Check) Running() bool { return c.running }

func (c *Check) stop() {
	if c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	c.running = false
}

func (c *Check) start() tea.Cmd {
	c.stop()
	c.run++
	c.running, c.result, c.err = true, nil, nil
	c.sess.Draft.Result = nil
	c.list.Reset()
	c.fp = fingerprint(c.sess.Draft)
	ctx, cancel := context.WithTimeout(c.sess.Ctx, checkTimeout)
	c.cancel = cancel
	run, v := c.run, c.verifier
	issuer, creds := c.sess.Draft.Issuer, c.sess.Draft.Creds
	begin := func() tea.Msg {
		// Room for every event of every stage: the sender never blocks on a reader that
		// has moved on (and gives up when the context ends anyway).
		events := make(chan auth.StageEvent, 4*len(auth.Stages)+4)
		done := make(chan checkedMsg, 1)
		go func() {
			res, err := v.Verify(ctx, issuer, creds, func(ev auth.StageEvent) {
				select {
				case events <- ev:
				case <-ctx.Done():
				}
			})
			close(events)
			done <- checkedMsg{run: run, res: res, err: err}
		}()
		return waitStage(run, events, done)()
	}
	return tea.Batch(c.list.Tick(), begin)
}

// waitStage reads the next progress event, or the result once the events are done.
func waitStage(run int, events <-chan auth.StageEvent, done <-chan checkedMsg) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-events
		if !ok {
			return <-done
		}
		return stageMsg{run: run, ev: ev, events: events, done: done}
	}
}

func itemState(s auth.StageState) ui.ItemState {
	switch s {
	case auth.StateRunning:
		return ui.ItemRunning
	case auth.StateDone:
		return ui.ItemDone
	case auth.StateWarning:
		return ui.ItemWarning
	case auth.StateSkipped:
		return ui.ItemSkipped
	case auth.StateFailed:
		return ui.ItemFailed
	}
	return ui.ItemPending
}

// Update implements ui.Step.
func (c *Check) Update(msg tea.Msg) (ui.Step, tea.Cmd) {
	if c.sess == nil {
		return c, nil
	}
	switch msg := msg.(type) {
	case stageMsg:
		if msg.run != c.run {
			return c, nil
		}
		c.list.Set(slices.Index(auth.Stages, msg.ev.Stage), itemState(msg.ev.State), sanitize(msg.ev.Detail))
		return c, waitStage(msg.run, msg.events, msg.done)
	case checkedMsg:
		if msg.run != c.run {
			return c, nil
		}
		c.stop()
		c.finish(msg.res, msg.err)
		return c, nil
	case tea.KeyPressMsg:
		return c.key(msg)
	}
	var cmd tea.Cmd
	c.list, cmd = c.list.Update(msg)
	return c, cmd
}

func (c *Check) finish(res *auth.Result, err error) {
	if err == nil && res == nil {
		err = fmt.Errorf("the check returned no result")
	}
	c.result, c.err = res, err
	// Stages the verifier left running are the ones that failed (or never finished).
	for i, it := range c.list.Items {
		if it.State == ui.ItemRunning {
			if err != nil {
				c.list.Set(i, ui.ItemFailed, "")
			} else {
				c.list.Set(i, ui.ItemDone, "")
			}
		}
	}
	if err == nil {
		c.sess.Draft.Result = res
		return
	}
	c.acts = nil
	switch auth.KindOf(err) {
	case auth.KindInvalidClient:
		c.acts = []checkAction{actFixClient, actRetry}
	case auth.KindInvalidGrant, auth.KindUnauthorized:
		c.acts = []checkAction{actFixKey, actRetry}
	case auth.KindProtocol:
		c.acts = []checkAction{actIssuer, actRetry}
	default: // network, timeout, server
		c.acts = []checkAction{actRetry, actIssuer}
	}
	c.menu = ui.Menu{Focused: true, Plain: true}
	for _, a := range c.acts {
		c.menu.Items = append(c.menu.Items, ui.MenuItem{Label: actionLabel(a)})
	}
}

func actionLabel(a checkAction) string {
	switch a {
	case actFixClient:
		return "Fix the Client ID / Client Secret"
	case actFixKey:
		return "Fix the Access Key ID / Secret"
	case actIssuer:
		return "Change the environment or issuer"
	}
	return "Retry the check"
}

// Target returns where the failure's first action leads ("" for retry): the step to fix.
func (c *Check) Target() string {
	if c.err == nil || len(c.acts) == 0 {
		return ""
	}
	return actionTarget(c.acts[0])
}

func actionTarget(a checkAction) string {
	switch a {
	case actFixClient:
		return IDClient
	case actFixKey:
		return IDAccessKey
	case actIssuer:
		return IDWelcome
	}
	return ""
}

func (c *Check) key(k tea.KeyPressMsg) (ui.Step, tea.Cmd) {
	keys := c.sess.Keys
	switch {
	case key.Matches(k, keys.Back):
		c.stop()
		c.run++ // late events of a cancelled run are ignored
		return c, ui.Back
	case c.running:
		return c, nil
	case key.Matches(k, keys.Retry):
		return c, c.start()
	case c.err == nil && key.Matches(k, keys.Next):
		return c, ui.Next
	case c.err != nil && key.Matches(k, keys.Next):
		a := c.acts[c.menu.Selected()]
		if a == actRetry {
			return c, c.start()
		}
		return c, ui.GoTo(actionTarget(a))
	case c.err != nil:
		c.menu, _ = c.menu.Update(k, keys)
	}
	return c, nil
}

func failureText(err error) (title, hint string) {
	switch auth.KindOf(err) {
	case auth.KindInvalidClient:
		return "CXone rejected the client credentials",
			"The Client ID or the Client Secret is wrong, or the application is not approved (or not registered for this environment)."
	case auth.KindInvalidGrant:
		return "CXone rejected the access key",
			"The Access Key ID or the Access Key Secret is wrong, the key is inactive, or its user is deactivated."
	case auth.KindUnauthorized:
		return "The API refused the new token",
			"CXone issued a token but the API did not accept it. Check the access key's user and its business unit."
	case auth.KindNetwork:
		return "Could not reach CXone",
			"Check the network connection, proxy or VPN, then retry."
	case auth.KindTimeout:
		return "CXone did not answer in time",
			"Retry; if it keeps happening, raise --timeout."
	case auth.KindServer:
		return "CXone answered with a server error",
			"This is usually temporary: retry in a moment."
	}
	return "Unexpected answer from the issuer",
		"Check that the environment or the issuer URL is right."
}

func (c *Check) render() body {
	var b body
	if c.sess == nil {
		return b
	}
	st, tw := c.sess.Styles, textWidth(c.sess)
	d := c.sess.Draft
	b.add(ui.Wrap(st.Text.Render("Checking the credentials against ")+st.Value.Render(d.Issuer), tw))
	b.gap()
	b.add(c.list.View(st, tw))
	switch {
	case c.running:
	case c.err != nil:
		title, hint := failureText(c.err)
		b.gap()
		b.add(ui.ErrorBox(st, min(tw, 80), "✗ "+title, hint, "", st.Muted.Render(errorText(c.err))))
		b.gap()
		b.focus()
		b.add(c.menu.View(st, c.sess.BodyWidth()))
	case c.result != nil:
		r := c.result
		b.gap()
		b.add(st.OK.Render("✓ ") + st.Value.Render("The credentials work."))
		b.add(resultKV(st, tw, r))
		for _, w := range r.Warnings {
			b.add(ui.Wrap(st.Warn.Render("! "+sanitize(w)), tw))
		}
		b.gap()
		b.focus()
		b.add(st.Muted.Render("Press enter to choose where to store them."))
	}
	return b
}

// resultKV lists what the check learnt.
func resultKV(st *ui.Styles, width int, r *auth.Result) string {
	pairs := [][2]string{{"User", orUnknown(r.User)}, {"Tenant", orUnknown(r.Tenant)}}
	bu := orUnknown(r.BusinessUnit)
	if r.BusinessUnitID != 0 {
		bu = fmt.Sprintf("%s (%d)", orUnknown(r.BusinessUnit), r.BusinessUnitID)
		if r.BusinessUnit == "" {
			bu = fmt.Sprint(r.BusinessUnitID)
		}
	}
	pairs = append(pairs, [2]string{"Business unit", bu}, [2]string{"API endpoint", orUnknown(r.APIEndpoint)})
	for i := range pairs {
		pairs[i][1] = sanitize(pairs[i][1])
	}
	return ui.KV(st, width, pairs...)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// FocusLine implements ui.Focuser.
func (c *Check) FocusLine() int { return c.render().focusLine }

// View implements ui.Step.
func (c *Check) View() string { return c.render().String() }

// KeyBinds implements ui.Step.
func (c *Check) KeyBinds() []key.Binding {
	if c.sess == nil {
		return nil
	}
	k := c.sess.Keys
	switch {
	case c.running:
		return []key.Binding{back("esc", "cancel and go back")}
	case c.err != nil:
		return []key.Binding{k.UpDown, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")), k.Retry, k.Back}
	}
	return []key.Binding{k.Next, k.Retry, k.Back}
}
