package lab

import (
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/cache"
)

// How a request uses the cache tier, in lab time: a lookup at the node
// the key is on (a hop to its server), a store after a miss or a write,
// an invalidation, and a miss coalesced with the one already fetching the
// key.

// stored is what a cache holds for a key: the version and the lab time it
// was stored, and the one it replaced. The goroutines serving requests run
// in about, not exactly, lab-time order, so a lookup may come after a
// store that is later in lab time: it finds the version there at its own
// lab time, the replaced one, or none (a fetch was under way: see lookup).
type stored struct {
	version, prev uint64
	at, prevAt    int64 // lab times, in ns; prevAt 0: nothing before
}

// visible is the version of the key at lab time ns, and whether there was one.
func (e stored) visible(ns int64) (uint64, bool) {
	switch {
	case ns >= e.at:
		return e.version, true
	case e.prevAt != 0 && ns >= e.prevAt:
		return e.prev, true
	}
	return 0, false
}

// store puts version v of key in c at lab time at, keeping the version it
// replaces visible to lookups before at.
func store(c *lruCache, key, v uint64, at time.Time) {
	c.Merge(key, func(old stored, ok bool) (stored, time.Time) {
		e := stored{version: v, at: at.UnixNano()}
		switch {
		case !ok:
			return e, at
		case old.version == v: // refilled: it has been there since the first store
			old.at = min(old.at, e.at)
			return old, at // the TTL counts from the latest store
		case old.at <= e.at:
			e.prev, e.prevAt = old.version, old.at
			return e, at
		}
		// A later store came first: this one is the older.
		return stored{version: old.version, at: old.at, prev: v, prevAt: e.at}, time.Unix(0, old.at)
	})
}

// lruCache is a cache of the tier.
type lruCache = cache.Cache[uint64, stored]

// flight is one database read that other misses of its key wait for.
type flight struct {
	done       chan struct{}
	v          uint64
	start, end time.Time // when the database started and finished the read
	err        error
}

// cacheTimeout is how long a web server waits for a cache node before
// taking the call for a miss.
const cacheTimeout = 250 * time.Millisecond

// hop is a request's call to a cache node from lab time at, a job on the
// node's server; an error (down, hung, refused) makes the call a miss. A
// free node (up, no service time) answers on the spot (backend Pass): the
// job would neither wait nor work, so only the machine's cost changes.
func (t *cacheTier) hop(n *cacheNode, at time.Time) (time.Time, error) {
	if n.srv.b.Pass() {
		return at, nil
	}
	res := n.srv.b.Do(backend.Request{Arrive: at, Timeout: cacheTimeout})
	n.srv.lat.Record(res.End.Sub(at))
	return res.End, res.Err
}

// node is the cache a request on web server web (-1 for none: a queue
// consumer) reads and writes key in; nil if it has none.
func (t *cacheTier) node(web int, key uint64) *cacheNode {
	switch CacheTier(t.kind.Load()) {
	case TierLocal:
		locals := *t.locals.Load()
		if web >= len(locals) {
			locals = t.growLocals(web + 1)
		}
		if web < 0 || web >= len(locals) {
			return nil
		}
		return locals[web]
	case TierDistributed:
		if ns := t.dist.Load(); ns != nil {
			return ns.place(key)
		}
	}
	return t.global
}

// call is the hop to n's server, if it has one, from lab time at.
func (t *cacheTier) call(n *cacheNode, at time.Time) (time.Time, error) {
	if n.srv == nil {
		return at, nil
	}
	return t.hop(n, at)
}

// lookup is what a cache lookup found.
type lookup struct {
	v    uint64
	hit  bool
	end  time.Time  // when the lookup ended
	node *cacheNode // the cache asked; nil when the request has none
	// filling is when the key's value, being fetched at the lookup,
	// arrives in the cache (zero if none is): v is that value. A
	// coalescing cache makes the request wait for it.
	filling time.Time
}

// get looks key up from lab time at. An unreachable node is a miss.
func (t *cacheTier) get(web int, key uint64, at time.Time) (lk lookup) {
	lk.end = at
	n := t.node(web, key)
	if n == nil {
		return lk
	}
	lk.node = n
	end, err := t.call(n, at)
	lk.end = end
	if err == nil {
		if e, ok := n.lru.GetAt(key, end); ok {
			if lk.v, lk.hit = e.visible(end.UnixNano()); !lk.hit {
				lk.v, lk.filling = e.version, time.Unix(0, min(e.at, nonZero(e.prevAt, e.at)))
			}
		}
	}
	if lk.hit {
		n.hits.Inc()
	} else {
		n.misses.Inc()
	}
	return lk
}

// set stores key=v from lab time at, and returns when it is stored.
func (t *cacheTier) set(web int, key, v uint64, at time.Time) time.Time {
	n := t.node(web, key)
	if n == nil {
		return at
	}
	end, err := t.call(n, at)
	if err == nil {
		store(n.lru, key, v, end)
	}
	return end
}

// write stores a new version of key written through web server web (a
// write-through or write-behind write). In the local tier the other web
// servers' copies are dropped, as del drops them.
func (t *cacheTier) write(web int, key, v uint64, at time.Time) time.Time {
	if CacheTier(t.kind.Load()) == TierLocal {
		for i, n := range *t.locals.Load() {
			if i != web {
				n.lru.Delete(key)
			}
		}
	}
	return t.set(web, key, v, at)
}

// del removes key from lab time at (a write invalidating it). In the local
// tier every web server's copy goes: a local cache is invalidated
// everywhere, or it serves stale data.
func (t *cacheTier) del(web int, key uint64, at time.Time) time.Time {
	if CacheTier(t.kind.Load()) == TierLocal {
		for _, n := range *t.locals.Load() {
			n.lru.Delete(key)
		}
		return at
	}
	n := t.node(web, key)
	if n == nil {
		return at
	}
	end, err := t.call(n, at)
	if err == nil {
		n.lru.Delete(key)
	}
	return end
}

// fetch is a read's miss from lab time at, coalesced with the misses of
// the same key being fetched (when coalescing is on): the first reads the
// database by calling read; the others wait for its answer and end when it
// does (or when they arrived, if later). It returns when the value was
// read (for a follower: when it joined, if later, since it got the value
// then), when the fetch ended, the value, and whether this one waited.
func (t *cacheTier) fetch(key uint64, at time.Time, read func() (start, end time.Time, v uint64, err error)) (start, end time.Time, v uint64, err error, coalesced bool) {
	if !t.coalesc.Load() {
		start, end, v, err = read()
		return start, end, v, err, false
	}
	t.fmu.Lock()
	if f := t.flying[key]; f != nil {
		t.fmu.Unlock()
		<-f.done
		return later(f.start, at), later(f.end, at), f.v, f.err, true
	}
	f := &flight{done: make(chan struct{})}
	t.flying[key] = f
	t.fmu.Unlock()
	f.start, f.end, f.v, f.err = read()
	t.fmu.Lock()
	delete(t.flying, key)
	t.fmu.Unlock()
	close(f.done)
	return f.start, f.end, f.v, f.err, false
}

// nonZero is a, or b if a is 0.
func nonZero(a, b int64) int64 {
	if a != 0 {
		return a
	}
	return b
}

// later is the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
