package lab

import (
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/lab/args"
)

var cdnCommand = command("cdn", func() action { return &cdnAction{} },
	"put a CDN edge cache in front of the balancer for reads (on, with its size, TTL and hit latency; cdn on again changes them, a new TTL for entries cached from then on), take it away (off), or empty it (purge); writes do not reach it, so it serves old versions until their TTL",
	"cdn on size=1000 ttl=10s")

type cdnAction struct {
	on, off, purge bool
	size           args.Opt[int]
	ttl, latency   args.Opt[time.Duration]
}

func (a *cdnAction) declare(s *args.Set) {
	on := s.Or("on", &a.on)
	on.Int("size", 1, MaxCacheSize, &a.size)
	on.Duration("ttl", time.Millisecond, 24*time.Hour, &a.ttl)
	on.Duration("latency", 0, time.Second, &a.latency)
	s.Or("off", &a.off)
	s.Or("purge", &a.purge)
}

func (a *cdnAction) apply(l *Lab) error {
	if l.cluster == nil {
		return fmt.Errorf("cdn: the %s preset has no data to cache at the edge", l.preset.Name)
	}
	old := l.cdn.Load()
	switch {
	case a.on:
		e := &edge{lru: nil, latency: DefaultCDNLatency, ttl: DefaultCDNTTL}
		size := DefaultCDNSize
		if old != nil { // cdn on again changes what is given and keeps the rest
			e.latency, e.ttl, size = old.latency, old.ttl, old.lru.Stats().Capacity
		}
		e.latency, e.ttl, size = a.latency.Or(e.latency), a.ttl.Or(e.ttl), a.size.Or(size)
		if old != nil {
			old.lru.Resize(size)
			old.lru.SetTTL(e.ttl)
			e.lru = old.lru
		} else {
			e.lru = cache.New[uint64, stored](cache.Settings{Capacity: size, TTL: e.ttl, Seed: l.cfg.Seed ^ 0xcd, Now: l.clock.Now})
		}
		l.cdn.Store(e)
		l.event(Event{Kind: KindState, Component: "cdn", Detail: fmt.Sprintf("CDN edge on: %d entries, TTL %s, hits answered in %s", size, e.ttl, e.latency)})
	case a.off:
		if old == nil {
			return fmt.Errorf("cdn off: the CDN edge is already off")
		}
		l.cdn.Store(nil)
		l.event(Event{Kind: KindState, Component: "cdn", Detail: "CDN edge off: every read goes to the balancer"})
	case a.purge:
		if old == nil {
			return fmt.Errorf("cdn purge: the CDN edge is off (cdn on)")
		}
		old.lru.Purge()
		l.event(Event{Kind: KindState, Component: "cdn", Detail: "CDN edge purged: it refills from the origin"})
	}
	return nil
}
