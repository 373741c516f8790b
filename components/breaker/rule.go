package breaker

import (
	"fmt"
	"strconv"
	"time"
)

// This file holds the choice between the two trip rules; the package doc
// explains them, machine.done applies them and window.go counts for the
// FailureRatio one.

// Mode is the rule that trips a Closed breaker (see the package doc).
type Mode int

// The two trip rules. The zero value is Consecutive.
const (
	Consecutive  Mode = iota // Threshold failures in a row
	FailureRatio             // a failure share over a rolling window
)

// String returns "consecutive" or "ratio".
func (m Mode) String() string {
	switch m {
	case Consecutive:
		return "consecutive"
	case FailureRatio:
		return "ratio"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// ModeNames lists the words ParseMode accepts, in order.
var ModeNames = []string{Consecutive.String(), FailureRatio.String()}

// ParseMode reads "consecutive" or "ratio".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "consecutive":
		return Consecutive, nil
	case "ratio":
		return FailureRatio, nil
	}
	return 0, fmt.Errorf("unknown breaker mode %q: want consecutive or ratio", s)
}

// TripOnConsecutive switches to the Consecutive rule: Threshold failures in
// a row trip the breaker (≤ 0 keeps the current Threshold). Switching rules
// while Closed starts a new generation, so calls already admitted report
// to no rule; Open and HalfOpen carry on as they were.
func (b *Breaker) TripOnConsecutive(threshold int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if threshold > 0 {
		b.m.threshold = positive(threshold, DefaultThreshold)
	}
	b.m.setMode(Consecutive)
}

// TripOnRatio switches to the FailureRatio rule: the breaker trips when, in
// the last window of lab time, at least minRequests calls finished and at
// least ratio of them failed. A zero (or negative) argument keeps the
// current value, which is the default if none was set; ratio above 1 is 1.
// Switching from Consecutive starts with an empty window (and, while
// Closed, a new generation); retuning FailureRatio keeps the window's
// outcomes unless the window's length changes. A new ratio or minRequests
// applies at the next failure.
func (b *Breaker) TripOnRatio(r float64, minRequests int, window time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m.ratio = ratio(r, b.m.ratio)
	if minRequests > 0 {
		b.m.minRequests = positive(minRequests, DefaultMinRequests)
	}
	if window > 0 {
		b.m.win.setSpan(window)
	}
	b.m.setMode(FailureRatio)
}

// ratio clamps a configured failure share to (0, 1], using def when r is
// not above 0 (NaN included).
func ratio(r, def float64) float64 {
	if !(r > 0) {
		return def
	}
	return min(r, 1)
}
