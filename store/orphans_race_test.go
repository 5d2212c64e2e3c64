package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestOrphansDuringASaveAreNotReported is the race of `list` with a setup in another process:
// the setup has written its keyring item and not yet its config entry. Orphans (what `list`
// shows as "a setup was interrupted") must wait for the save rather than report its profile.
func TestOrphansDuringASaveAreNotReported(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	a := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	ctx := context.Background()
	if err := a.Save(ctx, "first", testSecret("first"), testMeta("first")); err != nil {
		t.Fatal(err)
	}
	paused, release := make(chan struct{}), make(chan struct{})
	crashPoint = func(step string) {
		if step == "save: item written" {
			close(paused)
			<-release
		}
	}
	t.Cleanup(func() { crashPoint = func(string) {} })
	saved := make(chan error, 1)
	go func() { saved <- a.Save(ctx, "x", testSecret("x"), testMeta("x")) }()
	select {
	case <-paused:
	case <-time.After(10 * time.Second):
		t.Fatal("the save never wrote its item")
	}

	b := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn) // another process's store
	listed := make(chan []string, 1)
	go func() {
		o, err := b.Orphans(ctx)
		if err != nil {
			t.Error(err)
		}
		listed <- o
	}()
	select {
	case o := <-listed:
		if slices.Contains(o, "x") {
			t.Fatalf("Orphans reported %v while the save of x was under way", o)
		}
	case <-time.After(300 * time.Millisecond): // waiting for the save's lock: right
	}
	close(release)
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-listed:
		if slices.Contains(o, "x") {
			t.Errorf("Orphans reported x after waiting for its save: %v", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Orphans never returned")
	}
}
