package steps

import (
	"context"
	"errors"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/store"
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
	actStop
)

// checkActions is where a failed check can lead, first the most likely fix: the value the
// advice points at, a retry only where sending again can help (network, timeout, server), and
// the environment (a wrong one rejects good credentials too). The screen and the line prompt
// both route through it.
func checkActions(err error) []checkAction {
	a := auth.AdviceFor(auth.KindOf(err))
	var acts []checkAction
	if a.Retry {
		acts = append(acts, actRetry)
	}
	switch a.Target {
	case auth.TargetClient:
		acts = append(acts, actFixClient)
	case auth.TargetAccessKey:
		acts = append(acts, actFixKey)
	}
	return append(acts, actIssuer)
}

// actionsIn is checkActions for a flow that has only the steps has reports (nil: every step):
// a value whose step is not in the flow (the client credentials in a rotation) cannot be fixed
// there, so the flow offers to stop instead.
func actionsIn(err error, has func(id string) bool) []checkAction {
	all := checkActions(err)
	if has == nil {
		return all
	}
	var acts []checkAction
	for _, a := range all {
		if t := actionTarget(a); t == "" || has(t) {
			acts = append(acts, a)
		}
	}
	if len(acts) < len(all) {
		acts = append(acts, actStop)
	}
	return acts
}

func actionLabel(a checkAction) string {
	switch a {
	case actStop:
		return "Stop here: nothing is saved"
	case actFixClient:
		return "Fix the Client ID / Client Secret"
	case actFixKey:
		return "Fix the Access Key ID / Secret"
	case actIssuer:
		return "Change the environment or issuer"
	}
	return "Retry the check"
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

// Check runs the live check with a checklist of stages and, on failure, says which value is
// wrong and where to fix it. Credentials that were rejected are not sent again until one of
// them changed.
type Check struct {
	sess     *ui.Session
	verifier Verifier
	list     ui.Checklist

	run      int
	running  bool
	cancel   context.CancelFunc
	fp       [32]byte // inputs of the last run
	result   *auth.Result
	err      error
	rejected map[[32]byte]error // values CXone refused, and how
	replayed bool               // the failure shown was not asked again: the values were refused before

	menu ui.Menu
	acts []checkAction
	// has reports which steps the flow has, for the failure actions; nil: all of them.
	has func(id string) bool
}

// NewCheck returns the live check step.
func NewCheck(v Verifier) *Check { return &Check{verifier: v, rejected: map[[32]byte]error{}} }

// newCheckIn returns the check step of a flow made of the steps with the given IDs.
func newCheckIn(v Verifier, ids ...string) *Check {
	c := NewCheck(v)
	c.has = func(id string) bool { return slices.Contains(ids, id) }
	return c
}

// refuse records that CXone refused the values of d with err earlier in this run (the
// profiles screen's check of a stored profile): they are not sent again until one changed.
func (c *Check) refuse(d *ui.Draft, err error) {
	if err != nil && auth.KindOf(err).Rejected() {
		c.rejected[fingerprint(d)] = err
	}
}

// ID implements ui.Step.
func (c *Check) ID() string { return IDCheck }

// Title implements ui.Step.
func (c *Check) Title() string { return "Check" }

func stageLabels() []string {
	labels := make([]string, len(auth.Stages))
	for i, st := range auth.Stages {
		labels[i] = st.String()
	}
	return labels
}

// Enter implements ui.Step: it starts the check unless these very values already passed, or
// were refused (then the refusal is shown again, without asking CXone).
func (c *Check) Enter(s *ui.Session) tea.Cmd {
	first := c.sess == nil
	c.sess = s
	if first {
		c.list = ui.NewChecklist(s.Styles, stageLabels()...)
	}
	c.list.Static = s.Accessible
	c.Restyle(s.Styles)
	if c.running {
		return c.list.Tick()
	}
	fp := fingerprint(s.Draft)
	if c.result != nil && c.fp == fp {
		s.Draft.Result = c.result
		return nil
	}
	if err, ok := c.rejected[fp]; ok {
		c.fp, c.result = fp, nil
		c.fail(err)
		c.replayed = true
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
		c.list.Set(slices.Index(auth.Stages, msg.ev.Stage), itemState(msg.ev.State), auth.Sanitize(msg.ev.Detail))
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
		err = errors.New("the check returned no result")
	}
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
		c.result, c.err = res, nil
		c.sess.Draft.Result = res
		return
	}
	if auth.KindOf(err).Rejected() {
		c.rejected[c.fp] = err
	}
	c.fail(err)
}

