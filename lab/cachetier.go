package lab

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/components/hashring"
)

// The cache tier, in the three shapes the AOSA chapter on scalable web
// architecture contrasts:
//
//   - global: one cache that every web server shares, on a cache server of
//     its own (a network hop, free unless its service time says otherwise);
//   - local: each web server keeps its own cache in its memory, the tier's
//     capacity split among them: no hop, but a hot key is cached once per
//     server, and only key-affine routing (a hash balancer) makes each
//     server's share of keys its own;
//   - distributed: N cache nodes (cache-1..N), each a server with its own
//     cache, a key on the node a consistent-hash ring (components/hashring,
//     as the seeds' DistributedCache does) or mod-N places it on. A ring
//     moves about 1/(N+1) of the keys when a node joins; mod-N moves about
//     N/(N+1), and the cluster goes cold.
//
// Misses for a key can be coalesced (singleflight, as groupcache does, or a
// proxy's collapsed forwarding): while one request reads the database, the
// others missing the same key wait for its answer instead of reading too.

// CacheTier is the cache tier's shape.
type CacheTier int32

// Cache tiers.
const (
	TierGlobal CacheTier = iota
	TierLocal
	TierDistributed
)

func (t CacheTier) String() string {
	switch t {
	case TierLocal:
		return "local"
	case TierDistributed:
		return "distributed"
	}
	return "global"
}

// cacheNode is one cache of the tier: a cache server (a backend, its hop:
// queue, service, faults) and the LRU it holds, or a web server's local
// LRU (srv nil: no hop). hits and misses count its lookups.
type cacheNode struct {
	name         string
	srv          *server
	lru          *lruCache
	hits, misses *Counter
}

// newNode makes a cache node and its counters; the counters are kept with
// srv's series, to go when the server goes.
func (t *cacheTier) newNode(name string, srv *server, lru *lruCache) *cacheNode {
	n := &cacheNode{name: name, srv: srv, lru: lru,
		hits: t.l.reg.Counter("cache.hits{" + name + "}"), misses: t.l.reg.Counter("cache.misses{" + name + "}")}
	if srv != nil {
		srv.metrics = append(srv.metrics, "cache.hits{"+name+"}", "cache.misses{"+name+"}")
	}
	return n
}

// forget frees the counters of local caches (their names are web servers').
func (t *cacheTier) forget(nodes []*cacheNode) {
	for _, n := range nodes {
		t.retire(n)
		t.l.reg.Remove("cache.hits{"+n.name+"}", "cache.misses{"+n.name+"}")
	}
}

// retire keeps the totals of a cache that goes.
func (t *cacheTier) retire(n *cacheNode) {
	st := n.lru.Stats()
	t.retired.evictions.Add(st.Evictions)
	t.retired.expirations.Add(st.Expirations)
}

// total sums the counters of every cache the tier has had.
func (t *cacheTier) total() (out cache.Stats) {
	out.Evictions, out.Expirations = t.retired.evictions.Load(), t.retired.expirations.Load()
	t.each(func(n *cacheNode) {
		st := n.lru.Stats()
		out.Evictions += st.Evictions
		out.Expirations += st.Expirations
	})
	return out
}

// nodeSet is the distributed tier's nodes and where keys go.
type nodeSet struct {
	nodes []*cacheNode
	ring  *hashring.Ring // nil with mod-N placement
}

// place is the node holding key.
func (ns *nodeSet) place(key uint64) *cacheNode {
	h := hashring.Mix64(key)
	if ns.ring == nil {
		return ns.nodes[h%uint64(len(ns.nodes))]
	}
	return ns.nodes[ns.ring.Member(h)]
}

// cacheTier is the cache tier's state.
type cacheTier struct {
	l       *Lab
	kind    atomic.Int32 // CacheTier
	global  *cacheNode
	locals  atomic.Pointer[[]*cacheNode] // by web index
	dist    atomic.Pointer[nodeSet]
	moved   atomic.Int64                                   // keys whose node changed on the last change
	retired struct{ evictions, expirations atomic.Uint64 } // of caches gone, so totals never go back
	coalesc atomic.Bool

	mu     sync.Mutex // changes
	size   int        // entries across the tier
	ring   bool       // distributed placement by ring (else mod-N)
	fmu    sync.Mutex
	flying map[uint64]*flight // misses being fetched, for coalescing
}

// newCacheTier makes the tier global: one cache of size entries, with ttl,
// on its server.
func newCacheTier(l *Lab, size int, ttl time.Duration) *cacheTier {
	t := &cacheTier{l: l, size: size, ring: true, flying: map[uint64]*flight{}}
	s := l.newServer("cache", RoleCache, ServerConf{Count: 1, Workers: 64, Queue: 1024, Service: "0", dist: backend.Dist{}})
	lru := cache.New[uint64, stored](cache.Settings{Capacity: size, TTL: ttl, Seed: l.cfg.Seed, Now: l.clock.Now})
	t.global = t.newNode("cache", s, lru)
	t.locals.Store(&[]*cacheNode{})
	return t
}

// nodeNamed is the cache node called name, if any.
func (t *cacheTier) nodeNamed(name string) *cacheNode {
	if t.global.name == name {
		return t.global
	}
	if ns := t.dist.Load(); ns != nil {
		for _, n := range ns.nodes {
			if n.name == name {
				return n
			}
		}
	}
	return nil
}

