package lab

import (
	"fmt"
	"strings"
	"time"

	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/lab/args"
)

var cacheCommand = command("cache", func() action { return &cacheAction{} },
	"shape the cache tier (one global cache, a local cache per web server, or N distributed nodes placed by a hash ring or mod-N), resize it, set its TTL and expiry jitter, choose its write policy, coalesce concurrent misses, empty it (a cold cache), or take it out of the path (off) and put it back, empty (on)",
	"cache tier distributed nodes=3 hash=ring")

// cacheTiers and cacheHashes are the tier shapes and the distributed
// tier's placements, as the command writes them.
var (
	cacheTiers  = []string{TierGlobal.String(), TierLocal.String(), TierDistributed.String()}
	cacheHashes = []string{"ring", "mod"}
)

// cacheModes are the write policies, by the names cache.ParseMode reads.
var cacheModes = []string{cache.WriteInvalidate.String(), cache.WriteThrough.String(), cache.WriteBehind.String()}

type cacheAction struct {
	resize, retime, remode, clear bool // which form the line took
	retier, renode, recoalesce    bool
	off, on                       bool
	size                          int
	ttl                           args.Opt[time.Duration] // cache size N ttl=D, or cache ttl D
	jitter                        args.Opt[float64]
	mode                          cache.Mode
	delay                         args.Opt[time.Duration]
	tier                          string
	nodes                         args.Opt[int]
	hash                          args.Opt[string]
	coalesce                      string
}

func (a *cacheAction) declare(s *args.Set) {
	size := s.Or("size", &a.resize)
	size.IntArg("N", 1, MaxCacheSize, &a.size)
	size.Duration("ttl", 0, 24*time.Hour, &a.ttl)
	ttl := s.Or("ttl", &a.retime)
	ttl.DurationArg("D", 0, 24*time.Hour, &a.ttl.V)
	ttl.Percent("jitter", &a.jitter)
	tier := s.Or("tier", &a.retier)
	tier.ChoiceArg(cacheTiers, &a.tier)
	tier.Int("nodes", 1, MaxCacheNodes, &a.nodes)
	tier.Choice("hash", cacheHashes, &a.hash)
	nodes := s.Or("nodes", &a.renode)
	nodes.IntArg("N", 1, MaxCacheNodes, &a.nodes.V)
	nodes.Choice("hash", cacheHashes, &a.hash)
	s.Or("coalesce", &a.recoalesce).ChoiceArg([]string{"on", "off"}, &a.coalesce)
	mode := s.Or("mode", &a.remode)
	mode.FuncArg(strings.Join(cacheModes, "|"), cacheModes, func(v string) (err error) {
		a.mode, err = cache.ParseMode(v)
		return err
	})
	mode.Duration("delay", 0, time.Hour, &a.delay)
	s.Or("clear", &a.clear)
	s.Or("off", &a.off)
	s.Or("on", &a.on)
}

func (a *cacheAction) apply(l *Lab) error {
	if l.ctier == nil {
		return fmt.Errorf("cache: the %s preset has no cache", l.preset.Name)
	}
	t := l.ctier
	if err := a.check(t); err != nil {
		return err
	}
	if a.resize {
		t.resize(a.size)
	}
	if a.ttl.Set || a.retime {
		t.each(func(n *cacheNode) { n.lru.SetTTL(a.ttl.V) })
	}
	if a.jitter.Set {
		t.each(func(n *cacheNode) { n.lru.SetJitter(a.jitter.V) })
	}
	if a.retier || a.renode {
		a.reshape(l)
	}
	if a.recoalesce {
		t.coalesc.Store(a.coalesce == "on")
		l.event(Event{Kind: KindState, Component: "cache", Detail: "coalescing of misses " + a.coalesce})
	}
	if a.delay.Set {
		l.behind.SetDelay(a.delay.V)
	}
	if a.remode {
		l.mode.Store(int32(a.mode))
	}
	if a.clear {
		t.each(func(n *cacheNode) { n.lru.Purge() })
	}
	if a.off || a.on {
		// Back on, it starts empty: what it held may be stale by now.
		if was := l.cacheOff.Swap(a.off); was && a.on {
			t.each(func(n *cacheNode) { n.lru.Purge() })
		}
		to := map[bool]string{true: "off", false: "on"}[a.off]
		l.event(Event{Kind: KindState, Component: "cache", Detail: "cache turned " + to})
	}
	return nil
}

// check refuses what the tier's shape does not allow, before anything
// changes.
func (a *cacheAction) check(t *cacheTier) error {
	kind := CacheTier(t.kind.Load())
	if a.retier && a.tier != TierDistributed.String() && (a.nodes.Set || a.hash.Set) {
		return fmt.Errorf("cache: nodes= and hash= are for the distributed tier (cache tier distributed nodes=3)")
	}
	if a.renode && kind != TierDistributed {
		return fmt.Errorf("cache nodes: the cache tier is %s; make it distributed first (cache tier distributed nodes=%d)", kind, a.nodes.V)
	}
	return nil
}

// reshape applies cache tier … or cache nodes N.
func (a *cacheAction) reshape(l *Lab) {
	t := l.ctier
	t.mu.Lock()
	ring, nodes := t.ring, 3
	if ns := t.dist.Load(); ns != nil {
		nodes = len(ns.nodes)
	}
	t.mu.Unlock()
	if a.hash.Set {
		ring = a.hash.V == "ring"
	}
	if a.nodes.Set || a.renode {
		nodes = a.nodes.V
	}
	kind := TierGlobal
	switch {
	case a.renode:
		kind = TierDistributed
	case a.tier == TierLocal.String():
		kind = TierLocal
	case a.tier == TierDistributed.String():
		kind = TierDistributed
	}
	t.setTier(kind, nodes, ring)
	detail := "cache tier " + kind.String()
	if kind == TierDistributed {
		detail += fmt.Sprintf(": %d node(s) by %s; %d of %d keys moved to another node", nodes, map[bool]string{true: "hash ring", false: "mod-N"}[ring], t.moved.Load(), l.preset.Keys)
	}
	l.event(Event{Kind: KindState, Component: "cache", Detail: detail})
}
