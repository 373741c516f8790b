package lab

import (
	"time"

	"github.com/scalelab/scalelab/components/trace"
)

// A CDN edge: an LRU with a TTL in front of the balancer, as content
// delivery networks put a cache near the users in front of everything
// (the scalability guides' first rule: serve from the edge what you can).
// A read the edge holds is answered there, in the edge's own small
// latency, and never reaches the balancer, the web tier or the database.
// A miss goes on to the balancer, and its answer fills the edge. Writes do
// not reach the edge: what it holds stays until its TTL runs out or it is
// purged (cdn purge), and until then it serves the old version — the
// staleness the offload buys.
//
// The edge is modelled as having no queue: a point of presence is sized
// for far more traffic than a lab sends, so a hit costs the same latency
// whatever the load.

// edge is the CDN edge while it is on.
type edge struct {
	lru     *lruCache
	latency time.Duration // what a hit costs the client
	ttl     time.Duration
}

// Defaults of cdn on.
const (
	DefaultCDNSize    = 1000
	DefaultCDNTTL     = 30 * time.Second
	DefaultCDNLatency = time.Millisecond
)

// edgeServe answers a read from the edge if it holds the key, and
// reports whether it did. On a miss it marks r to fill the edge when the
// origin answers.
func (l *Lab) edgeServe(r *request, at time.Time) bool {
	e := l.cdn.Load()
	if e == nil || r.write || r.checkout {
		return false
	}
	got, ok := e.lru.GetAt(r.key, at)
	v, there := got.visible(at.UnixNano())
	if !ok || !there {
		l.m.cdnMisses.Inc()
		r.fill = e
		return false
	}
	l.m.cdnHits.Inc()
	if l.isStale(r.key, v, at) {
		l.m.cdnStale.Inc()
	}
	l.countRead(r.key, v, at)
	r.cacheUse = "edge"
	r.web = -1
	end := at.Add(e.latency)
	r.tr.Span("cdn", r.tr.Root(), at, end, nil, trace.Attr{Key: "cache", Value: "hit"})
	r.finish(end, "cdn", nil)
	return true
}
