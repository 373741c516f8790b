package retry

import (
	"math/rand/v2"
	"sync"
	"time"
)

// Call is one attempt at lab time at; it returns the lab time it ended
// (answered, failed or timed out) and its error.
type Call func(at time.Time) (end time.Time, err error)

// Settings configure a Retrier.
type Settings struct {
	Policy Policy
	// Budget, if set, must allow every retry (see Budget); nil: no budget.
	Budget *Budget
	// Retryable says whether a failed attempt may be retried. Default
	// (nil): every error.
	Retryable func(error) bool
	// Wait sleeps until lab time t before a retry and reports whether to go
	// on (false: the caller is shutting down). Default (nil): no sleep, the
	// next attempt is simply stamped t, for callers whose dependency plans
	// by lab time.
	Wait func(t time.Time) bool
	// Seed seeds the jitter's random source.
	Seed uint64
}

// Outcome is what a call with retries came to.
type Outcome struct {
	End      time.Time // when the last attempt ended
	Err      error     // the last attempt's error; nil if one succeeded
	Attempts int       // attempts made, the first included
	Budgeted bool      // a retry was refused by the budget
	Waited   time.Duration
}

// Retrier makes calls with retries by one policy. It is safe for
// concurrent use: the random source is behind a mutex, held only to draw.
type Retrier struct {
	s   Settings
	mu  sync.Mutex
	rng *rand.Rand
}

// New makes a Retrier.
func New(s Settings) *Retrier {
	return &Retrier{s: s, rng: rand.New(rand.NewPCG(s.Seed, 0x9e3779b97f4a7c15))}
}

// Policy returns the retrier's policy.
func (r *Retrier) Policy() Policy { return r.s.Policy }

// Budget returns the retrier's budget, or nil.
func (r *Retrier) Budget() *Budget { return r.s.Budget }

// Do calls call at lab time at and, while it fails with a retryable error
// and attempts are left, waits the policy's delay after the failure and
// calls again — if the budget allows. The first attempt counts as a call
// for the budget.
//
//	attempt 1 at t0 ──fails at e1──▶ wait Delay(0) ──▶ attempt 2 at e1+d0 ──fails at e2──▶ wait Delay(1) …
func (r *Retrier) Do(at time.Time, call Call) Outcome {
	p, b := r.s.Policy, r.s.Budget
	if b != nil {
		b.Call(at)
	}
	var o Outcome
	for n := 0; ; n++ {
		o.Attempts++
		o.End, o.Err = call(at)
		if o.End.Before(at) {
			o.End = at
		}
		if o.Err == nil || o.Attempts >= p.attempts() || (r.s.Retryable != nil && !r.s.Retryable(o.Err)) {
			return o
		}
		r.mu.Lock()
		d := p.Delay(n, r.rng)
		r.mu.Unlock()
		next := o.End.Add(d)
		if b != nil && !b.TryRetry(next) {
			o.Budgeted = true
			return o
		}
		if r.s.Wait != nil && !r.s.Wait(next) {
			return o
		}
		o.Waited += d
		at = next
	}
}
