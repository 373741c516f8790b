// Package clock is the lab clock: the one source of time that every component
// stamps events with and sleeps on.
//
// A lab runs in real time, but at an adjustable speed: at 0.25x a 20 ms service
// time takes 80 ms of wall time (slow motion for a room to follow); at 10x a 30 s
// cache TTL passes in 3 s. Lab time is
//
//	lab = labBase + (wall − wallBase) × speed
//
// and every speed change re-bases both, so lab time never jumps. Sleepers wait
// for a lab-time deadline, not a duration: a sleeper that is woken late never
// pushes the next deadline back, so timer overshoot cannot accumulate, and a
// speed change wakes every sleeper to re-aim at its deadline at the new speed.
//
// Freeze stops lab time entirely, for an instructor to point at a moment:
// Now stays where it was, every sleeper waits (no deadline is reached, so
// no timer, arrival or timeout fires), and Thaw re-bases the clock on the
// wall clock so that lab time goes on from where it stopped, without a
// jump and so without a burst of whatever fell due in the meantime (it
// did not: no lab time passed).
//
// The idea is the "virtual clock" that discrete-event simulators and
// testing/synctest's fake time are built on, here with a real-time anchor.
package clock

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// MinSpeed and MaxSpeed bound the speed factor a lab accepts.
const (
	MinSpeed = 0.1
	MaxSpeed = 20.0
)

// Clock is a lab clock. It is safe for concurrent use; Now is lock-free.
type Clock struct {
	mu    sync.Mutex // serialises SetSpeed, Freeze and Thaw
	state atomic.Pointer[epoch]
	slack atomic.Int64 // wall ns: see SetSlack
}

// epoch is one stretch of constant speed, or of frozen time. It is
// immutable once published.
type epoch struct {
	wall    time.Time
	lab     time.Time
	speed   float64       // while frozen: the speed to run at after the thaw
	frozen  bool          // lab time stays at lab
	changed chan struct{} // closed when this epoch ends
}

// New returns a clock whose lab time starts now and runs at speed
// (clamped to [MinSpeed, MaxSpeed]).
func New(speed float64) *Clock {
	now := time.Now()
	c := &Clock{}
	c.state.Store(&epoch{wall: now, lab: now, speed: clamp(speed), changed: make(chan struct{})})
	return c
}

func clamp(x float64) float64 {
	switch {
	case x != x || x < MinSpeed: // NaN too
		return MinSpeed
	case x > MaxSpeed:
		return MaxSpeed
	}
	return x
}

// Now returns the current lab time.
func (c *Clock) Now() time.Time {
	e := c.state.Load()
	return e.at(time.Now())
}

func (e *epoch) at(wall time.Time) time.Time {
	if e.frozen {
		return e.lab
	}
	return e.lab.Add(time.Duration(float64(wall.Sub(e.wall)) * e.speed))
}

// Speed returns the current speed factor.
func (c *Clock) Speed() float64 { return c.state.Load().speed }

// SetSpeed changes the speed factor (clamped to [MinSpeed, MaxSpeed]) without
// a jump in lab time, and wakes every sleeper so it re-aims at its deadline.
// On a frozen clock it sets the speed lab time runs at after Thaw.
func (c *Clock) SetSpeed(x float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.state.Load()
	c.next(old, clamp(x), old.frozen)
}

// next publishes the epoch that follows old, starting now, and ends old.
// Callers hold c.mu.
func (c *Clock) next(old *epoch, speed float64, frozen bool) {
	wall := time.Now()
	c.state.Store(&epoch{wall: wall, lab: old.at(wall), speed: speed, frozen: frozen, changed: make(chan struct{})})
	close(old.changed)
}

// Freeze stops lab time: Now returns the same instant until Thaw, and no
// sleeper wakes (deadlines already past still return at once). It reports
// whether the clock was running (false: it was frozen already).
func (c *Clock) Freeze() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.state.Load()
	if old.frozen {
		return false
	}
	c.next(old, old.speed, true)
	return true
}

// Thaw starts lab time again from the instant it was frozen at, at the
// speed set last, and wakes every sleeper to re-aim at its deadline. It
// reports whether the clock was frozen.
func (c *Clock) Thaw() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.state.Load()
	if !old.frozen {
		return false
	}
	c.next(old, old.speed, false)
	return true
}

// Frozen reports whether lab time is stopped.
func (c *Clock) Frozen() bool { return c.state.Load().frozen }

// SetSlack sets how late, in wall time, the goroutines on this clock may
// be to do what is due: the scheduling delay of the machine they run on.
// Components that take work from several goroutines wait this long before
// they settle its order in lab time (see Slack), so work that arrives a
// little late in real time still takes its place by lab time. 0, the
// default, waits for nothing.
func (c *Clock) SetSlack(wall time.Duration) { c.slack.Store(int64(max(wall, 0))) }

// Slack is the slack in lab time at the current speed.
func (c *Clock) Slack() time.Duration {
	return time.Duration(float64(c.slack.Load()) * c.state.Load().speed)
}

// Wall converts a lab duration to the wall-clock duration it takes at the
// current speed.
func (c *Clock) Wall(d time.Duration) time.Duration {
	return time.Duration(float64(d) / c.state.Load().speed)
}

// Sleep pauses for d of lab time, or until done is closed. It reports whether
// the full duration elapsed. A nil done never closes.
func (c *Clock) Sleep(d time.Duration, done <-chan struct{}) bool {
	return c.SleepUntil(c.Now().Add(d), done)
}

// SleepUntil pauses until lab time reaches deadline, or until done is closed.
// It reports whether the deadline was reached. A deadline in the past returns
// at once, which is what lets a late sleeper catch up instead of drifting.
func (c *Clock) SleepUntil(deadline time.Time, done <-chan struct{}) bool {
	for {
		e := c.state.Load()
		wall := time.Now()
		left := deadline.Sub(e.at(wall))
		if left <= 0 {
			return true
		}
		if e.frozen { // no lab time passes: wait for the thaw
			select {
			case <-e.changed:
				continue
			case <-done:
				return false
			}
		}
		// Round up: a wall timer of 0 would not let fake (synctest) time
		// move, and a deadline between ticks would be retried forever.
		t := time.NewTimer(time.Duration(math.Ceil(float64(left) / e.speed)))
		select {
		case <-t.C:
		case <-e.changed:
			t.Stop()
		case <-done:
			t.Stop()
			return false
		}
	}
}
