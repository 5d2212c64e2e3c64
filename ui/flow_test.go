package ui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// promptStep answers Prompt with a scripted navigation message and counts its visits.
type promptStep struct {
	fakeStep
	script []tea.Msg
	asked  int
}

func (p *promptStep) Prompt(*Session, *Prompter) (tea.Msg, error) {
	msg := p.script[min(p.asked, len(p.script)-1)]
	p.asked++
	return msg, nil
}

// TestBothRenderersRouteAlike sends the same navigation through the screen and the line
// prompts: the steps visited must be the same, because one function routes both.
func TestBothRenderersRouteAlike(t *testing.T) {
	scripts := map[string][]tea.Msg{
		"s0": {NextMsg{}, NextMsg{}},
		"s1": {NextMsg{}, NextMsg{}},
		"s2": {GoToMsg{ID: "s1"}, BackMsg{}, NextMsg{}},
	}
	var lineSteps []Step
	var order []string
	for _, id := range []string{"s0", "s1", "s2", "s3"} {
		ps := &promptStep{fakeStep: fakeStep{id: id}, script: append(scripts[id], FinishMsg{})}
		lineSteps = append(lineSteps, &recorder{promptStep: ps, order: &order})
	}
	sess := &Session{}
	st, err := RunLines(context.Background(), sess, lineSteps, NewPrompter(context.Background(), strings.NewReader(""), io.Discard))
	if err != nil || st != StateDone {
		t.Fatalf("RunLines: %v %v", st, err)
	}
	// The same messages, in the same order, through the screen's engine.
	m, _ := newEngine(4)
	var replay []string
	counters := map[string]int{}
	for m.State() == StateRunning {
		id := m.Current().ID()
		replay = append(replay, id)
		sc := append(scripts[id], FinishMsg{})
		msg := sc[min(counters[id], len(sc)-1)]
		counters[id]++
		m.Update(msg)
	}
	if strings.Join(replay, ",") != strings.Join(order, ",") {
		t.Errorf("screen visited %v, line prompts %v", replay, order)
	}
	if got, want := strings.Join(order, ","), "s0,s1,s2,s1,s2,s1"; got != want {
		t.Errorf("line prompts visited %s, want %s", got, want)
	}
}

type recorder struct {
	*promptStep
	order *[]string
}

func (r *recorder) Prompt(s *Session, p *Prompter) (tea.Msg, error) {
	*r.order = append(*r.order, r.id)
	return r.promptStep.Prompt(s, p)
}

func TestRunLinesEndsOnEndOfInput(t *testing.T) {
	ask := &askStep{fakeStep: fakeStep{id: "a"}}
	st, err := RunLines(context.Background(), &Session{}, []Step{ask}, NewPrompter(context.Background(), strings.NewReader("first\n"), io.Discard))
	if st != StateAborted || !errors.Is(err, ErrInputEnded) || ask.answers[0] != "first" {
		t.Errorf("state %v err %v answers %v", st, err, ask.answers)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	defer pw.Close()
	done := make(chan struct{})
	go func() {
		st, err = RunLines(ctx, &Session{}, []Step{&askStep{fakeStep: fakeStep{id: "a"}}}, NewPrompter(ctx, pr, io.Discard))
		close(done)
	}()
	cancel()
	<-done
	if st != StateAborted || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: state %v err %v", st, err)
	}
}

// askStep asks questions until the input ends.
type askStep struct {
	fakeStep
	answers []string
}

func (a *askStep) Prompt(_ *Session, p *Prompter) (tea.Msg, error) {
	for {
		s, err := p.Ask("Q", "")
		if err != nil {
			return nil, err
		}
		a.answers = append(a.answers, s)
	}
}

func TestPrompterAnswers(t *testing.T) {
	var out strings.Builder
	p := NewPrompter(context.Background(), strings.NewReader("9\nx\n2\nmaybe\ny\n\nsecret\n"), &out)
	i, err := p.Choose("Pick", []string{"one", "two"}, 0)
	if err != nil || i != 1 {
		t.Fatalf("Choose = %d, %v; want 1 after two refusals", i, err)
	}
	yes, err := p.YesNo("Sure?", false)
	if err != nil || !yes {
		t.Fatalf("YesNo = %v, %v", yes, err)
	}
	def, err := p.Text("Name", "dflt", nil)
	if err != nil || def != "dflt" {
		t.Fatalf("Text default = %q, %v", def, err)
	}
	sec, err := p.Secret("Secret", false)
	if err != nil || sec != "secret" {
		t.Fatalf("Secret = %q, %v", sec, err)
	}
	if strings.Count(out.String(), "Please enter a number from 1 to 2.") != 2 || strings.Count(out.String(), "secret") != 0 {
		t.Errorf("output:\n%s", out.String())
	}
	if _, err := p.Ask("More", ""); !errors.Is(err, ErrInputEnded) {
		t.Errorf("after the input ended: %v, want ErrInputEnded", err)
	}
}

// TestHomeRunsFlows: the home screen starts a flow, esc on its first step comes back, and a
// finished flow is reported to home without ending the program.
func TestHomeRunsFlows(t *testing.T) {
	home := &fakeStep{id: "home"}
	m := New(context.Background(), &Session{}, nil, Options{Home: home})
	m.Init()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if m.Current() != home {
		t.Fatalf("current %v, want home", m.Current().ID())
	}
	a, b := &fakeStep{id: "a"}, &fakeStep{id: "b"}
	m.Update(StartFlowMsg{Steps: []Step{a, b}})
	if m.Current() != a || !strings.Contains(m.View().Content, "Step 1 of 2") {
		t.Fatalf("flow did not start: current %s", m.Current().ID())
	}
	m.Update(BackMsg{From: "a"})
	if m.Current() != home || m.State() != StateRunning {
		t.Fatalf("esc on the first step: current %s state %v, want home running", m.Current().ID(), m.State())
	}
	ended, ok := home.got[len(home.got)-1].(FlowEndedMsg)
	if !ok || ended.State != StateAborted {
		t.Fatalf("home got %T, want FlowEndedMsg aborted", home.got[len(home.got)-1])
	}
	m.Update(StartFlowMsg{Steps: []Step{a, b}})
	m.Session().Draft.Saved = true
	m.Update(NextMsg{From: "a"})
	m.Update(NextMsg{From: "b"})
	if m.Current() != home || m.State() != StateRunning || len(m.Session().Finished) != 1 {
		t.Fatalf("finished flow: current %s state %v finished %d", m.Current().ID(), m.State(), len(m.Session().Finished))
	}
	if ended := home.got[len(home.got)-1].(FlowEndedMsg); ended.State != StateDone || !ended.Draft.Saved {
		t.Errorf("home got %+v, want done and saved", ended)
	}
	m.Update(press("ctrl+c"))
	if m.State() != StateDone {
		t.Errorf("ctrl+c on home: state %v, want done", m.State())
	}
}
