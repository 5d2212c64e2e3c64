package cli

import (
	"testing"
	"time"
)

// TestUntilRenewal: a token is replaced when 5 minutes and the margin remain, never sooner
// than a second from now (a token born short-lived would otherwise be renewed in a busy loop),
// and one without an expiry every half hour.
func TestUntilRenewal(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		exp  time.Time
		want time.Duration
	}{
		{now.Add(time.Hour), time.Hour - refreshLead},
		{now.Add(refreshLead + 10*time.Second), 10 * time.Second},
		{now.Add(refreshLead), refreshMinWait},
		{now.Add(2 * time.Minute), refreshMinWait},
		{now.Add(-time.Minute), refreshMinWait},
		{time.Time{}, refreshUnknownLife},
	} {
		if got := untilRenewal(c.exp, now); got != c.want {
			t.Errorf("untilRenewal(now%+v) = %v, want %v", c.exp.Sub(now), got, c.want)
		}
	}
	if refreshLead <= 5*time.Minute {
		t.Errorf("refreshLead %v: the file must be renewed before its token has 5 minutes left", refreshLead)
	}
}
