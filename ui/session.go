package ui

import (
	"context"

	"cxone-auth/auth"
)

// Session is what the engine hands down to every step: the window size, the styles, the keys,
// the base context and the draft being built. Steps write only the draft (and Touched).
type Session struct {
	Width, Height int
	Styles        *Styles
	Keys          KeyMap
	// Ctx is the base context of every command; it is cancelled when the wizard ends. A step
	// derives its own context.WithTimeout from it inside each command.
	Ctx context.Context
	// Draft is what the user has entered and what the check learnt. Nothing in it is written
	// anywhere before the save step.
	Draft *Draft
	// OpenURL opens a link in a browser; nil when there is none (SSH, no display).
	OpenURL func(string) error
	// Accessible is set for screen readers: no animation.
	Accessible bool
	// Touched is set by steps once the user has typed or pasted anything, so that ctrl+c asks
	// before throwing it away.
	Touched bool
	// Finished holds the drafts of the flows that saved a profile, in order, for the record
	// printed after the wizard.
	Finished []*Draft
}

// Draft is the profile being built. It is the one place the engine names CXone types (the
// credentials and the check result) so steps can share them.
type Draft struct {
	Profile      string
	Environment  string // "commercial", "fedramp" or "custom"
	Issuer       string
	Creds        auth.Credentials
	Result       *auth.Result // set by a successful check; cleared when a value changes
	Backend      string       // backend name ("file", "secret-service", ...)
	BackendLabel string       // how the save step showed it
	Saved        bool
	// Later is set when the person stopped on purpose to register an application first: the
	// wizard ends normally and says where to register.
	Later bool
	// Existing is set when the profile was stored before (the record says "Updated").
	Existing bool
	// OldAccessKeyID is the stored Access Key ID a rotation replaces, to be deactivated.
	OldAccessKeyID string
}

// Body sizes: the frame takes a header, a rule and a help line.

// BodyWidth is the width a step may use for its body.
func (s *Session) BodyWidth() int {
	w := s.Width - 2*margin(s.Width)
	if w < 1 {
		return 1
	}
	return w
}

// BodyHeight is how many rows the engine gives a step's body in the current window (with the
// one-line help), so a step can tell whether its full explanations fit or it should show its
// compact form.
func (s *Session) BodyHeight() int { return layoutOf(s.Height, 1).body }

func margin(w int) int {
	if w >= 40 {
		return 1
	}
	return 0
}
