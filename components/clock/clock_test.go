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
