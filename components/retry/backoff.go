// Package retry calls a dependency again when a call fails, waiting longer
// between attempts each time (exponential backoff), spreading the waits at
// random (jitter), and giving up early when retries would be too large a
// share of the traffic (a retry budget).
//
// Retries turn a dependency that fails now and then into one that rarely
// fails: with independent failures of probability p, N attempts succeed
// with probability 1−p^N, at a cost of (1−p^N)/(1−p) calls per original
// call. They also turn a dependency that is failing because it is
// overloaded into one that is more overloaded — a retry storm — which is
// what backoff, jitter and budgets are for.
//
// Sources: Marc Brooker, "Exponential Backoff And Jitter" (AWS Architecture
// Blog, 2015) for the three jitter rules; the retry budget of Twitter's
// Finagle (RetryBudget: "percentCanRetry" of the requests in a ttl window,
// with a floor of "minRetriesPerSec") and of Envoy (retry_budget).
//
// Files: backoff.go (Policy and its delays), budget.go (the budget),
// retry.go (the loop that makes the attempts).
package retry

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Jitter is how a backoff delay is randomised.
type Jitter int

// The jitter rules of "Exponential Backoff And Jitter", with
// cap = min(Max, Base·2^n) for the n-th retry (n from 0):
const (
	NoJitter    Jitter = iota // sleep = cap: every client retries in lock step
	FullJitter                // sleep = random(0, cap): Brooker's recommendation
	EqualJitter               // sleep = cap/2 + random(0, cap/2): never less than half
)

// JitterNames are the words String gives, by value.
var JitterNames = []string{"none", "full", "equal"}

// String returns "none", "full" or "equal".
func (j Jitter) String() string {
	if j >= 0 && int(j) < len(JitterNames) {
		return JitterNames[j]
	}
	return fmt.Sprintf("jitter(%d)", int(j))
}

// ParseJitter reads "none", "full" or "equal".
func ParseJitter(s string) (Jitter, error) {
	for i, n := range JitterNames {
		if s == n {
			return Jitter(i), nil
		}
	}
	return 0, fmt.Errorf("unknown jitter %q (accepted: none, full, equal)", s)
}

// Policy says how many attempts a call gets and how long to wait before
// each retry. The zero Policy makes one attempt and never retries.
type Policy struct {
	// Attempts is the most attempts a call gets, the first included.
	// Default (≤ 1): 1, no retries.
	Attempts int
	// Base is the delay before the first retry, before jitter; each
	// further retry doubles it. Zero: retry at once (the naive client).
	Base time.Duration
	// Max caps a delay, before jitter. Default (≤ 0): no cap.
	Max time.Duration
	// Jitter randomises each delay. Default: NoJitter.
	Jitter Jitter
}

// Cap is the n-th retry's delay before jitter (n from 0):
// min(Max, Base·2^n). It never overflows: a doubling past Max, or past
// the largest Duration, stops at the cap.
func (p Policy) Cap(n int) time.Duration {
	d := p.Base
	for i := 0; i < n && d > 0; i++ {
		if (p.Max > 0 && d >= p.Max) || d > (1<<62)/2 {
			break
		}
		d *= 2
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	return d
}

// Delay is how long to wait before the n-th retry (n from 0), drawn from
// rng by the policy's jitter rule: within [0, Cap(n)] always, and within
// [Cap(n)/2, Cap(n)] for EqualJitter.
func (p Policy) Delay(n int, rng *rand.Rand) time.Duration {
	c := p.Cap(n)
	if c <= 0 {
		return 0
	}
	switch p.Jitter {
	case FullJitter:
		return time.Duration(rng.Int64N(int64(c) + 1))
	case EqualJitter:
		half := c / 2
		return half + time.Duration(rng.Int64N(int64(c-half)+1))
	}
	return c
}

// attempts is the number of attempts the policy allows, at least 1.
func (p Policy) attempts() int { return max(p.Attempts, 1) }
