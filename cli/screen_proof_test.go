package cli

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/steps"
	"cxone-auth/steps/wizardtest"
	"cxone-auth/ui"
	"cxone-auth/ui/uitest"
)

// syncScreen drives a screen in-process and synchronously, with its real dependencies: every
// command runs at once and its messages are fed back (batches expanded), except the spinner's
// ticks, which would loop for as long as a row is checking, and tea.Quit. So a key that starts
// a live check returns once its results are on the screen, and nothing of the program's own
// (its renderer, its input reader) runs beside the test.
type syncScreen struct {
	t testing.TB
	m *ui.Model
}

func newSyncScreen(t testing.TB, m *ui.Model, w, h int) *syncScreen {
	t.Helper()
	s := &syncScreen{t: t, m: m}
	s.run(m.Init())
	s.send(tea.WindowSizeMsg{Width: w, Height: h})
	return s
}

func (s *syncScreen) run(cmd tea.Cmd) {
	s.t.Helper()
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing
		s.t.Fatalf("a command of the screen did not return within 30s:\n%s", s.view())
	}
	switch msg := msg.(type) {
	case nil, spinner.TickMsg, tea.QuitMsg:
	case tea.BatchMsg:
		for _, c := range msg {
			s.run(c)
		}
	default:
		s.send(msg)
	}
}

func (s *syncScreen) send(msg tea.Msg) {
	s.t.Helper()
	_, cmd := s.m.Update(msg)
	s.run(cmd)
}

func (s *syncScreen) keys(keys ...string) {
	s.t.Helper()
	for _, k := range keys {
		s.send(uitest.Press(k))
	}
}

func (s *syncScreen) view() string { return ansi.Strip(s.m.View().Content) }

// TestScreenChecksRecordedBeforeShown: the profiles screen's checks record their results in
// batches, and a result reaches the screen only once it is in the config. Otherwise a row could
// show a status that the config does not have yet, and go back to the older one when the
// screen reads the list again after an action (make default, remove, a flow's end) while the
// other checks still run.
func TestScreenChecksRecordedBeforeShown(t *testing.T) {
	e := newCLIEnv(t, cxonetest.Config{})
	names := e.setupProfiles(20)
	f, _ := newTTYFactory(t, e, "")
	s, err := f.Store()
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC().Truncate(time.Second)
	var mu sync.Mutex
	got := map[string]int{}
	profileManager{f}.CheckEach(context.Background(), names, func(res steps.ProfileCheck) {
		mu.Lock()
		got[res.Name]++
		mu.Unlock()
		m, err := s.Meta(res.Name)
		switch {
		case err != nil:
			t.Errorf("%s: %v", res.Name, err)
		case res.Status != statusValid || res.Err != nil:
			t.Errorf("%s: %s %v, want valid", res.Name, res.Status, res.Err)
		case m.LastCheckStatus != res.Status || !m.LastCheckAt.Equal(res.CheckedAt) || m.LastCheckAt.Before(before):
			t.Errorf("%s reached the screen (%s at %s) before the config had it (%q at %s)",
				res.Name, res.Status, res.CheckedAt, m.LastCheckStatus, m.LastCheckAt)
		}
	})
	for _, n := range names {
		if got[n] != 1 {
			t.Errorf("%s: %d results, want 1", n, got[n])
		}
	}
}

// TestProfilesScreenSoak leaves the profiles screen open for ten minutes of simulated time
// with 20 profiles, against the emulator: each minute every row is checked again (c on each,
// as a person coming back to the screen would), with the results arriving and recorded. The
// screen has no clock of its own but the ages it shows, so a minute is a round of re-checks.
// Goroutines and the heap in use must be what they were after a warm-up of two rounds: a
// check that left a goroutine, a connection, a timer or a row behind would grow them by
// hundreds here. The figures are logged. As with TestSoak, CXONE_SOAK_SCALE divides the
// number of rounds, 10 unless set (never fewer than two rounds); the full soak is
// CXONE_SOAK_SCALE=1 go test ./cli -run Soak -v.
func TestProfilesScreenSoak(t *testing.T) {
	scale := envCount(t, "CXONE_SOAK_SCALE", 10)
	minutes := max(10/scale, 2)
	e := newCLIEnv(t, cxonetest.Config{})
	names := e.setupProfiles(20)
	f, _ := newTTYFactory(t, e, "")
	m := wizardtest.NewHomeModel(f.wizardDeps(), f.stepsConfig()).(*ui.Model)
	scr := newSyncScreen(t, m, 100, 40) // every row on the screen
	checks := 0
	settled := func(when string) {
		t.Helper()
		v := scr.view()
		if n := strings.Count(v, "✓ valid"); n != len(names) || strings.Contains(v, "checking") {
			t.Fatalf("%s: %d rows valid of %d:\n%s", when, n, len(names), v)
		}
		// The emulator lives in this process too: it forgets what it recorded and issued, so
		// only the screen's own memory is measured.
		e.srv.ResetRequests()
		e.srv.RevokeTokens()
	}
	settled("on opening")
	minute := func(i int) {
		t.Helper()
		for range names {
			scr.keys("c", "down")
			checks++
		}
		for range names {
			scr.keys("up")
		}
		settled("minute " + strconv.Itoa(i))
	}
	for i := range 2 { // warm-up
		minute(i)
	}
	g0, h0 := settle(0)

	start := time.Now()
	for i := range minutes {
		minute(2 + i)
	}
	took := time.Since(start)
	g1, h1 := settle(g0 + 5)

	t.Logf("profiles screen, %d profiles: %d minutes of re-checks (%d checks in all, with the opening's and the warm-up's) in %s",
		len(names), minutes, checks+len(names), took.Round(time.Millisecond))
	t.Logf("goroutines: %d after warm-up, %d at the end; heap in use: %.1f MiB after warm-up, %.1f MiB at the end",
		g0, g1, float64(h0)/(1<<20), float64(h1)/(1<<20))
	if g1 > g0+5 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	if h1 > h0+h0/2+(2<<20) {
		t.Errorf("heap in use grew from %.1f MiB to %.1f MiB", float64(h0)/(1<<20), float64(h1)/(1<<20))
	}
}
