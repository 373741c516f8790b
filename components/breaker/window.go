package breaker

import "time"

// window is the rolling count behind the FailureRatio rule: the outcomes of
// the calls that finished in the last Window of lab time. It is kept the way
// Hystrix keeps its rolling statistics (metrics.rollingStats.timeInMilliseconds
// split into metrics.rollingStats.numBuckets): a ring of windowBuckets
// buckets, each counting one slice of Window/windowBuckets. A bucket whose
// slice has passed is reused for the newest slice, which is how old outcomes
// roll out. Adding and summing touch only the ring: no allocation, and
// memory that does not grow with the traffic.
//
// The window slides one bucket at a time, so an outcome counts for at least
// Window - Window/windowBuckets and for less than Window after it happened:
// with the default 10s window, between 9 and 10 seconds. Nothing older than
// Window ever counts.
//
// Like machine, window has no lock and never reads a clock: it is given the
// time, which must not go backwards.
type window struct {
	width   int64 // nanoseconds per bucket, at least 1
	buckets [windowBuckets]bucket
}

// windowBuckets is how many buckets a window has: Hystrix's default.
const windowBuckets = 10

// bucket counts the outcomes of one slice of time. A zero bucket counts
// nothing, so an unused or cleared bucket adds nothing to a sum whatever
// slice it claims.
type bucket struct {
	slice              int64 // the slice counted: Unix nanoseconds / width
	requests, failures uint32
}

// WindowCounts are the outcomes in a FailureRatio breaker's rolling window:
// calls that finished (Requests) and those that failed. Rejected calls are
// not outcomes and are not counted.
type WindowCounts struct {
	Requests uint32
	Failures uint32
}

// FailureRatio is Failures/Requests, or 0 with no requests.
func (w WindowCounts) FailureRatio() float64 {
	if w.Requests == 0 {
		return 0
	}
	return float64(w.Failures) / float64(w.Requests)
}

// trips is the FailureRatio rule: enough requests, and a failure share at
// or above ratio. It divides rather than multiplying ratio by Requests so
// that a share exactly at the ratio trips: 3 of 10 against 30% compares
// 3.0/10 with 0.3, which are the same float64, while 0.3*10 is just above 3.
func (w WindowCounts) trips(ratio float64, minRequests uint32) bool {
	return w.Requests > 0 && w.Requests >= minRequests && w.FailureRatio() >= ratio
}

// setSpan sets the window's length. Buckets counted with another length
// measured other slices, so a change clears them.
func (w *window) setSpan(span time.Duration) {
	width := max(int64(span)/windowBuckets, 1)
	if width != w.width {
		w.width = width
		w.clear()
	}
}

// span is the window's length.
func (w *window) span() time.Duration { return time.Duration(w.width * windowBuckets) }

// clear forgets every outcome.
func (w *window) clear() { w.buckets = [windowBuckets]bucket{} }

// slice is the slice of time now falls in (floored, so that times before
// 1970 still fall in the right slice).
func (w *window) slice(now time.Time) int64 {
	n := now.UnixNano()
	s := n / w.width
	if n%w.width < 0 {
		s--
	}
	return s
}

// add counts one outcome that happened at now.
func (w *window) add(now time.Time, failed bool) {
	s := w.slice(now)
	b := &w.buckets[(s%windowBuckets+windowBuckets)%windowBuckets]
	if b.slice != s { // this bucket last counted a slice at least a window ago
		*b = bucket{slice: s}
	}
	b.requests++
	if failed {
		b.failures++
	}
}

// counts sums the buckets whose slices lie in the window ending at now.
func (w *window) counts(now time.Time) WindowCounts {
	s := w.slice(now)
	var c WindowCounts
	for _, b := range w.buckets {
		if b.slice > s-windowBuckets && b.slice <= s {
			c.Requests += b.requests
			c.Failures += b.failures
		}
	}
	return c
}
