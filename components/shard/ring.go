package shard

import (
	"encoding/binary"
	"sync"

	"github.com/scalelab/scalelab/components/hashring"
)

// DefaultVnodes is the number of virtual nodes per shard when NewRing is
// given vnodes <= 0, the replica count groupcache's examples use.
const DefaultVnodes = hashring.DefaultVnodes

// MaxVnodes caps virtual nodes per shard, so a typo cannot build a ring of a
// billion points; larger values are clamped to it.
const MaxVnodes = hashring.MaxVnodes

// Ring is consistent hashing with virtual nodes (Karger et al., STOC 1997;
// virtual nodes as in Amazon's Dynamo, SOSP 2007; layout as in groupcache's
// consistenthash). The ring itself is package hashring; this file decides
// how shards and keys are placed on it.
//
// Every shard is hashed onto a circle of 2^64 points many times — once per
// virtual node, as hash(name + "#" + i) — and a key belongs to the first point
// at or after hash(key), wrapping around at the top. The circle is a sorted
// slice searched by binary search, so Locate costs O(log(N*vnodes)).
//
// Adding a shard drops its points between existing ones: only keys in the
// arcs just before the new points change owner, all of them to the new shard,
// about 1/(N+1) of the keys (20% going from 4 to 5). Removing a shard hands
// each of its arcs to the next point along. More virtual nodes give a more
// even split (the spread shrinks roughly as 1/sqrt(vnodes)) for more memory
// and a slower Build. The owner of a key depends only on the set of shard
// names, not their order.
type Ring struct {
	vnodes int
	hash   func([]byte) uint64 // nil means hashring.Default, with keys hashed inline
	bufs   *sync.Pool          // *[8]byte scratch for a custom hash, so Locate does not allocate
}

// NewRing returns a consistent-hash ring with vnodes virtual nodes per shard
// (<= 0 means DefaultVnodes, above MaxVnodes is clamped) and hash for both
// virtual nodes and keys. Keys are hashed as their 8 bytes in little-endian
// order, virtual node i of shard s as the bytes of s + "#" + strconv.Itoa(i);
// inject a hash to place points by hand in tests.
//
// A nil hash means hashring.Default: 64-bit FNV-1a finalised with Mix64
// (hashring.Default explains why plain FNV-1a would give a lopsided ring).
func NewRing(vnodes int, hash func([]byte) uint64) Strategy {
	if vnodes <= 0 {
		vnodes = DefaultVnodes
	}
	r := &Ring{vnodes: min(vnodes, MaxVnodes), hash: hash}
	if hash != nil {
		r.bufs = &sync.Pool{New: func() any { return new([8]byte) }}
	}
	return r
}

// Name returns "ring".
func (r *Ring) Name() string { return "ring" }

// Vnodes returns the number of virtual nodes per shard.
func (r *Ring) Vnodes() int { return r.vnodes }

// Build lays every virtual node of every shard on a new circle.
// Cost: O(N*vnodes*log(N*vnodes)) and N*vnodes hash calls.
func (r *Ring) Build(shards []string) Locator {
	ring := hashring.New(r.vnodes, r.hash)
	ring.Add(shards...)
	return &ringLocator{strategy: r, ring: ring}
}

type ringLocator struct {
	strategy *Ring // for its key hash
	ring     *hashring.Ring
}

// Locate returns the shard owning the first ring point at or after
// hash(key), or "" when there are no shards. Cost: one hash and a binary
// search; no allocation.
func (l *ringLocator) Locate(key uint64) string {
	return l.ring.Get(l.strategy.hashKey(key))
}

// hashKey hashes the 8 little-endian bytes of key. The default hash needs no
// buffer from the pool: the array stays on the stack.
func (r *Ring) hashKey(key uint64) uint64 {
	if r.hash == nil {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], key)
		return hashring.Default(b[:])
	}
	buf := r.bufs.Get().(*[8]byte)
	binary.LittleEndian.PutUint64(buf[:], key)
	h := r.hash(buf[:])
	r.bufs.Put(buf)
	return h
}
