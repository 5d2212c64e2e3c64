package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// errCrashed stops a Save or Delete at a crash point, as a kill there would: the panic
// unwinds past every rollback, and only what was already written stays.
var errCrashed = errors.New("crashed")

// crashAt makes the store stop at step, and reports whether it got there.
func crashAt(t *testing.T, step string) *bool {
	reached := new(bool)
	crashPoint = func(s string) {
		if s == step {
			*reached = true
			panic(errCrashed)
		}
	}
	t.Cleanup(func() { crashPoint = func(string) {} })
	return reached
}

// run calls fn and recovers the crash.
func survive(fn func()) {
	defer func() {
		if r := recover(); r != nil && r != errCrashed {
			panic(r)
		}
	}()
	fn()
}

// profileState is a profile as the next command finds it: the identity of its config entry
// and of its keyring item (empty when absent), and whether Orphans reports it.
func profileState(t *testing.T, s *Store, name string) (entry, item string, orphan bool) {
	t.Helper()
	if m, err := s.Meta(name); err == nil {
		entry = m.ClientID
	}
	if sec, err := s.Load(context.Background(), name); err == nil {
		item = sec.ClientID
	} else if !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	o, err := s.Orphans(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return entry, item, slices.Contains(o, name)
}

// TestSaveKilledBetweenWrites: a save that replaces a profile's credentials, stopped after
// any of its writes, leaves the profile as it was, as saved, or as a keyring item without a
// config entry that Orphans reports; never a config entry naming other credentials than the
// keyring item.
func TestSaveKilledBetweenWrites(t *testing.T) {
	for _, step := range []string{"save: old entry taken out", "save: item written"} {
		t.Run(step, func(t *testing.T) {
			cfgDir, fileDir := dirs(t)
			s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
			ctx := context.Background()
			if err := s.Save(ctx, "p", testSecret("old"), testMeta("old")); err != nil {
				t.Fatal(err)
			}
			reached := crashAt(t, step)
			survive(func() { _ = s.Save(ctx, "p", testSecret("new"), testMeta("new")) })
			if !*reached {
				t.Fatalf("the save never reached %q", step)
			}
			next := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
			entry, item, orphan := profileState(t, next, "p")
			if entry != "" && entry != item {
				t.Errorf("config entry %q, keyring item %q: the profile is half saved", entry, item)
			}
			if entry == "" && item != "" && !orphan {
				t.Errorf("keyring item %q without a config entry, not reported by Orphans", item)
			}
			// The next save of the name settles it.
			crashPoint = func(string) {}
			if err := next.Save(ctx, "p", testSecret("new"), testMeta("new")); err != nil {
				t.Fatal(err)
			}
			if entry, item, orphan := profileState(t, next, "p"); entry != "client-id-new" || item != entry || orphan {
				t.Errorf("after saving again: entry %q, item %q, orphan %v", entry, item, orphan)
			}
		})
	}
}

// TestDeleteKilledBetweenWrites: a delete stopped between its two writes leaves a keyring
// item that Orphans reports (and a second delete removes), never a config entry without its
// credentials.
func TestDeleteKilledBetweenWrites(t *testing.T) {
	cfgDir, fileDir := dirs(t)
	s := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	ctx := context.Background()
	for _, n := range []string{"a", "p"} {
		if err := s.Save(ctx, n, testSecret(n), testMeta(n)); err != nil {
			t.Fatal(err)
		}
	}
	reached := crashAt(t, "delete: entry taken out")
	survive(func() { _ = s.Delete(ctx, "p") })
	if !*reached {
		t.Fatal("the delete never reached its crash point")
	}
	next := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
	entry, item, orphan := profileState(t, next, "p")
	if entry != "" && item == "" {
		t.Errorf("config entry %q without a keyring item", entry)
	}
	if entry == "" && item != "" && !orphan {
		t.Errorf("keyring item %q without a config entry, not reported by Orphans", item)
	}
	crashPoint = func(string) {}
	if err := next.Delete(ctx, "p"); err != nil {
		t.Fatalf("deleting the rest: %v", err)
	}
	if entry, item, orphan := profileState(t, next, "p"); entry != "" || item != "" || orphan {
		t.Errorf("after deleting again: entry %q, item %q, orphan %v", entry, item, orphan)
	}
}

// TestMigrationKilledAtEveryStep: a migration stopped after any of its steps leaves a keyring
// the next command opens whole: every profile reads back, and a later write works.
func TestMigrationKilledAtEveryStep(t *testing.T) {
	// Each step with the times it is passed (three items and no marker: three staged, four
	// moved with the marker the migration adds).
	steps := []struct {
		step string
		nth  []int
	}{{"migrate: item staged", []int{1, 3}}, {"migrate: staged", []int{1}}, {"migrate: header committed", []int{1}}, {"migrate: item moved", []int{1, 2, 4}}}
	for _, st := range steps {
		step := st.step
		for _, nth := range st.nth {
			t.Run(sprintf("%s #%d", step, nth), func(t *testing.T) {
				ctx := context.Background()
				cfgDir, fileDir := dirs(t)
				names := []string{"a", "b", "c"}
				legacyKeyring(t, fileDir, testPass, names...)
				seen := 0
				crashPoint = func(s string) {
					if s == step {
						if seen++; seen == nth {
							panic(errCrashed)
						}
					}
				}
				t.Cleanup(func() { crashPoint = func(string) {} })
				survive(func() { _, _ = newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn).Load(ctx, "a") })
				if seen < nth {
					t.Fatalf("step %q reached %d times, want %d", step, seen, nth)
				}
				crashPoint = func(string) {}
				next := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn)
				res := next.LoadMany(ctx, names)
				for _, n := range names {
					if r := res[n]; r.Err != nil || r.Secret != testSecret(n) {
						t.Errorf("after a kill at %q: %s = %v, %v", step, n, r.Secret, r.Err)
					}
				}
				if err := next.Save(ctx, "d", testSecret("d"), testMeta("d")); err != nil {
					t.Errorf("save after the kill: %v", err)
				}
				if got, err := newFileStore(t, cfgDir, fileDir, (&passCounter{pass: testPass}).fn).Load(ctx, "b"); err != nil || got != testSecret("b") {
					t.Errorf("b after the save: %v, %v", got, err)
				}
				if _, err := os.Lstat(filepath.Join(fileDir, migrateDirName)); err == nil {
					t.Errorf("the staging folder is left")
				}
			})
		}
	}
}
