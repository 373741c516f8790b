package cache

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCapacity is the capacity New uses when Settings.Capacity <= 0.
const DefaultCapacity = 1000

// Settings configures a Cache. The zero value is a 1000-entry LRU whose
// entries never expire, on the wall clock.
type Settings struct {
	// Capacity is the most entries the cache holds; default 1000 when <= 0,
	// at most MaxCapacity.
	Capacity int
	// TTL is how long an entry is served after it was last set; 0 (or
	// negative) means entries never expire and are only evicted.
	TTL time.Duration
	// Jitter spreads expiries: an entry lives TTL × (1 − Jitter × u), u
	// drawn uniformly from [0, 1), so keys set together do not all expire
	// together (and stampede the database). 0 to 1; default 0.
	Jitter float64
	// Seed seeds the jitter's random source.
	Seed uint64
	// Now is the clock entries are stamped and checked with; default
	// time.Now. The lab passes its clock's Now.
	Now func() time.Time
	// OnEvent, if not nil, is called for every entry evicted, expired or
	// invalidated, after the cache's lock is released, on the goroutine
	// whose call removed it. It must not block for long.
	OnEvent func(Event)
}

// Reason says why an entry left the cache.
type Reason int

// Reasons an entry leaves a Cache.
const (
	Evicted     Reason = iota // pushed out by Set or Resize to make room
	Expired                   // found past its TTL by Get
	Invalidated               // removed by Delete (or a write that invalidates)
)

