// Package breaker is a circuit breaker: it stops calling a dependency that keeps
// failing, so callers fail fast instead of queueing behind timeouts, and it
// probes now and then to notice when the dependency has recovered.
//
// The pattern is Michael Nygard's ("Release It!", 2007), described by Martin
// Fowler as CircuitBreaker; this package follows the shape of
// github.com/sony/gobreaker (Settings, Counts, generations), with its
// OnStateChange callback fired after unlocking rather than under the lock.
//
// # States and transitions
//
//		          the trip rule fires (see below)
//		Closed ───────────────────────────────────────▶ Open
//		  ▲                                              │  OpenFor elapsed (noticed
//		  │ HalfOpenMax trials                           │  lazily by the next Allow,
//		  │ all succeed                                  ▼  State or Stats)
//		  └──────────────────────────────────────── HalfOpen
//		                   any trial fails: back to Open ─┘
//
//	  - Closed: every call goes through. Outcomes are counted, and the trip
//	    rule decides, at each failure, whether to open.
//	  - Open: every call is rejected at once with ErrOpen, without touching the
//	    dependency. After OpenFor the breaker becomes HalfOpen.
//	  - HalfOpen: the first HalfOpenMax calls are let through as trials; any more
//	    are rejected with ErrTooManyRequests until the trials are decided. When
//	    HalfOpenMax trials have succeeded the breaker closes; the first failure
//	    re-opens it for another OpenFor.
//
// Each state change (and each Interval reset) starts a new generation. A
// Ticket remembers the generation it was issued in, and an outcome reported
// with a ticket from an older generation is ignored: a slow call that started
// before the breaker opened must not decide anything about the state after.
//
// # Trip rules
//
// Settings.Mode picks one of two rules for leaving Closed:
//
//   - Consecutive (the default; gobreaker's default ReadyToTrip): Threshold
//     failures in a row. One success in between starts the count again, so
//     a dependency failing every other call never trips it. If Interval > 0
//     the counts are also cleared every Interval, so the failures must come
//     close together. Cost: no clock read per call.
//   - FailureRatio (Hystrix's rule): over a rolling Window of lab time, at
//     least MinRequests calls finished and at least Ratio of them failed.
//     It notices a dependency that fails half the time, and it will not trip
//     on two failures in a quiet minute. The window is ten buckets of
//     Window/10 each, so it slides a bucket at a time: an outcome counts for
//     between 9/10 of Window and Window. Only calls made while Closed fill it,
//     and closing clears it, so the failures that opened the breaker cannot
//     open it again straight after a successful trial. Cost: one clock read
//     per outcome, and a sum over ten buckets per failure.
//
// Both rules share Open and HalfOpen: OpenFor (Hystrix's sleep window) and
// HalfOpenMax trials, as drawn above.
//
// # Defaults beside gobreaker and Hystrix
//
// Each library trips on its own rule by default; a zero Settings here is the
// Consecutive rule, and FailureRatio's zero fields take Hystrix's values.
//
//	                      this package           sony/gobreaker v1         Netflix Hystrix 1.5
//	trips on              5 failures in a row    more than 5 in a row      ≥ 50% failed of ≥ 20 calls
//	                      (FailureRatio: ≥ 50%   (ReadyToTrip)             in a 10s window, 10 buckets
//	                      of ≥ 20 in 10s)                                  (errorThresholdPercentage,
//	                                                                       requestVolumeThreshold,
//	                                                                       metrics.rollingStats.*)
//	open for              10s (OpenFor)          60s (Timeout)             5s (sleepWindowInMilliseconds)
//	half-open trials      1 (HalfOpenMax)        1 (MaxRequests)           1 (a single test call)
//	counts cleared        never (Interval 0)     never (Interval 0)        by the rolling window
//
// Three differences are worth knowing. gobreaker's default needs six
// failures in a row where Threshold 5 needs five. Hystrix compares whole
// percentages and reads its counts from a snapshot taken at most every
// 500ms (metrics.healthSnapshot.intervalInMilliseconds), so it can trip a
// little late; this package checks the window at every failure. And this
// package's OpenFor defaults to 10s of lab time, between the two.
package breaker

