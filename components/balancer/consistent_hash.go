package balancer

import "github.com/scalelab/scalelab/components/hashring"

// ConsistentHash sends a request to the server that owns its key on a hash
// ring (Karger et al., "Consistent Hashing and Random Trees", STOC 1997; the
// ring with virtual nodes as in groupcache's consistenthash and ketama). The
// ring itself is package hashring; this file is the policy around it.
//
// Each server is placed on a ring of 2^64 points many times ("virtual
// nodes", named "web-1#0", "web-1#1", ...); a request key is placed on the
// same ring at Mix64(key), and goes to the first healthy server clockwise.
//
// The same key always reaches the same server (good for caches), and when a
// server fails only the keys that were on it move: each of its arcs passes to
// the next healthy point clockwise (hashring.Ring.Walk), and every other key
// stays put. Compare key % n, where losing one server of n moves about
// (n-1)/n of all keys. More virtual nodes even out the arcs: with 100 per
// server, shares are within roughly ±10% of fair. Weights are ignored: every
// server gets the same number of virtual nodes.
//
// The ring is built on the first Pick and rebuilt when the pool grows (it
// assumes, as Balancer guarantees, that servers are only ever appended, so a
// server's index in the pool is its member number on the ring).
//
// Cost per Pick: O(n) to count healthy servers, an O(log(n·vnodes)) binary
// search, plus one step per unhealthy point passed; O(n·vnodes·log) on a
// rebuild.
type ConsistentHash struct {
	vnodes int
	hash   hashring.Hash
	ring   *hashring.Ring // nil until the first Pick
	built  int            // len(servers) the ring was built for
}

// NewConsistentHash returns a hash-ring policy with vnodes virtual nodes per
// server (hashring.DefaultVnodes when vnodes <= 0, at most
// hashring.MaxVnodes) placed with hash (hashring.Default, a mixed FNV-1a,
// when nil). hash places only the servers' points; keys are placed at
// hashring.Mix64(key).
func NewConsistentHash(vnodes int, hash func([]byte) uint64) Policy {
	return &ConsistentHash{vnodes: vnodes, hash: hash}
}

// Name returns "hash".
func (*ConsistentHash) Name() string { return "hash" }

// Reset drops the ring; the next Pick rebuilds it.
func (p *ConsistentHash) Reset() { p.ring, p.built = nil, 0 }

// Pick returns the first healthy server clockwise from the key's place.
func (p *ConsistentHash) Pick(servers []Server, key uint64) int {
	if countHealthy(servers) == 0 {
		return -1 // also guarantees the walk below finds one
	}
	if p.built != len(servers) { // servers is not empty, so this covers a nil ring
		p.build(servers)
	}
	h := hashring.Mix64(key)
	if s := p.ring.Member(h); servers[s].Healthy {
		return s // the owner is up: the common case
	}
	return p.walk(servers, h)
}

// walk returns the first healthy server clockwise from h: a down server's
// keys pass to the next healthy point, and no other key moves.
func (p *ConsistentHash) walk(servers []Server, h uint64) int {
	pick := -1
	p.ring.Walk(h, func(s int, _ string) bool {
		if servers[s].Healthy {
			pick = s
			return false
		}
		return true
	})
	return pick
}

// build makes a new ring with every server, added in pool order so that the
// ring's member numbers are the servers' indexes.
func (p *ConsistentHash) build(servers []Server) {
	names := make([]string, len(servers))
	for i := range servers {
		names[i] = servers[i].Name
	}
	p.ring = hashring.New(p.vnodes, p.hash)
	p.ring.Add(names...)
	p.built = len(servers)
}
