package steps

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"cxone-auth/auth"
	"cxone-auth/ui"
)

// The profiles screen's actions are plain functions of the manager: the screen's commands
// wrap them in a tea.Cmd, the line prompts call them directly. Each is bounded.

// profilesTimeoutAction bounds the screen's keyring and file actions (make default, remove,
// export, reading a profile for an edit); the store bounds each keyring call as well.
const profilesTimeoutAction = 45 * time.Second

// bounded runs fn with the action bound.
func bounded[T any](ctx context.Context, fn func(context.Context) T) T {
	ctx, cancel := context.WithTimeout(ctx, profilesTimeoutAction)
	defer cancel()
	return fn(ctx)
}

// readList reads the stored profiles from the config.
func readList(ctx context.Context, mgr ProfileManager) listedMsg {
	if mgr == nil {
		return listedMsg{err: errors.New("the profiles cannot be listed here")}
	}
	return bounded(ctx, func(ctx context.Context) listedMsg {
		list, err := mgr.List(ctx)
		return listedMsg{list: list, err: err}
	})
}

// setDefaultProfile makes profile name the default.
func setDefaultProfile(ctx context.Context, mgr ProfileManager, name string) actionMsg {
	return bounded(ctx, func(ctx context.Context) actionMsg {
		if err := mgr.SetDefault(ctx, name); err != nil {
			return actionMsg{err: err}
		}
		return actionMsg{note: fmt.Sprintf("Profile %q is now the default.", name)}
	})
}

// removeProfile removes profile name and its keyring item.
func removeProfile(ctx context.Context, mgr ProfileManager, name string) actionMsg {
	return bounded(ctx, func(ctx context.Context) actionMsg {
		if err := mgr.Remove(ctx, name); err != nil {
			return actionMsg{err: err}
		}
		return actionMsg{note: fmt.Sprintf("Removed profile %q and its stored credentials.", name)}
	})
}

// exportProfile writes a profile to a file, as `cxone-auth export -o` does.
func exportProfile(ctx context.Context, mgr ProfileManager, req ExportRequest) exportedMsg {
	return bounded(ctx, func(ctx context.Context) exportedMsg {
		res, err := mgr.Export(ctx, req)
		return exportedMsg{req: req, res: res, err: err}
	})
}

// loadProfile reads profile name from the keyring for an edit (from: its first step) or a
// rotation. The keyring was unlocked before the screen opened: nothing is asked here.
func loadProfile(ctx context.Context, mgr ProfileManager, name string, rotate bool, from string) secretMsg {
	return bounded(ctx, func(ctx context.Context) secretMsg {
		sec, err := mgr.Load(ctx, name)
		if sec.Name == "" {
			sec.Name = name
		}
		return secretMsg{rotate: rotate, from: from, sec: sec, err: err}
	})
}

// checkProfiles checks the named profiles live, all at once, and waits for every result.
func checkProfiles(ctx context.Context, mgr ProfileManager, names []string) []ProfileCheck {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	var mu sync.Mutex
	var out []ProfileCheck
	mgr.CheckEach(ctx, names, func(res ProfileCheck) {
		mu.Lock()
		out = append(out, res)
		mu.Unlock()
	})
	mu.Lock()
	defer mu.Unlock()
	return out
}

// The commands: each says what is under way and runs its action off the update loop.

func (p *Profiles) listCmd() tea.Cmd {
	mgr, ctx := p.mgr, p.sess.Ctx
	return func() tea.Msg { return readList(ctx, mgr) }
}

func (p *Profiles) defaultCmd(name string) tea.Cmd {
	mgr, ctx := p.mgr, p.sess.Ctx
	p.busy = "Making " + name + " the default…"
	return func() tea.Msg { return setDefaultProfile(ctx, mgr, name) }
}

func (p *Profiles) removeCmd(name string) tea.Cmd {
	mgr, ctx := p.mgr, p.sess.Ctx
	p.busy = "Removing " + name + "…"
	return func() tea.Msg { return removeProfile(ctx, mgr, name) }
}