// growLocals gives every web server up to n its local cache, the tier's
// capacity split evenly again.
func (t *cacheTier) growLocals(n int) []*cacheNode {
	t.mu.Lock()
	defer t.mu.Unlock()
	locals := *t.locals.Load()
	if n <= len(locals) || n > MaxWebs || CacheTier(t.kind.Load()) != TierLocal {
		return locals
	}
	names := t.l.webNames()
	grown := append([]*cacheNode(nil), locals...)
	for len(grown) < n && len(grown) < len(names) {
		grown = append(grown, t.newNode(names[len(grown)], nil, t.newLRU(1, len(grown))))
	}
	for _, c := range grown {
		c.lru.Resize(max(t.size/len(grown), 1))
	}
	t.locals.Store(&grown)
	return grown
}

// newLRU is one cache of the tier, with the global cache's TTL and jitter.
func (t *cacheTier) newLRU(capacity, seed int) *lruCache {
	g := t.global.lru
	return cache.New[uint64, stored](cache.Settings{
		Capacity: max(capacity, 1), TTL: g.Stats().TTL, Jitter: g.Jitter(), Seed: t.l.cfg.Seed + uint64(seed), Now: t.l.clock.Now,
	})
}

// setTier switches the tier's shape. The new caches start empty (the
// global one keeps what it holds, as a server that stays up would).
func (t *cacheTier) setTier(kind CacheTier, nodes int, ring bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := CacheTier(t.kind.Load())
	if old == TierLocal {
		t.forget(*t.locals.Swap(&[]*cacheNode{}))
	}
	if old == TierDistributed && kind != TierDistributed {
		t.dropNodesLocked()
	}
	switch kind {
	case TierLocal:
		names := t.l.webNames()
		locals := make([]*cacheNode, len(names))
		for i, name := range names {
			locals[i] = t.newNode(name, nil, t.newLRU(t.size/len(names), i))
		}
		t.locals.Store(&locals)
	case TierDistributed:
		t.ring = ring
		t.resizeLocked(nodes)
	}
	t.kind.Store(int32(kind))
}

// resizeLocked makes the distributed tier n nodes, adding empty ones or
// removing the newest, each holding size/n entries, and counts the keys
// whose node changed. Called with t.mu held.
func (t *cacheTier) resizeLocked(n int) {
	old := t.dist.Load()
	var nodes []*cacheNode
	if old != nil {
		nodes = append(nodes, old.nodes...)
	}
	conf := t.global.srv.b.Stats() // a node is built like the global cache server
	for len(nodes) < n {
		name := fmt.Sprintf("cache-%d", len(nodes)+1) // the newest goes first, so they are cache-1..N
		s := t.l.newServer(name, RoleCache, ServerConf{Count: 1, Workers: conf.Workers, Queue: conf.QueueCap, dist: conf.Service})
		t.l.registerServer(name)
		nodes = append(nodes, t.newNode(name, s, t.newLRU(1, len(nodes)+1)))
	}
	var gone []*cacheNode
	for len(nodes) > n {
		gone = append(gone, nodes[len(nodes)-1])
		nodes = nodes[:len(nodes)-1]
	}
	for _, node := range nodes {
		node.lru.Resize(max(t.size/n, 1))
	}
	ns := &nodeSet{nodes: nodes}
	if t.ring {
		ns.ring = hashring.New(100, nil)
		names := make([]string, len(nodes))
		for i, node := range nodes {
			names[i] = node.name
		}
		ns.ring.Add(names...)
	}
	if old != nil {
		moved := 0
		for k := range uint64(t.l.preset.Keys) {
			if old.place(k).name != ns.place(k).name {
				moved++
			}
		}
		t.moved.Store(int64(moved))
	}
	t.dist.Store(ns)
	for _, g := range gone { // after the swap, so no request finds them
		t.retire(g)
		t.l.removeServer(g.name)
	}
}

// dropNodesLocked removes the distributed tier's nodes.
func (t *cacheTier) dropNodesLocked() {
	if ns := t.dist.Swap(nil); ns != nil {
		for _, node := range ns.nodes {
			t.retire(node)
			t.l.removeServer(node.name)
		}
	}
	t.moved.Store(0)
}

// lost empties the cache of a cache server that went down: a cache
// process keeps its entries in memory, and a restart finds none (nor any
// stale copy an invalidation sent while it was down would have dropped).
func (t *cacheTier) lost(server string) {
	if n := t.nodeNamed(server); n != nil {
		n.lru.Purge()
	}
}

// resize sets the tier's total capacity.
func (t *cacheTier) resize(size int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.size = size
	t.global.lru.Resize(size)
	if locals := *t.locals.Load(); len(locals) > 0 {
		for _, n := range locals {
			n.lru.Resize(max(size/len(locals), 1))
		}
	}
	if ns := t.dist.Load(); ns != nil {
		for _, n := range ns.nodes {
			n.lru.Resize(max(size/len(ns.nodes), 1))
		}
	}
}

// each calls f for every cache of the tier, the global one first.
func (t *cacheTier) each(f func(*cacheNode)) {
	f(t.global)
	for _, n := range *t.locals.Load() {
		f(n)
	}
	if ns := t.dist.Load(); ns != nil {
		for _, n := range ns.nodes {
			f(n)
		}
	}
}

// active lists the caches requests use now: the global one, the local
// ones or the distributed nodes.
func (t *cacheTier) active() []*cacheNode {
	switch CacheTier(t.kind.Load()) {
	case TierLocal:
		return *t.locals.Load()
	case TierDistributed:
		if ns := t.dist.Load(); ns != nil {
			return ns.nodes
		}
	}
	return []*cacheNode{t.global}
}
