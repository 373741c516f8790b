package balancer

import (
	"cmp"
	"slices"
	"sort"
	"strconv"
)

// ConsistentHash is a hash ring (Karger et al., "Consistent Hashing and Random
// Trees", STOC 1997; the ring with virtual nodes as in groupcache's
// consistenthash and ketama). Each server is placed on a ring of 2^64 points
// many times ("virtual nodes", named "web-1#0", "web-1#1", ...); a request key
// is placed on the same ring and goes to the first server point clockwise.
//
// The same key always reaches the same server (good for caches), and when a
// server fails only the keys that were on it move: each of its arcs passes to
// the next healthy point clockwise, and every other key stays put. Compare
// key % n, where losing one server of n moves about (n-1)/n of all keys.
// More virtual nodes even out the arcs: with 100 per server, shares are
// within roughly ±10% of fair.
//
// Points are Mix64(hash(name + "#" + i)); keys are Mix64(key). The mixer
// spreads points even when hash is weak on short names that differ only in
// their last bytes (FNV-1a is). Weights are ignored: every server gets the
// same number of virtual nodes.
//
// The ring is built on the first Pick and rebuilt when the pool grows (it
// assumes, as Balancer guarantees, that servers are only ever appended).
//
// Cost per Pick: O(log(n·vnodes)) binary search, plus a walk past unhealthy
// points; O(n·vnodes·log) and one allocation on a rebuild.
type ConsistentHash struct {
	vnodes int
	hash   func([]byte) uint64
	ring   []ringPoint // sorted by hash
	built  int         // len(servers) the ring was built for
	buf    []byte      // scratch for virtual-node names
}

// ringPoint is one virtual node: its place on the ring and its server's index.
type ringPoint struct {
	hash   uint64
	server int
}

// NewConsistentHash returns a hash-ring policy with vnodes virtual nodes per
// server (100 when vnodes <= 0) placed with hash (FNV1a64 when nil).
func NewConsistentHash(vnodes int, hash func([]byte) uint64) Policy {
	if vnodes <= 0 {
		vnodes = 100
	}
	if hash == nil {
		hash = FNV1a64
	}
	return &ConsistentHash{vnodes: vnodes, hash: hash}
}

// Name returns "hash".
func (*ConsistentHash) Name() string { return "hash" }

// Reset drops the ring; the next Pick rebuilds it.
func (p *ConsistentHash) Reset() { p.ring, p.built = p.ring[:0], 0 }

// Pick returns the first healthy server clockwise from the key's place.
func (p *ConsistentHash) Pick(servers []Server, key uint64) int {
	if countHealthy(servers) == 0 {
		return -1 // also guarantees the walk below finds one
	}
	if p.built != len(servers) {
		p.build(servers)
	}
	h := Mix64(key)
	i := sort.Search(len(p.ring), func(i int) bool { return p.ring[i].hash >= h })
	for k := range len(p.ring) {
		s := p.ring[(i+k)%len(p.ring)].server
		if servers[s].Healthy {
			return s
		}
	}
	return -1
}

// build places vnodes points for every server and sorts them. Equal hashes
// are ordered by server index so the ring never depends on sort stability.
func (p *ConsistentHash) build(servers []Server) {
	p.ring = p.ring[:0]
	for s := range servers {
		for v := range p.vnodes {
			p.buf = append(p.buf[:0], servers[s].Name...)
			p.buf = append(p.buf, '#')
			p.buf = strconv.AppendInt(p.buf, int64(v), 10)
			p.ring = append(p.ring, ringPoint{hash: Mix64(p.hash(p.buf)), server: s})
		}
	}
	slices.SortFunc(p.ring, func(a, b ringPoint) int {
		return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.server, b.server))
	})
	p.built = len(servers)
}

// FNV1a64 is the 64-bit FNV-1a hash (Fowler, Noll, Vo): for each byte, xor it
// in, then multiply by the FNV prime. Tiny and allocation-free, but its high
// bits barely change with the last byte, so the ring mixes its output with
// Mix64. Use it to turn a string key into Pick's uint64 key.
func FNV1a64(data []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range data {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// Mix64 scrambles x so that nearby inputs land far apart: the finaliser of
// SplitMix64 (Steele, Lea, Flood, 2014), a bijection on uint64 where each input
// bit flips about half the output bits. Consecutive keys 1, 2, 3 thus spread
// over the whole ring.
func Mix64(x uint64) uint64 {
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