// String returns "evicted", "expired" or "invalidated".
func (r Reason) String() string {
	switch r {
	case Evicted:
		return "evicted"
	case Expired:
		return "expired"
	case Invalidated:
		return "invalidated"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Event reports one entry leaving the cache.
type Event struct {
	Reason Reason
	Key    any
}

// Stats is a snapshot of a Cache's counters, taken by Stats. Counters only
// grow, so a rate is the difference of two snapshots over their time apart.
type Stats struct {
	Hits          uint64 // Get found a live entry
	Misses        uint64 // Get found nothing, or an expired entry
	Evictions     uint64 // entries pushed out for room by Set or Resize
	Expirations   uint64 // expired entries found (and removed) by Get
	Invalidations uint64 // entries removed by Delete
	Size          int    // entries held now, expired ones not yet found included
	Capacity      int
	TTL           time.Duration
}

// HitRatio returns Hits/(Hits+Misses), or 0 before any Get.
func (s Stats) HitRatio() float64 {
	if n := s.Hits + s.Misses; n > 0 {
		return float64(s.Hits) / float64(n)
	}
	return 0
}

// Cache is an LRU with a TTL and counters, safe for concurrent use. One mutex
// guards it; every operation holds it for a map lookup and a few index
// writes (about the cost of hashicorp/golang-lru's lru.Cache). Expiry is
// lazy, as Redis's passive expiry: an expired entry keeps its slot until a
// Get finds it or eviction reaches it.
//
// Inside is the arena version of the LRU (lru_arena.go): the algorithm of
// LRU in lru.go, which is the one to read, without an allocation for every
// new key. On a full cache, where every miss that is then Set evicts, that
// makes Set about twice as fast and garbage-free (BenchmarkCache SetEvict and
// ReadAside); on hits the two cost about the same.
type Cache[K comparable, V any] struct {
	now     func() time.Time
	onEvent func(Event)
	ttl     atomic.Int64  // time.Duration; read before locking in Set
	jitter  atomic.Uint64 // float64 bits of the expiry jitter

	mu     sync.Mutex
	rng    *rand.Rand // for jitter; guarded by mu
	lru    arenaLRU[K, V]
	why    Reason  // reason recorded for entries the current call removes
	events []Event // removed during the current call, only when onEvent != nil

	// counters, guarded by mu
	hits, misses, evictions, expirations, invalidations uint64
}

// New returns an empty cache configured by s (see Settings for defaults).
func New[K comparable, V any](s Settings) *Cache[K, V] {
	c := &Cache[K, V]{now: s.Now, onEvent: s.OnEvent, rng: rand.New(rand.NewPCG(s.Seed, 0xca5e))}
	if c.now == nil {
		c.now = time.Now
	}
	if s.Capacity <= 0 {
		s.Capacity = DefaultCapacity
	}
	var record func(K, V)
	if c.onEvent != nil {
		record = func(k K, _ V) { c.events = append(c.events, Event{c.why, k}) }
	}
	c.lru.init(s.Capacity, record)
	c.SetTTL(s.TTL)
	c.SetJitter(s.Jitter)
	return c
}

// Get returns the value for k and marks it recently used. An entry past its
// TTL is removed and counted as an expiration and a miss.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	var now time.Time
	if c.ttl.Load() > 0 { // read the clock before locking: it can cost more than the lookup
		now = c.now()
	}
	return c.GetAt(k, now)
}

// GetAt is Get at time at instead of the clock's now: an entry has expired
// if its expiry is not after at. A simulation looks entries up at the
// modelled time of the request, which the goroutine serving it may reach a
// moment before or after the clock does. A zero at reads the clock.
func (c *Cache[K, V]) GetAt(k K, at time.Time) (V, bool) {
	now := at
	c.mu.Lock()
	c.why = Expired
	v, ok, expired := c.lru.get(k, now, c.now)
	if ok {
		c.hits++
	} else {
		c.misses++
		if expired {
			c.expirations++
		}
	}
	evs := c.takeEvents()
	c.mu.Unlock()
	c.emit(evs)
	return v, ok
}

// Set stores v under k for the current TTL, evicting the least recently used
// entry if the cache is full.
func (c *Cache[K, V]) Set(k K, v V) {
	var now time.Time
	if c.ttl.Load() > 0 {
		now = c.now()
	}
	c.SetAt(k, v, now)
}

// SetAt is Set at time at: the entry's TTL counts from at instead of the
// clock's now (see GetAt). A zero at reads the clock.
func (c *Cache[K, V]) SetAt(k K, v V, at time.Time) {
	c.Merge(k, func(V, bool) (V, time.Time) { return v, at })
}

// Merge stores under k the value merge makes of what k holds now (old, and
// whether it holds anything, expired or not), in one step: no other call
// comes between the look and the store. The entry's TTL counts from the
// time merge returns with it (zero: the clock's now).
func (c *Cache[K, V]) Merge(k K, merge func(old V, ok bool) (V, time.Time)) {
	ttl := time.Duration(c.ttl.Load())
	c.mu.Lock()
	old, ok := c.lru.Peek(k)
	v, at := merge(old, ok)
	var expires time.Time
	if ttl > 0 {
		if expires = at; at.IsZero() {
			expires = c.now()
		}
		if j := math.Float64frombits(c.jitter.Load()); j > 0 {
			ttl = time.Duration(float64(ttl) * (1 - j*c.rng.Float64()))
		}
		expires = expires.Add(ttl)
	}
	c.why = Evicted
	if c.lru.Add(k, v, expires) {
		c.evictions++
	}
	evs := c.takeEvents()
	c.mu.Unlock()
	c.emit(evs)
}

// Delete removes k, reports whether it was present, and counts it as an
// invalidation if it was.
func (c *Cache[K, V]) Delete(k K) bool {
	c.mu.Lock()
	c.why = Invalidated
	ok := c.lru.Remove(k)
	if ok {
		c.invalidations++
	}
	evs := c.takeEvents()
	c.mu.Unlock()
	c.emit(evs)
	return ok
}

// Resize changes the capacity (clamped to [1, MaxCapacity]) and returns how
// many least recently used entries were evicted to fit. Costs O(Len) when
// shrinking.
func (c *Cache[K, V]) Resize(n int) int {
	c.mu.Lock()
	c.why = Evicted
	evicted := c.lru.Resize(n)
	c.evictions += uint64(evicted)
	evs := c.takeEvents()
	c.mu.Unlock()
	c.emit(evs)
	return evicted
}

// SetTTL changes the TTL for entries set from now on (d <= 0: never expire).
// Entries already cached keep the expiry they were set with.
func (c *Cache[K, V]) SetTTL(d time.Duration) { c.ttl.Store(int64(max(d, 0))) }

// SetJitter changes the expiry jitter for entries set from now on (see
// Settings.Jitter; clamped to 0..1, NaN is 0).
func (c *Cache[K, V]) SetJitter(j float64) {
	if !(j > 0) {
		j = 0
	}
	c.jitter.Store(math.Float64bits(min(j, 1)))
}

// Jitter returns the expiry jitter.
func (c *Cache[K, V]) Jitter() float64 { return math.Float64frombits(c.jitter.Load()) }

// Purge empties the cache — a cold cache, as after a restart. It counts
// nothing and reports no events; the counters keep their values.
func (c *Cache[K, V]) Purge() {
	c.mu.Lock()
	c.lru.reset()
	c.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (c *Cache[K, V]) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{
		Hits: c.hits, Misses: c.misses, Evictions: c.evictions,
		Expirations: c.expirations, Invalidations: c.invalidations,
		Size: c.lru.Len(), Capacity: c.lru.Cap(),
		TTL: time.Duration(c.ttl.Load()),
	}
}

// takeEvents hands over the events buffered by the current call. Called with
// c.mu held; nil (and free) when there is no OnEvent.
func (c *Cache[K, V]) takeEvents() []Event {
	if len(c.events) == 0 {
		return nil
	}
	evs := slices.Clone(c.events)
	clear(c.events)
	c.events = c.events[:0]
	return evs
}

// emit calls OnEvent outside the lock, so a callback may use the cache.
func (c *Cache[K, V]) emit(evs []Event) {
	for _, e := range evs {
		c.onEvent(e)
	}
}
