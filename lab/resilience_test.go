package lab

import (
	"math"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// callTotals reads callee c's counters since the start: original calls,
// those that failed after their retries, and attempts.
func callTotals(l *Lab, c callee) (made, failed, tries float64) {
	return float64(l.calls.made[c].Load()), float64(l.calls.failed[c].Load()), float64(l.calls.tries[c].Load())
}

// Payments failing each call independently with probability p, retried up
// to N attempts: over a long run the success ratio is 1−p^N and the
// attempts per call (1−p^N)/(1−p), at 1x and at 20x.
func TestRetryAgainstTheory(t *testing.T) {
	for _, speed := range []float64{1, 20} {
		for _, tt := range []struct {
			p string
			f float64
			n int
		}{{"50%", 0.5, 3}, {"30%", 0.3, 2}} {
			synctest.Test(t, func(t *testing.T) {
				l := newLab(t, "shop", speed, nil)
				mustExec(t, l, "breaker payments off", "errors payments "+tt.p,
					"retry payments attempts="+string(rune('0'+tt.n))+" backoff=5ms max=50ms jitter=full",
					"load 500/s reads=50%", "wait 200s")
				made, failed, tries := callTotals(l, calleePayments)
				l.Stop()
				pn := math.Pow(tt.f, float64(tt.n))
				success, amp := (made-failed)/made, tries/made
				t.Logf("%gx p=%g N=%d: %g calls, success %.4f (1−p^N %.4f), amplification %.4f ((1−p^N)/(1−p) %.4f)",
					speed, tt.f, tt.n, made, success, 1-pn, amp, (1-pn)/(1-tt.f))
				if made < 5000 {
					t.Fatalf("only %g calls to payments", made)
				}
				if want := 1 - pn; math.Abs(success-want) > 0.02*want {
					t.Errorf("%gx p=%g N=%d: success %.4f, want 1−p^N = %.4f (%g calls)", speed, tt.f, tt.n, success, want, made)
				}
				if want := (1 - pn) / (1 - tt.f); math.Abs(amp-want) > 0.02*want {
					t.Errorf("%gx p=%g N=%d: amplification %.4f, want (1−p^N)/(1−p) = %.4f", speed, tt.f, tt.n, amp, want)
				}
			})
		}
	}
}

// The metrics say the same over their window, and the snapshot carries
// the policy.
func TestRetryMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "breaker payments off", "errors payments 50%", "retry payments attempts=2 backoff=10ms", "load 500/s reads=50%", "wait 30s",
			"expect retry.max_attempts{name=payments} == 2",
			"expect retry.amplification{name=payments} > 1.35",
			"expect retry.amplification{name=payments} < 1.65",
			"expect retry.success_ratio{name=payments} > 65%",
			"expect retry.success_ratio{name=payments} < 85%",
			"expect retry.attempts.rate{name=payments} > 50",
			"expect retry.amplification{name=db} == 1",
			"expect retry.budgeted{name=payments} == 0")
		snap := l.Snapshot()
		c := snap.Call("payments")
		if c == nil || c.Retry.Attempts != 2 || c.Retry.Base != 10*time.Millisecond || c.Budget != 0 || c.Timeout != time.Second {
			t.Fatalf("payments in the snapshot: %+v", c)
		}
		mustExec(t, l, "retry payments off", "wait 6s", "expect retry.max_attempts{name=payments} == 1", "expect retry.amplification{name=payments} == 1")
		l.Stop()
	})
}

// A payments outage with five attempts a call makes five calls a call; a
// budget of 10% holds it near 1.1, and counts what it refused.
func TestRetryBudgetInTheLab(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "breaker payments off", "errors payments 100%", "retry payments attempts=5", "load 500/s reads=50%", "wait 10s",
			"expect retry.amplification{name=payments} > 4.9",
			"retry payments budget=10%", "wait 30s",
			"expect retry.amplification{name=payments} < 1.12",
			"expect retry.budgeted{name=payments} > 10",
			"expect retry.max_attempts{name=payments} == 5")
		l.Stop()
	})
}

// A hung dependency holds every caller for the whole deadline; a shorter
// deadline frees them sooner. The call fails at the deadline, counted as a
// timeout, while a slow server goes on with the work nobody waits for.
func TestTimeouts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "breaker payments off", "load 200/s reads=50%", "hang payments", "wait 10s",
			"expect timeout.after{name=payments} == 1000",
			"expect timeout.count{name=payments} > 10",
			"expect latency.failed.p50 >= 990ms",
			"timeout payments 100ms", "wait 10s",
			"expect timeout.after{name=payments} == 100",
			"expect latency.failed.p50 < 110ms",
			"expect latency.failed.p50 >= 95ms",
			// Wasted work: payments 300 ms slow, callers leave after 100.
			"hang payments off", "slow payments +300ms", "wait 10s",
			"expect timeout.count{name=payments} > 15",
			"expect errors.ratio > 5%",
			"expect backend.service.mean{backend=payments} > 300ms")
		// The client's deadline for the web tier.
		mustExec(t, l, "slow payments off", "slow web-1 +300ms", "slow web-2 +300ms", "slow web-3 +300ms", "timeout web 100ms", "wait 10s",
			"expect timeout.count{name=web} > 50",
			"expect timeout.after{name=web} == 100")
		l.Stop()
	})
}

