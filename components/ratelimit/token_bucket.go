// Package ratelimit holds back requests beyond a fixed rate, so that a
// service protects itself at a budget it knows it can serve: requests over
// the limit are refused at once (HTTP 429 Too Many Requests) instead of
// queueing until they time out.
//
// The algorithm is the token bucket (Turner, 1986; the shape of Linux's
// tc-tbf, nginx's limit_req with burst=, AWS API Gateway's throttling and
// golang.org/x/time/rate): a bucket holds up to Burst tokens and fills at
// Rate tokens a second; each request takes a token, and a request that
// finds the bucket empty is refused. Over any span t the bucket admits at
// most Rate·t + Burst requests, and a steady stream at or under Rate is
// never refused.
//
// Times are the caller's (lab times): the bucket never reads a clock and
// is refilled lazily, from the time elapsed since the last request, as
// x/time/rate's Limiter does. A Bucket is not safe for concurrent use;
// Limiter wraps one per key behind a mutex.
package ratelimit

import (
	"math"
	"time"
)

// Bucket is one token bucket. Its zero value refuses everything; make one
// with NewBucket.
type Bucket struct {
	rate  float64 // tokens per second
	burst float64 // capacity
	// tokens held at last; they grow by rate per second since then, up to burst
	tokens float64
	last   time.Time
}

// NewBucket makes a bucket filling at rate tokens a second (rate > 0),
// holding up to burst (at least 1), full at the start.
func NewBucket(rate float64, burst int) *Bucket {
	b := float64(max(burst, 1))
	return &Bucket{rate: rate, burst: b, tokens: b}
}

// Rate and Burst are the bucket's settings.
func (b *Bucket) Rate() float64 { return b.rate }

// Burst is the bucket's capacity.
func (b *Bucket) Burst() int { return int(b.burst) }

// Tokens is how many tokens the bucket holds at lab time at.
func (b *Bucket) Tokens(at time.Time) float64 {
	if b.last.IsZero() || !at.After(b.last) {
		return b.tokens
	}
	return math.Min(b.burst, b.tokens+b.rate*at.Sub(b.last).Seconds())
}

// Allow takes a token for a request at lab time at and reports whether
// there was one. A time before the last request's (a request from a
// goroutine running a little late) refills nothing.
func (b *Bucket) Allow(at time.Time) bool {
	b.tokens = b.Tokens(at)
	if b.last.IsZero() || at.After(b.last) {
		b.last = at
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
