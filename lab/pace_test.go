package lab

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// starve leaves the lab one CPU shared with n goroutines that never rest:
// a workshop laptop with a browser, a video call and a build running.
func starve(t *testing.T, n int) {
	t.Helper()
	old := runtime.GOMAXPROCS(1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			var x atomic.Uint64
			for {
				select {
				case <-stop:
					return
				default:
					for range 1000 {
						x.Add(1)
					}
				}
			}
		})
	}
	t.Cleanup(func() {
		close(stop)
		wg.Wait()
		runtime.GOMAXPROCS(old)
	})
}

// On a machine that cannot keep up with 20x the lab notices, says so,
// slows its clock, and once it has, shows no error the modelled system
// would not have: the shop at 300/s fails nothing at 1x, and fails nothing
// here. (Until the lab notices, a fraction of a second, some may fail:
// that is logged.)
func TestStarvedLabSlowsDownAndInventsNoErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("runs seconds of wall time on a starved CPU")
	}
	p, err := LoadPreset("shop")
	if err != nil {
		t.Fatal(err)
	}
	l, err := New(Config{Preset: p, Seed: 3, Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Stop()
	sub := l.Subscribe(false)
	defer sub.Unsubscribe()
	starve(t, 3)
	if err := l.Exec("load 300/s", SourceScript); err != nil {
		t.Fatal(err)
	}
	// Until it has slowed down and kept up for a second.
	settle := func(within time.Duration) (Snapshot, bool) {
		deadline := time.Now().Add(within)
		var s Snapshot
		for calm := 0; time.Now().Before(deadline); {
			time.Sleep(100 * time.Millisecond)
			s = l.Snapshot()
			if s.Pace.Cuts > 0 && s.Pace.Lag < time.Duration(float64(paceBehind)*s.Speed) {
				if calm++; calm == 10 {
					return s, true
				}
			} else {
				calm = 0
			}
		}
		return s, false
	}
	s, ok := settle(30 * time.Second)
	if s.Pace.Cuts == 0 || !s.Pace.Behind(s.Speed) {
		t.Fatalf("the lab did not slow down on a starved CPU: running ×%g of ×%g", s.Speed, s.Pace.Asked)
	}
	// Then a stretch of lab time at the slower speed: no request may fail.
	// (A stretch in which the lab had to slow down again is retried: a
	// machine busier still, from the other tests, is not the lab's error.)
	checked := false
	for try := 0; ok && try < 3 && !checked; try++ {
		before := s
		mustExec(t, l, "wait 2s")
		s = l.Snapshot()
		if s.Pace.Cuts != before.Pace.Cuts {
			s, ok = settle(30 * time.Second)
			continue
		}
		failed, total := s.Requests.Errors-before.Requests.Errors, s.Requests.Total-before.Requests.Total
		t.Logf("asked ×%g, running ×%.3g after %d slow-downs (lag %v); %d requests failed while it caught up, then %d of %d",
			s.Pace.Asked, s.Speed, s.Pace.Cuts, s.Pace.Lag, before.Requests.Errors, failed, total)
		if total < 400 {
			t.Fatalf("only %d requests in 2 lab seconds at 300/s", total)
		}
		if failed > 0 {
			t.Errorf("%d of %d requests failed after the lab slowed down; the modelled shop at 300/s fails none", failed, total)
		}
		checked = true
	}
	if !checked {
		t.Skipf("the machine stayed too busy for the lab to settle (running ×%.3g, lag %v): nothing to check", s.Speed, s.Pace.Lag)
	}
	if v, _ := l.Value("lab.speed.asked"); v != 20 {
		t.Errorf("lab.speed.asked = %v, want 20", v)
	}
	if v, _ := l.Value("lab.slowdowns"); v < 1 {
		t.Errorf("lab.slowdowns = %v", v)
	}
	told := false
	for _, e := range sub.Drain() {
		if e.Kind == KindState && e.Component == "clock" && strings.Contains(e.Detail, "cannot keep up with ×20") {
			told = true
		}
	}
	if !told {
		t.Error("no event said the lab slowed down")
	}
}

func TestRunWarnsOnceForEachSlowDown(t *testing.T) {
	var out strings.Builder
	r := &scriptRun{opt: RunOptions{Out: &out}}
	s := Snapshot{T: 3 * time.Second, Speed: 12, Pace: PaceStats{Asked: 20, Cuts: 1, Lag: 2 * time.Second}}
	writeTick(r.opt, s, false, nil, r.paceWarning(s))
	writeTick(r.opt, s, false, nil, r.paceWarning(s)) // the same slow-down: told once
	got := out.String()
	if strings.Count(got, "warning: the machine cannot keep up with ×20: the lab slowed its clock to ×12") != 1 {
		t.Errorf("want one warning:\n%s", got)
	}
	if strings.Count(got, "[behind: ×20 asked, running ×12]") != 2 {
		t.Errorf("every summary line should say the lab runs behind:\n%s", got)
	}
	out.Reset()
	s.Pace.Cuts = 2
	writeTick(RunOptions{Out: &out, JSON: true}, s, false, nil, r.paceWarning(s))
	if !strings.Contains(out.String(), `"warning":"the machine cannot keep up`) || !strings.Contains(out.String(), `"lab.speed.asked":20`) {
		t.Errorf("JSON line without the warning or the asked speed: %s", out.String())
	}
}
