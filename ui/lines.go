package ui

import (
	"context"
	"errors"
)

// RunLines runs a flow of steps as line prompts (accessible mode): each step's Prompt asks its
// questions, and the navigation it returns moves through the flow by the same rule as the
// full-screen Model. It returns how the flow ended; the drafts that saved a profile are in
// sess.Finished. A cancelled context or the end of the input ends it as aborted.
func RunLines(ctx context.Context, sess *Session, steps []Step, p *Prompter) (State, error) {
	if sess.Draft == nil {
		sess.Draft = &Draft{}
	}
	if len(sess.Keys.Quit.Keys()) == 0 {
		sess.Keys = DefaultKeyMap()
	}
	sess.Ctx, sess.Accessible = ctx, true
	cur := 0
	for cur < len(steps) {
		s := steps[cur]
		p.Heading(cur+1, len(steps), s.Title())
		msg, err := s.Prompt(sess, p)
		if err != nil {
			if errors.Is(err, ErrInputEnded) || errors.Is(err, context.Canceled) || ctx.Err() != nil {
				return StateAborted, err
			}
			return StateFailed, err
		}
		n, ok, err := navigate(steps, cur, msg)
		switch {
		case err != nil:
			return StateFailed, err
		case !ok:
			return StateFailed, errors.New("wizard: a step ended without saying where to go")
		case n.End != StateRunning:
			if sess.Draft.Saved {
				sess.Finished = append(sess.Finished, sess.Draft)
			}
			return n.End, nil
		case n.Left:
			// Back on the first step: ask it again.
		default:
			cur = n.Index
		}
	}
	return StateDone, nil
}

// RunHomeLines runs a home screen (the profiles screen) as line prompts: its Prompt shows
// what it shows and asks what to do; a StartFlowMsg it returns runs that flow with RunLines
// and the outcome goes back to it as FlowEndedMsg, as on screen; FinishMsg ends the run
// normally and AbortMsg as cancelled. The drafts that saved a profile are in sess.Finished.
func RunHomeLines(ctx context.Context, sess *Session, home Step, p *Prompter) (State, error) {
	if len(sess.Keys.Quit.Keys()) == 0 {
		sess.Keys = DefaultKeyMap()
	}
	sess.Ctx, sess.Accessible = ctx, true
	for {
		sess.Draft, sess.Touched = &Draft{}, false
		p.Heading(0, 0, home.Title())
		msg, err := home.Prompt(sess, p)
		if err != nil {
			if errors.Is(err, ErrInputEnded) || errors.Is(err, context.Canceled) || ctx.Err() != nil {
				return StateAborted, err
			}
			return StateFailed, err
		}
		switch msg := msg.(type) {
		case FinishMsg:
			return StateDone, nil
		case AbortMsg:
			return StateAborted, nil
		case StartFlowMsg:
			d := msg.Draft
			if d == nil {
				d = &Draft{}
			}
			sess.Draft = d
			st, err := RunLines(ctx, sess, msg.Steps, p)
			if err != nil && (errors.Is(err, ErrInputEnded) || ctx.Err() != nil) {
				return StateAborted, err
			}
			if st == StateFailed {
				return st, err
			}
			if next, _ := home.Update(FlowEndedMsg{Draft: d, State: st}); next != nil {
				home = next
			}
		}
	}
}