// fail shows err with its advice and the actions it allows.
func (c *Check) fail(err error) {
	c.result, c.err, c.replayed = nil, err, false
	c.sess.Draft.Result = nil
	c.acts = actionsIn(err, c.has)
	c.menu = ui.Menu{Focused: true, Plain: true}
	for _, a := range c.acts {
		c.menu.Items = append(c.menu.Items, ui.MenuItem{Label: actionLabel(a)})
	}
}

// Target returns where the failure's first action leads ("" for retry): the step to fix.
func (c *Check) Target() string {
	if c.err == nil || len(c.acts) == 0 {
		return ""
	}
	return actionTarget(c.acts[0])
}

func (c *Check) canRetry() bool {
	return c.err != nil && slices.Contains(c.acts, actRetry)
}

func (c *Check) key(k tea.KeyPressMsg) (ui.Step, tea.Cmd) {
	keys := c.sess.Keys
	switch {
	case key.Matches(k, keys.Back, keys.PrevField):
		c.stop()
		c.run++ // late events of a cancelled run are ignored
		return c, ui.Back
	case c.running:
		return c, nil
	case key.Matches(k, keys.Retry) && (c.err == nil || c.canRetry()):
		return c, c.start()
	case c.err == nil && key.Matches(k, keys.Next):
		return c, ui.Next
	case c.err != nil && key.Matches(k, keys.Next):
		switch a := c.acts[c.menu.Selected()]; a {
		case actRetry:
			return c, c.start()
		case actStop:
			return c, ui.Abort
		default:
			return c, ui.GoTo(actionTarget(a))
		}
	case c.err != nil:
		c.menu.Update(k, keys)
	}
	return c, nil
}

func (c *Check) render() body { return fitted(c.sess, c.draw) }

func (c *Check) draw(compact bool) body {
	var b body
	if c.sess == nil {
		return b
	}
	st, tw := c.sess.Styles, textWidth(c.sess)
	d := c.sess.Draft
	b.add(ui.Wrap(st.Text.Render("Checking the credentials against ")+st.Value.Render(d.Issuer), tw))
	b.pin()
	if !compact {
		b.gap()
	}
	if c.running || !compact {
		// A short window shows the stages while they run, then only the outcome.
		b.add(c.list.View(st, tw))
	}
	switch {
	case c.running:
	case c.err != nil:
		a := auth.AdviceFor(auth.KindOf(c.err))
		if compact {
			b.focus()
			b.add(ui.Wrap(st.Error.Render("✗ "+a.Title), tw))
			if c.replayed {
				b.add(ui.Wrap(st.Muted.Render("Refused already: change a value to check again."), tw))
			}
		} else {
			b.gap()
			lines := []string{a.Cause, ""}
			if c.replayed {
				lines = append(lines, "These values were refused already; change one to check again.", "")
			}
			lines = append(lines, st.Muted.Render(errorText(c.err)))
			b.add(ui.ErrorBox(st, min(tw, 80), "✗ "+a.Title, lines...))
			b.gap()
			b.focusAt(c.menu.Selected())
		}
		b.add(c.menu.View(st, c.sess.BodyWidth()))
	case c.result != nil:
		if compact {
			b.focus()
			b.add(ui.Wrap(st.OK.Render("✓ ")+st.Value.Render("The credentials work.")+st.Muted.Render(" Press enter to choose where to store them."), tw))
		} else {
			b.gap()
			b.add(st.OK.Render("✓ ") + st.Value.Render("The credentials work."))
		}
		b.add(wrapPairs(st, tw, resultPairs(store.ViewOfCheck(d.Profile, d.Issuer, d.Creds, c.result))...))
		for _, w := range c.result.Warnings {
			b.add(ui.Wrap(st.Warn.Render("! "+auth.Sanitize(w)), tw))
		}
		if !compact {
			b.gap()
			b.focus()
			b.add(st.Muted.Render("Press enter to choose where to store them."))
		}
	}
	return b
}

