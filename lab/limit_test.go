package lab

import (
	"math"
	"testing"
	"testing/synctest"
)

// At the edge, a token bucket of rate r and burst b admits at most r·t + b
// requests over t, and nearly that when offered more; the rest are refused
// at once, counted as limited and not as errors. At 1x and 20x.
func TestLimitAdmitsRateTimesTPlusBurst(t *testing.T) {
	for _, speed := range []float64{1, 20} {
		synctest.Test(t, func(t *testing.T) {
			l := newLab(t, "shop", speed, nil)
			mustExec(t, l, "load 1000/s reads=95%", "limit 400/s burst=50")
			start := l.clock.Now()
			mustExec(t, l, "wait 60s")
			st := l.limiter.Load().Stats()
			span := l.clock.Now().Sub(start).Seconds()
			bound := 400*span + 50
			t.Logf("%gx: admitted %d over %.2fs; r·t+b = %.0f; refused %d", speed, st.Admitted, span, bound, st.Refused)
			if a := float64(st.Admitted); a > bound || a < 0.99*400*span {
				t.Errorf("%gx: admitted %g over %.2fs, want at most r·t+b = %g and about r·t", speed, a, span, bound)
			}
			if got, want := float64(st.Refused)/float64(st.Admitted+st.Refused), 0.6; math.Abs(got-want) > 0.02 {
				t.Errorf("%gx: refused share %.3f, want about 1 − 400/1000 = %.1f", speed, got, want)
			}
			mustExec(t, l,
				"expect limit.on == 1",
				"expect limit.rate == 400",
				"expect limit.rejected > 500",
				"expect limit.rejected < 700",
				"expect limited.ratio > 55%",
				"expect limited.ratio < 65%",
				"expect requests.rate > 370",
				"expect requests.rate < 430",
				"expect errors.ratio < 1%",
				"expect limit.tokens < 5")
			mustExec(t, l, "limit off", "wait 6s", "expect limit.on == 0", "expect limited.ratio == 0", "expect requests.rate > 900")
			l.Stop()
		})
	}
}

// Per key, a hot key is limited and the rest are not.
func TestLimitPerKey(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "load 500/s zipf=1.5 keys=1000 reads=95%", "limit 20/s burst=20 per=key", "wait 10s",
			"expect limit.rejected > 50",
			"expect limited.ratio < 60%",
			"expect requests.rate > 200")
		snap := l.Snapshot()
		if !snap.Limit.PerKey || snap.Limit.Keys < 100 {
			t.Errorf("per-key limiter: %+v", snap.Limit)
		}
		l.Stop()
	})
}

func TestLimitBadInput(t *testing.T) {
	for _, tt := range []struct{ line, msg string }{
		{"limit", "missing RATE/s"},
		{"limit NaN", "not a rate"},
		{"limit Inf/s", "not a rate"},
		{"limit -5/s", "not a rate"},
		{"limit 1e12/s", "above the most"},
		{"limit 100/s burst=0", "out of range"},
		{"limit 100/s burst=1e12", "burst"},
		{"limit 100/s burst=-1", "out of range"},
		{"limit 100/s per=ip", "per"},
		{"limit 100/s 200/s", "unexpected"},
	} {
		wantSyntaxError(t, tt.line, tt.msg)
	}
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "shop", 1, nil)
		mustExec(t, l, "limit 300/s burst=7")
		before := l.limiter.Load()
		for _, line := range []string{"limit 0/s", "limit off burst=3", "limit off per=key"} {
			if err := l.Exec(line, SourceTyped); err == nil {
				t.Errorf("%s: accepted", line)
			}
		}
		if l.limiter.Load() != before {
			t.Error("a refused line changed the limiter")
		}
		mustExec(t, l, "limit 0.5/s")
		if st := l.limiter.Load().Stats(); st.Burst != 1 || st.Rate != 0.5 {
			t.Errorf("limit 0.5/s: %+v, want burst 1", st)
		}
		l.Stop()
	})
}
