package ratelimit

import (
	"sync"
	"time"
)

// Limiter is a token bucket for all requests, or one per key (a per-user
// or per-API-key limit, as in nginx's limit_req_zone $binary_remote_addr),
// safe for concurrent use. Each Allow costs one lock; a keyed limiter also
// costs a map lookup and keeps at most MaxKeys buckets (a key not seen for
// the longest is forgotten first, as a full bucket it effectively is).
type Limiter struct {
	mu       sync.Mutex
	rate     float64
	burst    int
	perKey   bool
	all      *Bucket
	keys     map[uint64]*keyed
	admitted uint64
	refused  uint64
}

type keyed struct {
	b    *Bucket
	seen time.Time
}

// MaxKeys bounds the buckets a keyed limiter keeps.
const MaxKeys = 100_000

// Stats are a limiter's settings and counts since it was made.
type Stats struct {
	Rate     float64 // tokens per second, per key when PerKey
	Burst    int
	PerKey   bool
	Keys     int // buckets held (keyed limiters)
	Admitted uint64
	Refused  uint64
}

// New makes a limiter of rate requests a second with bursts of burst,
// over all requests, or per key when perKey.
func New(rate float64, burst int, perKey bool) *Limiter {
	l := &Limiter{rate: rate, burst: burst, perKey: perKey}
	if perKey {
		l.keys = map[uint64]*keyed{}
	} else {
		l.all = NewBucket(rate, burst)
	}
	return l
}

// Allow reports whether a request for key at lab time at is within the
// limit, and counts it.
func (l *Limiter) Allow(key uint64, at time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.all
	if l.perKey {
		k := l.keys[key]
		if k == nil {
			if len(l.keys) >= MaxKeys {
				l.forgetOldestLocked()
			}
			k = &keyed{b: NewBucket(l.rate, l.burst)}
			l.keys[key] = k
		}
		k.seen = at
		b = k.b
	}
	ok := b.Allow(at)
	if ok {
		l.admitted++
	} else {
		l.refused++
	}
	return ok
}

// forgetOldestLocked drops the key seen longest ago. O(keys), and only
// when the table is full.
func (l *Limiter) forgetOldestLocked() {
	var oldest uint64
	var at time.Time
	first := true
	for k, v := range l.keys {
		if first || v.seen.Before(at) {
			oldest, at, first = k, v.seen, false
		}
	}
	delete(l.keys, oldest)
}

// Tokens is what the shared bucket holds at lab time at; for a keyed
// limiter, the fewest any key's bucket holds (the hottest key's).
func (l *Limiter) Tokens(at time.Time) float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.perKey {
		return l.all.Tokens(at)
	}
	least := float64(l.burst)
	for _, k := range l.keys {
		least = min(least, k.b.Tokens(at))
	}
	return least
}

// Stats returns the limiter's settings and counts.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Rate: l.rate, Burst: l.burst, PerKey: l.perKey, Keys: len(l.keys), Admitted: l.admitted, Refused: l.refused}
}
