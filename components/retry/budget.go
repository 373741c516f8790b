package retry

import (
	"sync"
	"time"
)

// Budget caps retries to a share of the calls made, over a sliding window
// of time: a retry is allowed while the retries in the window stay under
// Ratio × the original calls in the window (plus a small floor). When a
// dependency fails everything, a budget of 10% lets through at most 1.1
// calls per original call, where 3 attempts would make 3: retries help
// with the odd failure and stay out of the way of an outage.
//
// This is Finagle's RetryBudget (percentCanRetry over a ttl window, with
// minRetriesPerSec as the floor) and Envoy's retry_budget; the window is
// ten buckets of Window/10, like the breaker's, so it slides a bucket at a
// time. Times are the caller's (lab times), so the budget never reads a
// clock. It is safe for concurrent use; each call costs one lock and a sum
// over ten buckets.
type Budget struct {
	ratio   float64
	floor   float64 // retries the window allows with no calls at all
	width   int64   // ns per bucket
	mu      sync.Mutex
	buckets [budgetBuckets]budgetBucket
	newest  int64 // epoch (at / width) of the newest bucket
	started bool
	refused uint64 // retries the budget refused
}

const budgetBuckets = 10

type budgetBucket struct {
	epoch          int64
	calls, retries uint64
}

// BudgetSettings configure a Budget.
type BudgetSettings struct {
	// Ratio is the share of original calls that may be retried, in
	// (0, 1]. Default (≤ 0): 0.2, Finagle's percentCanRetry.
	Ratio float64
	// MinPerSecond is a floor of retries a second allowed however little
	// traffic there is (Finagle's minRetriesPerSec, default 10 there).
	// Default (≤ 0): none.
	MinPerSecond float64
	// Window is how far back calls and retries count. Default (≤ 0): 10s,
	// Finagle's ttl.
	Window time.Duration
}

// NewBudget makes a budget.
func NewBudget(s BudgetSettings) *Budget {
	if !(s.Ratio > 0) {
		s.Ratio = 0.2
	}
	s.Ratio = min(s.Ratio, 1)
	if s.Window <= 0 {
		s.Window = 10 * time.Second
	}
	width := max(int64(s.Window)/budgetBuckets, 1)
	return &Budget{ratio: s.Ratio, floor: max(s.MinPerSecond, 0) * s.Window.Seconds(), width: width}
}

// Ratio is the share of calls that may be retried, as set.
func (b *Budget) Ratio() float64 { return b.ratio }

// Call counts an original call made at lab time at: it earns Ratio of a
// retry.
func (b *Budget) Call(at time.Time) {
	b.mu.Lock()
	b.bucket(at).calls++
	b.mu.Unlock()
}

// TryRetry reports whether a retry at lab time at is within the budget,
// and counts it if so.
func (b *Budget) TryRetry(at time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.bucket(at)
	var calls, retries uint64
	for i := range b.buckets {
		if bk := &b.buckets[i]; bk.epoch > b.newest-budgetBuckets {
			calls += bk.calls
			retries += bk.retries
		}
	}
	if float64(retries+1) > b.ratio*float64(calls)+b.floor {
		b.refused++
		return false
	}
	cur.retries++
	return true
}

// bucket is the bucket for lab time at, sliding the window forward when at
// is past it. A time a little behind the newest bucket (a call from a
// goroutine that ran late) counts in the newest. Called with b.mu held.
func (b *Budget) bucket(at time.Time) *budgetBucket {
	e := at.UnixNano() / b.width
	if !b.started {
		b.started, b.newest = true, e
		for i := range b.buckets {
			b.buckets[i] = budgetBucket{epoch: e - budgetBuckets} // empty, and out of the window
		}
		b.buckets[slot(e)].epoch = e
	}
	if e > b.newest {
		for x := max(b.newest+1, e-budgetBuckets+1); x <= e; x++ {
			b.buckets[slot(x)] = budgetBucket{epoch: x}
		}
		b.newest = e
	}
	return &b.buckets[slot(b.newest)]
}

func slot(epoch int64) int {
	return int(((epoch % budgetBuckets) + budgetBuckets) % budgetBuckets)
}

// Refused is how many retries the budget has refused.
func (b *Budget) Refused() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.refused
}