func (p *Profiles) exportCmd(req ExportRequest) tea.Cmd {
	mgr, ctx := p.mgr, p.sess.Ctx
	p.busy = "Writing " + auth.Sanitize(req.Path) + "…"
	return func() tea.Msg { return exportProfile(ctx, mgr, req) }
}

func (p *Profiles) readCmd(r *profileRow, rotate bool, from string) tea.Cmd {
	name, mgr, ctx := r.View.Name, p.mgr, p.sess.Ctx
	p.busy = "Reading profile " + name + " from the keyring…"
	return func() tea.Msg { return loadProfile(ctx, mgr, name, rotate, from) }
}

// checkRows checks rows live, all at once, in one run of the manager's CheckEach (which
// records the results). The results come back as checksMsg, each with whatever came in since
// the last: with many profiles, results arriving together cost one update and one frame, not
// one each.
func (p *Profiles) checkRows(rows []*profileRow) tea.Cmd {
	run, names := p.beginChecks(rows)
	if len(names) == 0 {
		return nil
	}
	mgr, ctx := p.mgr, p.sess.Ctx
	results := make(chan ProfileCheck, len(names))
	next := nextChecks(run, results)
	return func() tea.Msg {
		go func() {
			defer close(results)
			ctx, cancel := context.WithTimeout(ctx, checkTimeout)
			defer cancel()
			mgr.CheckEach(ctx, names, func(res ProfileCheck) { results <- res })
		}()
		return next()
	}
}

// nextChecks waits for the next results of run: the first one and any others already there.
func nextChecks(run int, results <-chan ProfileCheck) tea.Cmd {
	return func() tea.Msg {
		res, ok := <-results
		if !ok {
			return nil
		}
		msg := checksMsg{run: run, results: []ProfileCheck{res}}
		for {
			select {
			case res, ok := <-results:
				if !ok {
					return msg
				}
				msg.results = append(msg.results, res)
			default:
				msg.next = nextChecks(run, results)
				return msg
			}
		}
	}
}

// firstFrameWait is one frame of Bubble Tea's renderer, which draws at most 60 frames a
// second on its own ticker. The checks of the opening start that much after the screen: their
// keyring decryptions take every core at once, and started with it they held the first frame
// back by a sixth (8 ms over 20 profiles). The rows show "checking…" meanwhile.
const firstFrameWait = time.Second / 60

// afterFirstFrame runs cmd once the first frame has been drawn.
func afterFirstFrame(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return tea.Tick(firstFrameWait, func(time.Time) tea.Msg { return tea.BatchMsg{cmd} })
}

// profAction is the record of an action taken on the screen, and how many flows had saved a
// profile before it (to print the records in the order things were done).
type profAction struct {
	after int
	rec   Record
}

// logAction keeps the record of an action for the normal screen.
func (p *Profiles) logAction(r Record) {
	after := 0
	if p.sess != nil {
		after = len(p.sess.Finished)
	}
	p.acts = append(p.acts, profAction{after: after, rec: r})
}

// exportRecord is the record of an export: where the file went, and the git warning.
func exportRecord(msg exportedMsg) Record {
	r := Record{Headline: fmt.Sprintf("Wrote profile %q to %s (mode 0600).", msg.req.Profile, auth.Sanitize(msg.res.Path))}
	if msg.res.GitWarning {
		r.Notes = append(r.Notes, exportGitWarning)
	}
	return r
}

// records are the records of this run in the order things were done: the flows that saved a
// profile (finished, the engine's) and the actions taken on the screen.
func (p *Profiles) records(finished []*ui.Draft) []Record {
	var out []Record
	ai := 0
	for i := 0; i <= len(finished); i++ {
		for ai < len(p.acts) && p.acts[ai].after <= i {
			out = append(out, p.acts[ai].rec)
			ai++
		}
		if i < len(finished) {
			out = append(out, RecordOf(finished[i]))
		}
	}
	return out
}

// outcome is the outcome of a run of the screen: the engine's, with the records of the
// actions taken on the screen among those of the flows.
func (p *Profiles) outcome(st ui.State, err error, sess *ui.Session) (Outcome, error) {
	out, err := outcome(st, err, sess)
	out.Records = p.records(sess.Finished)
	return out, err
}
