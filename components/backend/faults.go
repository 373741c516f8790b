package backend

import (
	"fmt"
	"time"
)

// Health is what an operator would see from outside. It is derived from the
// injected faults, worst first:
//
//	Down    – killed (SetDown(true)); every request is refused
//	Hung    – SetHang(true); jobs that start now never finish on their own
//	Failing – SetErrorRate(p > 0); a fraction p of answers are errors
//	Slow    – SetSlow(d > 0); every service time is d longer
//	Up      – no fault
//
// Any setter can move it to any state; clearing the worst fault reveals the
// next one (revive a backend that is also slow and it reports Slow).
type Health int

// The health states, from healthy to dead.
const (
	Up Health = iota
	Slow
	Failing
	Hung
	Down
)

// String returns "up", "slow", "failing", "hung" or "down".
func (h Health) String() string {
	switch h {
	case Up:
		return "up"
	case Slow:
		return "slow"
	case Failing:
		return "failing"
	case Hung:
		return "hung"
	case Down:
		return "down"
	}
	return fmt.Sprintf("health(%d)", int(h))
}

// Event reports a health change, for the lab's event log.
type Event struct {
	Backend  string
	At       time.Time
	From, To Health
}

// SetDown kills (true) or revives (false) the backend. While down, new
// requests are refused at once and queued ones are refused when a worker
// reaches them; a job already in service finishes.
func (b *Backend) SetDown(down bool) {
	b.change(func(c *conf) { c.down = down })
}

// SetSlow adds extra to every service time that starts from now on
// (clamped to 0..MaxDuration; 0 removes the fault).
func (b *Backend) SetSlow(extra time.Duration) {
	b.change(func(c *conf) { c.slow = clampDur(extra) })
}

// SetErrorRate makes a fraction p of served requests fail with ErrInjected
// after their service time (p clamped to 0..1; 0 removes the fault).
func (b *Backend) SetErrorRate(p float64) {
	if !(p > 0) { // NaN too
		p = 0
	}
	b.change(func(c *conf) { c.errRate = min(p, 1) })
}

// SetHang hangs (true) or unhangs (false) the backend. A job that starts
// while hung never finishes on its own: with a Timeout its caller gets
// ErrTimeout at the deadline and the worker is held until then; without one
// the worker waits for the unhang and then serves the job normally.
func (b *Backend) SetHang(hang bool) {
	b.change(func(c *conf) {
		switch {
		case hang && c.hang == nil:
			c.hang = &gate{open: make(chan struct{})}
		case !hang && c.hang != nil:
			c.hang.openedAt = b.clock.Now()
			close(c.hang.open)
			c.hang = nil
		}
	})
}

// change applies a fault under the lock and reports a health change after.
func (b *Backend) change(f func(*conf)) {
	b.mu.Lock()
	from := b.conf.health()
	f(&b.conf)
	to := b.conf.health()
	b.noteFreeLocked()
	b.mu.Unlock()
	if from != to && b.onEvent != nil {
		b.onEvent(Event{Backend: b.name, At: b.clock.Now(), From: from, To: to})
	}
}

func (c *conf) health() Health {
	switch {
	case c.down:
		return Down
	case c.hang != nil:
		return Hung
	case c.errRate > 0:
		return Failing
	case c.slow > 0:
		return Slow
	}
	return Up
}

// Health returns the backend's current health.
func (b *Backend) Health() Health {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.conf.health()
}

// Pass answers a job on the spot, at the lab time it arrives, if it would be
// answered at once anyway: the backend is up with no fault and its service
// time is always zero, so the job neither waits nor works. It is counted
// as accepted and completed, and Pass reports true; otherwise it does
// nothing and the caller submits the job (Do). The lab's cache hop uses it
// so that a free hop costs the machine no goroutine hand-off.
func (b *Backend) Pass() bool {
	if !b.instant.Load() { // two atomics, no lock: every cache hit of the lab passes here
		return false
	}
	b.passed.Add(1)
	return true
}
