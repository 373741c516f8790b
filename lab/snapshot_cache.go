package lab

import (
	"github.com/scalelab/scalelab/components/cache"
)

// cacheStats measures the cache tier: hits and misses over all its caches,
// and each cache in use.
func (l *Lab) cacheStats(rate, stat *Window) *CacheStats {
	t := l.ctier
	if t == nil {
		return nil
	}
	hits, misses := stat.Delta("cache.hits"), stat.Delta("cache.misses")
	bs := l.behind.Stats()
	out := &CacheStats{
		Mode:     cache.Mode(l.mode.Load()),
		HitRatio: ratio(hits, hits+misses), Hits: rate.Rate("cache.hits"), Misses: rate.Rate("cache.misses"),
		Evictions: rate.Rate("cache.evictions"), Expirations: rate.Rate("cache.expirations"),
		StaleRatio:    ratio(stat.Delta("stale"), stat.Delta("reads")),
		BehindPending: bs.Pending, BehindLag: bs.OldestAge,
		Tier: CacheTier(t.kind.Load()), MovedKeys: int(t.moved.Load()),
		Coalesce: t.coalesc.Load(), Coalesced: rate.Rate("cache.coalesced"),
	}
	if ns := t.dist.Load(); ns != nil { // not t.mu: this runs under the registry's lock, which t.mu's holders take
		out.Ring = ns.ring != nil
	}
	for _, n := range t.active() {
		cs := n.lru.Stats()
		out.Size += cs.Size
		out.Capacity += cs.Capacity
		h, m := stat.Delta("cache.hits{"+n.name+"}"), stat.Delta("cache.misses{"+n.name+"}")
		ns := CacheNodeStats{Name: n.name, HitRatio: ratio(h, h+m), Hits: rate.Rate("cache.hits{" + n.name + "}"), Size: cs.Size, Capacity: cs.Capacity}
		if n.srv != nil {
			ns.Health = n.srv.b.Health()
		}
		out.Nodes = append(out.Nodes, ns)
	}
	return out
}

// cdnStats measures the CDN edge; nil while it is off.
func (l *Lab) cdnStats(rate, stat *Window) *CDNStats {
	e := l.cdn.Load()
	if e == nil {
		return nil
	}
	hits, misses := stat.Delta("cdn.hits"), stat.Delta("cdn.misses")
	cs := e.lru.Stats()
	return &CDNStats{
		HitRatio: ratio(hits, hits+misses), StaleRatio: ratio(stat.Delta("cdn.stale"), hits), Hits: rate.Rate("cdn.hits"),
		Size: cs.Size, Capacity: cs.Capacity, TTL: e.ttl, Latency: e.latency,
	}
}