// resultPairs lists what a check learnt, as the screens show it.
func resultPairs(v store.View) [][2]string {
	return [][2]string{
		{"User", store.Or(v.User)},
		{"Tenant", store.Or(v.Tenant)},
		{"Business unit", store.Or(v.BusinessUnitText())},
		{"API endpoint", store.Or(v.APIEndpoint)},
	}
}

// resultSentence is resultPairs as one sentence, for line prompts.
func resultSentence(v store.View) string {
	s := ""
	for i, p := range resultPairs(v) {
		if i > 0 {
			s += "; "
		}
		s += p[0] + " " + p[1]
	}
	return s + "."
}

// FocusLine implements ui.Focuser.
func (c *Check) FocusLine() int { return c.render().focusLine }

// PinnedLines implements ui.Pinner: what is being checked against which issuer.
func (c *Check) PinnedLines() int { return c.render().pinned }

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
		return []key.Binding{binding("esc", "cancel and go back")}
	case c.err != nil:
		b := []key.Binding{k.UpDown, binding("enter", "choose")}
		if c.canRetry() {
			b = append(b, k.Retry)
		}
		return append(b, k.Back)
	}
	return []key.Binding{k.Next, k.Retry, k.Back}
}

var stateWords = map[auth.StageState]string{
	auth.StateRunning: "running", auth.StateDone: "done", auth.StateWarning: "warning",
	auth.StateSkipped: "skipped", auth.StateFailed: "failed",
}

// Prompt implements ui.Step: the check with one line per stage, then the same routing as the
// screen.
func (c *Check) Prompt(s *ui.Session, p *ui.Prompter) (tea.Msg, error) {
	c.sess = s
	d := s.Draft
	p.Say("Checking the credentials against %s.", d.Issuer)
	fp := fingerprint(d)
	var (
		res *auth.Result
		err error
	)
	if prev, ok := c.rejected[fp]; ok {
		err = prev
		p.Say("These values were refused already; change one to check again.")
	} else {
		ctx, cancel := context.WithTimeout(s.Ctx, checkTimeout)
		res, err = c.verifier.Verify(ctx, d.Issuer, d.Creds, func(ev auth.StageEvent) {
			if ev.State == auth.StateRunning {
				return // one line per stage: its outcome
			}
			line := ev.Stage.String() + ": " + stateWords[ev.State]
			if det := auth.Sanitize(ev.Detail); det != "" {
				line += " (" + det + ")"
			}
			p.Say("%s", line)
		})
		cancel()
		if s.Ctx.Err() != nil {
			return nil, s.Ctx.Err()
		}
		if err == nil && res == nil {
			err = errors.New("the check returned no result")
		}
	}
	if err == nil {
		c.result, c.fp, d.Result = res, fp, res
		p.Say("The credentials work. %s", resultSentence(store.ViewOfCheck(d.Profile, d.Issuer, d.Creds, res)))
		for _, w := range res.Warnings {
			p.Say("Warning: %s", auth.Sanitize(w))
		}
		return ui.NextMsg{}, nil
	}
	if auth.KindOf(err).Rejected() {
		c.rejected[fp] = err
	}
	a := auth.AdviceFor(auth.KindOf(err))
	p.Say("Error: %s. %s", a.Title, a.Cause)
	p.Say("Details: %s", errorText(err))
	acts := slices.DeleteFunc(actionsIn(err, c.has), func(a checkAction) bool { return a == actStop })
	labels := make([]string, len(acts))
	for i, a := range acts {
		labels[i] = actionLabel(a)
	}
	i, quit, err := whatNow(p, labels)
	if err != nil || quit {
		return ui.AbortMsg{}, err
	}
	if t := actionTarget(acts[i]); t != "" {
		return ui.GoToMsg{ID: t}, nil
	}
	return ui.GoToMsg{ID: IDCheck}, nil
}
