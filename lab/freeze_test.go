package lab

import (
	"math"
	"testing"
	"testing/synctest"
	"time"
)

// freeze stops lab time for the whole lab: lab.time, arrivals and served
// requests hold still however long the wall clock runs, the pacer sees no
// lag in it, and thaw goes on at the rate asked, with no burst of the
// arrivals that would have fallen due meanwhile.
func TestFreezeHoldsTheLabAndThawMakesNoBurst(t *testing.T) {
	for _, speed := range []float64{1, 5} {
		t.Run(speedText(speed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				l := newLab(t, "shop", speed, nil)
				mustExec(t, l, "load 200/s constant", "wait 3s", "freeze")
				// What fell due by the frozen instant is done (an arrival
				// due at it may not have woken yet), then nothing moves.
				synctest.Wait()
				at := value(t, l, "lab.time")
				arrivals, served := l.m.arrivals.Load(), l.m.requests.Load()
				if value(t, l, "lab.frozen") != 1 {
					t.Fatal("lab.frozen is not 1 after freeze")
				}
				for range 10 {
					time.Sleep(time.Second) // wall time, frozen lab
					if got := value(t, l, "lab.time"); got != at {
						t.Fatalf("lab.time moved from %v to %v while frozen", at, got)
					}
				}
				if a, s := l.m.arrivals.Load(), l.m.requests.Load(); a != arrivals || s != served {
					t.Fatalf("while frozen: arrivals %d → %d, served %d → %d; want no change", arrivals, a, served, s)
				}
				if err := l.Exec("freeze", SourceTyped); err == nil {
					t.Error("a second freeze did not fail")
				}
				mustExec(t, l, "thaw")
				if got := value(t, l, "lab.time"); got != at {
					t.Fatalf("thaw moved lab.time from %v to %v", at, got)
				}
				mustExec(t, l, "wait 1s")
				n := float64(l.m.arrivals.Load() - arrivals)
				if math.Abs(n-200) > 2 {
					t.Fatalf("%v arrivals in the lab second after thaw, want 200 (no burst)", n)
				}
				if s := l.Snapshot(); s.Pace.Cuts != 0 || s.Speed != speed || s.Frozen {
					t.Fatalf("after thaw: %d slow-downs, speed %v, frozen %v; want none, %v, false", s.Pace.Cuts, s.Speed, s.Frozen, speed)
				}
				if err := l.Exec("thaw", SourceTyped); err == nil {
					t.Error("thaw on a running clock did not fail")
				}
			})
		})
	}
}
