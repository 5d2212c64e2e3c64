package cli

import (
	"errors"
	"fmt"
	"testing"

	"cxone-auth/auth"
	"cxone-auth/steps"
	"cxone-auth/store"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"usage", usageError("bad flag"), 2},
		{"cancelled", fmt.Errorf("wizard: %w", steps.ErrCancelled), 130},
		{"not found", &profileNotFound{name: "x"}, 4},
		{"store not found", fmt.Errorf("load: %w", store.ErrNotFound), 4},
		{"invalid client", &auth.RejectedError{Kind: auth.KindInvalidClient}, 3},
		{"invalid grant wrapped", fmt.Errorf("check: %w", &auth.RejectedError{Kind: auth.KindInvalidGrant}), 3},
		{"unauthorized", &auth.RejectedError{Kind: auth.KindUnauthorized}, 3},
		{"server", &auth.ServerError{Status: 503}, 1},
		{"timeout", &auth.TimeoutError{URL: "u"}, 1},
		{"network", &auth.NetworkError{URL: "u", Err: errors.New("refused")}, 1},
		{"plain", errors.New("disk full"), 1},
		{"explicit", &exitError{code: 127}, 127},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestCheckExitCodeAll(t *testing.T) {
	rej := checkEntry{Status: statusRejected, err: &auth.RejectedError{Kind: auth.KindInvalidGrant}}
	fail := checkEntry{Status: statusError, err: &auth.ServerError{Status: 500}}
	ok := checkEntry{Status: statusValid}
	miss := checkEntry{Status: statusMissing, err: &profileNotFound{name: "x"}}
	tests := []struct {
		name    string
		entries []checkEntry
		want    int
	}{
		{"none", nil, 4},
		{"one valid", []checkEntry{ok}, 0},
		{"one rejected", []checkEntry{rej}, 3},
		{"one failed", []checkEntry{fail}, 1},
		{"one missing", []checkEntry{miss}, 4},
		{"all valid", []checkEntry{ok, ok}, 0},
		{"rejected beats failed", []checkEntry{fail, rej, ok}, 3},
		{"failed", []checkEntry{ok, fail}, 1},
		{"missing among many is a failure", []checkEntry{ok, miss}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkExitCode(tt.entries); got != tt.want {
				t.Errorf("checkExitCode = %d, want %d", got, tt.want)
			}
		})
	}
}