import (
	"cmp"
	"errors"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// State is where a breaker is in its state machine.
type State int

// The three states. The zero value is Closed.
const (
	Closed   State = iota // calls flow; failures are counted
	HalfOpen              // a few trial calls probe the dependency
	Open                  // calls are rejected without being made
)

// String returns "closed", "half-open" or "open".
func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case HalfOpen:
		return "half-open"
	case Open:
		return "open"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// Errors returned by Allow and Execute when a call is rejected.
var (
	ErrOpen            = errors.New("circuit breaker is open")
	ErrTooManyRequests = errors.New("too many requests in half-open")
)

// errNilFunc is returned by Execute when it is given no function to run.
var errNilFunc = errors.New("breaker: execute needs a non-nil function")

// Counts are the outcomes seen in the current generation (see the package
// doc): they are cleared on every state change and, while Closed, every
// Interval. Requests counts admitted calls; rejected calls are not counted
// here but in Stats.Rejected.
type Counts struct {
	Requests             uint32
	TotalSuccesses       uint32
	TotalFailures        uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

// Settings configure a Breaker. The zero value of every field picks the
// documented default, so Settings{} is a working breaker.
type Settings struct {
	Name string // reported in Stats and OnStateChange

	// Mode is the trip rule. Default (zero): Consecutive.
	Mode Mode

	// Threshold is how many consecutive failures trip a Closed breaker
	// under the Consecutive rule. Default (≤ 0): 5.
	Threshold int

	// Ratio is the failure share, in (0, 1], that trips a Closed breaker
	// under the FailureRatio rule (Hystrix's errorThresholdPercentage).
	// Default (≤ 0 or NaN): 0.5; above 1: 1.
	Ratio float64

	// MinRequests is how many calls must have finished in the window before
	// the FailureRatio rule can trip (Hystrix's requestVolumeThreshold).
	// Default (≤ 0): 20.
	MinRequests int

	// Window is how far back the FailureRatio rule looks, in lab time,
	// counted in ten buckets of Window/10 (Hystrix's
	// metrics.rollingStats.timeInMilliseconds). Default (≤ 0): 10s.
	Window time.Duration

	// OpenFor is how long the breaker stays Open before it lets trial calls
	// through. Default (≤ 0): 10s of lab time.
	OpenFor time.Duration

	// HalfOpenMax is how many trial calls HalfOpen admits, and how many must
	// succeed to close again. Default (≤ 0): 1.
	HalfOpenMax int

	// Interval is the period after which a Closed Consecutive breaker clears
	// its counts. Zero or negative: never, so failures need only be
	// consecutive. The FailureRatio rule ignores it: its window forgets.
	Interval time.Duration

	// Now is the clock, usually a lab clock's Now. Default: time.Now.
	// It is read only when a rule needs the time, sometimes with the
	// breaker's lock held, so it must be quick and must not call the breaker.
	Now func() time.Time

	// OnStateChange, if set, is called after every transition, after the
	// breaker has unlocked, so it may call the breaker back. It runs on the
	// goroutine whose call caused the change; under concurrency two callbacks
	// can arrive out of order, while Stats().Transitions is always in order.
	OnStateChange func(name string, from, to State, at time.Time)
}

// Defaults used when a Settings field is zero.
const (
	DefaultThreshold   = 5
	DefaultOpenFor     = 10 * time.Second
	DefaultHalfOpenMax = 1

	DefaultRatio       = 0.5              // Hystrix's errorThresholdPercentage, 50
	DefaultMinRequests = 20               // Hystrix's requestVolumeThreshold
	DefaultWindow      = 10 * time.Second // Hystrix's metrics.rollingStats.timeInMilliseconds
)

// Ticket is the permission Allow hands out. Pass it back to Done with the
// outcome. It is a small value; copying it costs nothing. The zero Ticket is
// never current, so Done ignores it.
type Ticket struct{ gen uint64 }

// Transition is one state change and the lab time it happened.
type Transition struct {
	At       time.Time
	From, To State
}

// Stats is a snapshot of a breaker, safe to keep and read.
type Stats struct {
	Name        string
	State       State
	Counts      Counts       // the current generation's counts
	Rejected    uint64       // calls refused (ErrOpen or ErrTooManyRequests), ever
	Successes   uint64       // outcomes counted as success, ever (stale ones excluded)
	Failures    uint64       // outcomes counted as failure, ever (stale ones excluded)
	Transitions []Transition // the last 32, oldest first
	OpenUntil   time.Time    // when Open ends; zero unless State is Open
	Mode        Mode
	Threshold   int
	Ratio       float64
	MinRequests int
	Window      time.Duration
	OpenFor     time.Duration
	HalfOpenMax int

	// Recent is the FailureRatio window as of the snapshot (zero under
	// Consecutive). It fills only while Closed: while Open or HalfOpen it
	// holds the outcomes that tripped the breaker, rolling out with time.
	Recent WindowCounts
}

// Breaker is a circuit breaker. It is safe for concurrent use: one mutex guards
// the state machine, held for a few comparisons per call, and while Open
// rejections skip the mutex altogether.
type Breaker struct {
	name     string
	now      func() time.Time
	onChange func(name string, from, to State, at time.Time)

	// openUntil is the end of the current Open period in Unix nanoseconds, or
	// math.MinInt64 when not Open. Allow reads it without the lock so that a
	// flood of calls to an open breaker does not queue on the mutex. It is
	// written only on state changes, and padded away from the counters and
	// the mutex so that reading it does not contend with them.
	openUntil atomic.Int64
	_         [cacheLine]byte
	rejected  atomic.Uint64
	_         [cacheLine]byte

	mu sync.Mutex
	m  machine
}

// cacheLine is a common CPU cache line size, used as padding.
const cacheLine = 64

// New returns a Closed breaker configured by s (zero fields take defaults).
func New(s Settings) *Breaker {
	b := &Breaker{name: s.Name, now: s.Now, onChange: s.OnStateChange}
	if b.now == nil {
		b.now = time.Now
	}
	b.m.mode = s.Mode
	b.m.threshold = positive(s.Threshold, DefaultThreshold)
	b.m.ratio = ratio(s.Ratio, DefaultRatio)
	b.m.minRequests = positive(s.MinRequests, DefaultMinRequests)
	b.m.win.setSpan(cmp.Or(max(s.Window, 0), DefaultWindow))
	b.m.halfOpenMax = positive(s.HalfOpenMax, DefaultHalfOpenMax)
	b.m.openFor = s.OpenFor
	if b.m.openFor <= 0 {
		b.m.openFor = DefaultOpenFor
	}
	b.m.interval = max(s.Interval, 0)
	b.m.now = b.now
	b.m.reset()
	b.openUntil.Store(math.MinInt64)
	return b
}

// positive converts a configured count to the machine's uint32, using def
// when n ≤ 0 and clamping values too large for a uint32 counter.
func positive(n, def int) uint32 {
	if n <= 0 {
		return uint32(def)
	}
	return uint32(min(n, math.MaxInt32))
}

// Allow asks to make one call. On success, make the call and report its
// outcome with Done(ticket, ok) — every admitted ticket must be reported, or a
// HalfOpen breaker waits for a trial that never ends. Rejections return ErrOpen
// or ErrTooManyRequests and add one to Stats.Rejected. Cost: one mutex
// acquisition (plus a clock read if Interval is set); while Open, one atomic
// load and a clock read without the mutex. No allocation.
func (b *Breaker) Allow() (Ticket, error) {
	if u := b.openUntil.Load(); u != math.MinInt64 && b.now().UnixNano() < u {
		b.rejected.Add(1) // fast path: Open and not yet due for a trial
		return Ticket{}, ErrOpen
	}
	b.mu.Lock()
	n := b.m.logN
	t, err := b.m.allow()
	b.unlock(n)
	return t, err
}

// Done reports the outcome of a call admitted by Allow. An outcome whose
// ticket is from an earlier generation (the breaker changed state, or a
// Closed interval ended, since Allow) is ignored. Cost: one mutex acquisition;
// the clock is read only if Interval is set, the outcome changes the state,
// or a Closed breaker counts it in its FailureRatio window (which also sums
// ten buckets on a failure).
func (b *Breaker) Done(t Ticket, success bool) {
	b.mu.Lock()
	n := b.m.logN
	b.m.done(t.gen, success)
	b.unlock(n)
}

// Execute runs fn if the breaker allows it and reports fn's outcome: a nil
// error is a success, anything else a failure. If fn panics the call counts as
// a failure and the panic continues. When the breaker rejects the call Execute
// returns ErrOpen or ErrTooManyRequests without running fn.
func (b *Breaker) Execute(fn func() error) error {
	if fn == nil {
		return errNilFunc
	}
	t, err := b.Allow()
	if err != nil {
		return err
	}
	ok := false
	defer func() { b.Done(t, ok) }()
	err = fn()
	ok = err == nil
	return err
}

// State returns the current state, first applying a due Open → HalfOpen
// transition (which fires OnStateChange).
func (b *Breaker) State() State {
	b.mu.Lock()
	n := b.m.logN
	b.m.current()
	s := b.m.state
	b.unlock(n)
	return s
}

// Configure changes the settings while the breaker runs. A zero (or negative)
// argument keeps the current value. A new OpenFor applies from the next time
// the breaker opens; a lower Threshold takes effect at the next failure. It
// does not change the trip rule: see TripOnConsecutive and TripOnRatio.
func (b *Breaker) Configure(threshold int, openFor time.Duration, halfOpenMax int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if threshold > 0 {
		b.m.threshold = positive(threshold, DefaultThreshold)
	}
	if openFor > 0 {
		b.m.openFor = openFor
	}
	if halfOpenMax > 0 {
		b.m.halfOpenMax = positive(halfOpenMax, DefaultHalfOpenMax)
	}
}

// Stats returns a snapshot. Like State it first applies a due Open → HalfOpen
// transition, so a display never shows a breaker Open past its time. It
// allocates the Transitions slice.
func (b *Breaker) Stats() Stats {
	b.mu.Lock()
	n := b.m.logN
	b.m.current()
	s := Stats{
		Name:        b.name,
		State:       b.m.state,
		Counts:      b.m.counts,
		Rejected:    b.m.rejected,
		Successes:   b.m.successes,
		Failures:    b.m.failures,
		Transitions: b.m.transitions(0),
		Mode:        b.m.mode,
		Threshold:   int(b.m.threshold),
		Ratio:       b.m.ratio,
		MinRequests: int(b.m.minRequests),
		Window:      b.m.win.span(),
		OpenFor:     b.m.openFor,
		HalfOpenMax: int(b.m.halfOpenMax),
		Recent:      b.m.recent(),
	}
	if b.m.state == Open {
		s.OpenUntil = b.m.expiry
	}
	b.unlock(n)
	s.Rejected += b.rejected.Load()
	return s
}

// unlock ends a critical section that began when the log held n transitions:
// it mirrors the Open deadline for Allow's fast path, unlocks, and then —
// outside the lock, so the callback may call the breaker — fires
// OnStateChange for each transition made meanwhile (at most one per call).
func (b *Breaker) unlock(n int) {
	if b.m.logN == n { // the common case: nothing changed
		b.mu.Unlock()
		return
	}
	u := int64(math.MinInt64)
	if b.m.state == Open {
		u = b.m.expiry.UnixNano()
	}
	b.openUntil.Store(u)
	var moved []Transition
	if b.onChange != nil {
		moved = b.m.transitions(n)
	}
	b.mu.Unlock()
	for _, t := range moved {
		b.onChange(b.name, t.From, t.To, t.At)
	}
}
