package lab

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Scaling in drains: the drained server gets no new requests, finishes the
// ones it has — none fails — and only then is removed. Scaling out again
// brings it back under its name.
func TestScaleInDrainsWithoutFailing(t *testing.T) {
	for _, speed := range []float64{1, 20} {
		synctest.Test(t, func(t *testing.T) {
			l := newLab(t, "web", speed, nil)
			mustExec(t, l, "slow web-3 +200ms", "load 45/s", "wait 5s")
			if in := l.lb.Stats().Servers[2].InFlight; in == 0 {
				t.Fatal("web-3 has nothing in flight to drain")
			}
			errs := l.m.errors.Load()
			mustExec(t, l, "scale web 2",
				"expect web.draining == 1", "expect web.serving == 2", "expect web.count == 2")
			mustExec(t, l, "wait 3s", "expect web.draining == 0")
			if got := l.m.errors.Load(); got != errs {
				t.Errorf("%gx: %d requests failed during the drain", speed, got-errs)
			}
			snap := l.Snapshot()
			if snap.Server("web-3") != nil || strings.Join(l.webNames(), ",") != "web-1,web-2" {
				t.Errorf("web-3 still listed after its drain: %v", l.webNames())
			}
			if _, ok := snap.Value("lb.routed{backend=web-3}"); ok {
				t.Error("a removed server still has routing metrics")
			}
			mustExec(t, l, "scale web 3", "wait 6s",
				"expect web.count == 3",
				"expect lb.share{backend=web-3} > 0.25",
				"expect backend.rate{backend=web-3} > 8",
				"expect backend.health{backend=web-3} == up")
			if got := l.m.errors.Load(); got != errs {
				t.Errorf("%gx: %d requests failed", speed, got-errs)
			}
			l.Stop()
		})
	}
}

// A scale-out cancels a drain before it adds anything.
func TestScaleOutTakesBackDraining(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		mustExec(t, l, "hang web-3", "load 100/s", "wait 1s", "scale web 2", "expect web.draining == 1",
			"scale web 3", "expect web.draining == 0", "expect web.serving == 3")
		if n := len(*l.webs.Load()); n != 3 {
			t.Errorf("%d slots, want 3 (web-3 taken back, not a web-4)", n)
		}
		l.Stop()
	})
}

// The autoscaler holds utilisation near its target: 1500 req/s of 10 ms
// on 4-worker servers is 3.75 servers' worth of work, so at 50% it wants
// ceil(7.5) = 8. New servers warm up before taking traffic; scale-outs
// are a cooldown apart. When the load falls it scales in, and no request
// fails on the way.
func TestAutoscaleTracksTarget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		sub := l.Subscribe(false)
		mustExec(t, l, "load 1500/s", "autoscale web target=50% min=2 max=20 cooldown=10s warmup=3s", "wait 1500ms",
			"expect autoscale.on == 1",
			"expect autoscale.target == 0.5",
			"expect web.warming > 0",
			"expect lb.routed{backend=web-4} == 0",
			"wait 60s",
			"expect web.serving == 8",
			"expect autoscale.desired == 8",
			"expect web.warming == 0",
			"expect web.utilization > 0.4",
			"expect web.utilization < 0.5",
			"expect lb.routed{backend=web-8} > 100")
		errs := l.m.errors.Load()
		mustExec(t, l, "load 500/s", "wait 60s",
			"expect web.serving == 3", // ceil(1.25 servers' worth / 50%) = 3
			"expect web.draining == 0")
		if got := l.m.errors.Load(); got != errs {
			t.Errorf("%d requests failed while scaling in", got-errs)
		}
		mustExec(t, l, "autoscale off", "expect autoscale.on == 0", "expect autoscale.desired == 3", "load 1500/s", "wait 20s", "expect web.serving == 3")
		l.Stop()
		sub.Unsubscribe()
		var outs, ins []float64
		for _, e := range sub.Drain() {
			if e.Component != "autoscale" {
				continue
			}
			switch {
			case strings.Contains(e.Detail, "scale-out"):
				outs = append(outs, e.T)
			case strings.Contains(e.Detail, "scale-in"):
				ins = append(ins, e.T)
			}
		}
		if len(outs) < 2 || len(ins) < 1 {
			t.Fatalf("scale-outs at %v, scale-ins at %v", outs, ins)
		}
		for i := 1; i < len(outs); i++ {
			if gap := outs[i] - outs[i-1]; gap < 10-1e-6 {
				t.Errorf("scale-outs %.2fs apart, inside the 10 s cooldown: %v", gap, outs)
			}
		}
		last := outs[len(outs)-1]
		for _, in := range ins {
			if in-last < 10-1e-6 && in > last {
				t.Errorf("scale-in at %.2f, %.2fs after a scale-out", in, in-last)
			}
		}
	})
}