func TestTimeoutRetryParseErrors(t *testing.T) {
	tests := []struct {
		line, msg string
	}{
		{"timeout payments", "missing D"},
		{"timeout cache 1s", `"cache"`},
		{"timeout payments 0s", "out of range 1ms..10m0s"},
		{"timeout payments -1s", "out of range"},
		{"timeout payments NaN", "not a duration"},
		{"timeout payments Inf", "not a duration"},
		{"timeout payments 9999h", "out of range"},
		{"retry payments", "nothing to change"},
		{"retry web attempts=3", `"web"`},
		{"retry payments attempts=0", "out of range 1..10"},
		{"retry payments attempts=1e9", "attempts"},
		{"retry payments attempts=NaN", "attempts"},
		{"retry payments backoff=-5ms", "out of range"},
		{"retry payments backoff=Inf", "not a duration"},
		{"retry payments max=2h", "out of range"},
		{"retry payments jitter=wild", "jitter"},
		{"retry payments budget=0%", "no retries at all"},
		{"retry payments budget=150%", "out of range"},
		{"retry payments budget=NaN", "budget"},
	}
	for _, tt := range tests {
		wantSyntaxError(t, tt.line, tt.msg)
	}
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "retry payments attempts=3 backoff=20ms budget=20%")
		snap := l.Snapshot()
		before := *snap.Call("payments")
		for _, line := range []string{
			"retry payments off attempts=2",
			"retry payments backoff=2s max=1s",
		} {
			if err := l.Exec(line, SourceTyped); err == nil {
				t.Errorf("%s: accepted", line)
			}
		}
		if snap := l.Snapshot(); snap.Call("payments").Retry != before.Retry || snap.Call("payments").Budget != before.Budget {
			t.Errorf("a refused line changed the policy: %+v → %+v", before.Retry, snap.Call("payments").Retry)
		}
		// Retuning keeps what is not given.
		mustExec(t, l, "retry payments jitter=equal")
		snap = l.Snapshot()
		if c := snap.Call("payments"); c.Retry.Attempts != 3 || c.Retry.Base != 20*time.Millisecond || c.Budget != 0.2 || c.Retry.Jitter.String() != "equal" {
			t.Errorf("retuned: %+v budget %g", c.Retry, c.Budget)
		}
		mustExec(t, l, "retry payments budget=off")
		snap = l.Snapshot()
		if c := snap.Call("payments"); c.Budget != 0 {
			t.Errorf("budget off: %g", c.Budget)
		}
		l.Stop()
	})
	// A preset without the tier.
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, func(p *Preset) { p.Payments, p.Orders = nil, nil })
		if err := l.Exec("retry payments attempts=2", SourceTyped); err == nil || !strings.Contains(err.Error(), "no payments tier") {
			t.Errorf("retry without payments: %v", err)
		}
		if err := l.Exec("timeout payments 1s", SourceTyped); err == nil {
			t.Error("timeout without payments accepted")
		}
		l.Stop()
	})
}

// A retried call's attempts are siblings in the trace, each a span under
// the web server's, in the order they were made.
func TestRetriesAreSiblingSpans(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "trace sample 100%", "breaker payments off", "errors payments 100%",
			"retry payments attempts=3 backoff=5ms max=50ms jitter=none", "load 50/s reads=0%", "wait 3s")
		found := 0
		traces, _ := l.TracesSince(0)
		for _, f := range traces {
			var attempts []int
			for i, s := range f.Spans {
				if s.Name == "payments" {
					attempts = append(attempts, i)
				}
			}
			if len(attempts) == 0 {
				continue
			}
			found++
			if len(attempts) != 3 {
				t.Fatalf("a checkout against failing payments has %d payments spans, want 3 attempts", len(attempts))
			}
			first := f.Spans[attempts[0]]
			for k, i := range attempts[1:] {
				s := f.Spans[i]
				if s.Parent != first.Parent || s.Start.Before(f.Spans[attempts[k]].End) {
					t.Fatalf("attempt %d: parent %v (first's %v), starts %v after the previous ended; want siblings in order", k+2, s.Parent, first.Parent, s.Start.Sub(f.Spans[attempts[k]].End))
				}
			}
			if first.Parent == f.Root.SpanID {
				t.Fatal("the attempts hang under the root, not under the web server's span")
			}
		}
		if found == 0 {
			t.Fatal("no checkout traced")
		}
	})
}
