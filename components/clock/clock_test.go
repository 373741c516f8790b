package clock

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestNowRunsAtSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(4)
		start := c.Now()
		time.Sleep(time.Second)
		if got := c.Now().Sub(start); got != 4*time.Second {
			t.Fatalf("after 1s wall at 4x: lab advanced %v, want 4s", got)
		}
	})
}

func TestSetSpeedDoesNotJump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(1)
		start := c.Now()
		time.Sleep(2 * time.Second)
		c.SetSpeed(10)
		if got := c.Now().Sub(start); got != 2*time.Second {
			t.Fatalf("lab time after speed change = %v, want 2s", got)
		}
		time.Sleep(time.Second)
		if got := c.Now().Sub(start); got != 12*time.Second {
			t.Fatalf("lab time 1s after 10x = %v, want 12s", got)
		}
	})
}

func TestSleepUntilReaimsOnSpeedChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(1)
		deadline := c.Now().Add(10 * time.Second)
		woke := make(chan time.Duration)
		wallStart := time.Now()
		go func() {
			c.SleepUntil(deadline, nil)
			woke <- time.Since(wallStart)
		}()
		time.Sleep(2 * time.Second) // 8s of lab time left
		c.SetSpeed(4)               // 8s lab at 4x = 2s wall
		if got := <-woke; got != 4*time.Second {
			t.Fatalf("woke after %v wall, want 4s", got)
		}
		if c.Now().Before(deadline) {
			t.Fatalf("woke before deadline")
		}
	})
}

func TestSleepStopsOnDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(1)
		done := make(chan struct{})
		go func() { time.Sleep(time.Second); close(done) }()
		if c.Sleep(time.Hour, done) {
			t.Fatal("Sleep reported the full hour elapsed after done closed")
		}
	})
}

func TestPastDeadlineReturnsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(1)
		before := time.Now()
		if !c.SleepUntil(c.Now().Add(-time.Second), nil) {
			t.Fatal("past deadline not reported as reached")
		}
		if time.Since(before) != 0 {
			t.Fatal("slept on a past deadline")
		}
	})
}

func TestSpeedClamped(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{{0, MinSpeed}, {-3, MinSpeed}, {100, MaxSpeed}, {2.5, 2.5}} {
		c := New(tc.in)
		if c.Speed() != tc.want {
			t.Errorf("New(%v).Speed() = %v, want %v", tc.in, c.Speed(), tc.want)
		}
	}
}

func BenchmarkNow(b *testing.B) {
	c := New(1)
	for b.Loop() {
		c.Now()
	}
}

// A deadline that is not a whole number of wall nanoseconds away at the
// current speed must still be reached (it once computed a 0 ns timer and
// spun forever under synctest).
func TestSleepUntilOffTickAtSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(10)
		deadline := c.Now().Add(5*time.Millisecond + 3)
		if !c.SleepUntil(deadline, nil) || c.Now().Before(deadline) {
			t.Fatal("woke before an off-tick deadline")
		}
	})
}

func TestFreezeStopsNowAndSleepers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(2)
		time.Sleep(time.Second)
		if !c.Freeze() || c.Freeze() {
			t.Fatal("Freeze: want true the first time, false on a frozen clock")
		}
		at := c.Now()
		woke := make(chan time.Time, 1)
		go func() {
			c.SleepUntil(at.Add(time.Millisecond), nil)
			woke <- c.Now()
		}()
		time.Sleep(time.Hour)
		if got := c.Now(); !got.Equal(at) {
			t.Fatalf("lab time moved %v while frozen", got.Sub(at))
		}
		select {
		case <-woke:
			t.Fatal("a sleeper woke while the clock was frozen")
		default:
		}
		if !c.Frozen() {
			t.Fatal("Frozen() = false while frozen")
		}
		if !c.Thaw() || c.Thaw() {
			t.Fatal("Thaw: want true the first time, false on a running clock")
		}
		if got := c.Now(); !got.Equal(at) {
			t.Fatalf("thaw jumped lab time by %v", got.Sub(at))
		}
		wallBefore := time.Now()
		got := <-woke
		if d := time.Since(wallBefore); d != 500*time.Microsecond {
			t.Fatalf("sleeper woke %v after thaw, want 0.5ms (1ms of lab time at 2x)", d)
		}
		if got.Sub(at) != time.Millisecond {
			t.Fatalf("sleeper woke at +%v, want +1ms", got.Sub(at))
		}
	})
}

func TestFreezePastDeadlineAndSpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := New(1)
		start := c.Now()
		time.Sleep(time.Second)
		c.Freeze()
		if !c.SleepUntil(start, nil) {
			t.Fatal("a past deadline must return at once on a frozen clock")
		}
		done := make(chan struct{})
		go func() { time.Sleep(time.Second); close(done) }()
		if c.Sleep(time.Millisecond, done) {
			t.Fatal("Sleep reported its deadline reached on a frozen clock")
		}
		c.SetSpeed(4) // the speed after the thaw; still frozen
		if !c.Frozen() || c.Speed() != 4 {
			t.Fatalf("SetSpeed on a frozen clock: frozen %v speed %v", c.Frozen(), c.Speed())
		}
		time.Sleep(time.Second)
		c.Thaw()
		time.Sleep(time.Second)
		if got := c.Now().Sub(start); got != 5*time.Second {
			t.Fatalf("lab time = %v, want 1s before the freeze + 4s after at 4x", got)
		}
	})
}