// min and max bound the fleet whatever the load.
func TestAutoscaleBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		mustExec(t, l, "load 3000/s", "autoscale web target=40% max=5 cooldown=2s warmup=0s", "wait 20s",
			"expect web.serving == 5", "expect autoscale.desired == 5",
			"load 10/s", "autoscale web min=4", "wait 20s", "expect web.serving == 4")
		l.Stop()
	})
}

func TestAutoscaleBadInput(t *testing.T) {
	for _, tt := range []struct{ line, msg string }{
		{"autoscale", "missing web or off"},
		{"autoscale web", "nothing to change"},
		{"autoscale web target=0%", "infinitely many"},
		{"autoscale web target=150%", "out of range"},
		{"autoscale web target=NaN", "target"},
		{"autoscale web target=50% min=0", "out of range 1..64"},
		{"autoscale web target=50% max=1000", "out of range 1..64"},
		{"autoscale web target=50% cooldown=-1s", "out of range"},
		{"autoscale web target=50% warmup=Inf", "not a duration"},
		{"autoscale off now", "takes nothing"},
		{"scale web 0", "out of range"},
		{"scale web 65", "out of range"},
	} {
		wantSyntaxError(t, tt.line, tt.msg)
	}
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		for _, line := range []string{"autoscale web min=3", "autoscale web target=50% min=6 max=3"} {
			if err := l.Exec(line, SourceTyped); err == nil {
				t.Errorf("%s: accepted", line)
			}
		}
		if snap := l.Snapshot(); snap.Fleet.Autoscale {
			t.Error("a refused line turned the autoscaler on")
		}
		mustExec(t, l, "autoscale web target=70% max=9", "autoscale web cooldown=1m")
		fs := l.Snapshot().Fleet
		if fs.Target != 0.7 || fs.Max != 9 || fs.Cooldown != time.Minute || fs.Warmup != defaultWarmup {
			t.Errorf("retuned: %+v", fs)
		}
		l.Stop()
	})
}

// The autoscaler's decision and the fleet's change are one step: with no
// cooldown, no snapshot shows a desired count the fleet has not taken (which
// would look like a cooldown holding it), even while it flaps.
func TestAutoscaleDesiredIsActedOnAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newLab(t, "web", 1, nil)
		mustExec(t, l, "load 1680/s", "scale web 7", "wait 5s", "autoscale web target=60% cooldown=0s warmup=5s")
		changes, last := 0, 7
		end := l.clock.Now().Add(60 * time.Second)
		for now := l.clock.Now(); now.Before(end); now = now.Add(10 * time.Millisecond) {
			l.clock.SleepUntil(now, l.stop)
			fs := l.Snapshot().Fleet
			if fs.Last == "" {
				continue
			}
			if n := fs.Serving + fs.Warming; fs.Desired != n {
				t.Fatalf("at %v: desired %d, but %d serving and %d warming, with no cooldown (%s)", l.Since(), fs.Desired, fs.Serving, fs.Warming, fs.Last)
			} else if n != last {
				changes, last = changes+1, n
			}
		}
		if changes < 4 {
			t.Errorf("the fleet changed %d times in 60 s at the edge between 7 and 8: no flapping to test against", changes)
		}
		l.Stop()
	})
}
