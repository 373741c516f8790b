package shard

import (
	"cmp"
	"encoding/binary"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
)

// DefaultVnodes is the number of virtual nodes per shard when NewRing is
// given vnodes <= 0, the replica count groupcache's examples use.
const DefaultVnodes = 100

// MaxVnodes caps virtual nodes per shard, so a typo cannot build a ring of a
// billion points; larger values are clamped to it.
const MaxVnodes = 1000

// Ring is consistent hashing with virtual nodes (Karger et al., STOC 1997;
// virtual nodes as in Amazon's Dynamo, SOSP 2007; layout as in groupcache's
// consistenthash).
//
// Every shard is hashed onto a circle of 2^64 points many times — once per
// virtual node, as hash(name + "#" + i) — and a key belongs to the first point
// at or after hash(key), wrapping around at the top. The circle is a sorted
// slice searched with sort.Search, so Locate costs O(log(N*vnodes)).
//
// Adding a shard drops its points between existing ones: only keys in the
// arcs just before the new points change owner, all of them to the new shard,
// about 1/(N+1) of the keys (20% going from 4 to 5). Removing a shard hands
// each of its arcs to the next point along. More virtual nodes give a more
// even split (the spread shrinks roughly as 1/sqrt(vnodes)) for more memory
// and a slower rebuild. The owner of a key depends only on the set of shard
// names, not their order.
//
// The built ring is cached for the last two shard-name lists seen (so
// comparing "before" and "after" is cheap) and rebuilt only when a new list
// appears; a Ring is best used by one cluster, since several clusters with
// different shard lists would keep rebuilding it (correct, just slower).
type Ring struct {
	vnodes int
	hash   func([]byte) uint64     // nil means inline FNV-1a 64
	recent [2]atomic.Pointer[ring] // most recently built first
	bufs   sync.Pool               // *[8]byte scratch for a custom hash, so Locate does not allocate
}

// ring is one immutable built circle.
type ring struct {
	names  []string // the shard list it was built for, copied
	points []uint64 // sorted hashes of every virtual node
	owners []string // owners[i] is the shard owning points[i]
}

// NewRing returns a consistent-hash ring with vnodes virtual nodes per shard
// (<= 0 means DefaultVnodes, above MaxVnodes is clamped) and hash for both
// virtual nodes and keys. Keys are hashed as their 8 bytes in little-endian
// order, virtual node i of shard s as the bytes of s + "#" + strconv.Itoa(i);
// inject a hash to place points by hand in tests.
//
// A nil hash means DefaultRingHash: 64-bit FNV-1a finalised with Mix64. Plain
// FNV-1a barely changes its top bits when only the last byte of the input
// changes, so "db-1#0".."db-1#9" land next to each other on the circle: with
// 4 shards and 10 vnodes, plain FNV-1a gave the same lopsided ring as 1 vnode
// (one shard owning 80% of keys 0..9999); the finaliser fixes that.
func NewRing(vnodes int, hash func([]byte) uint64) Strategy {
	if vnodes <= 0 {
		vnodes = DefaultVnodes
	}
	vnodes = min(vnodes, MaxVnodes)
	r := &Ring{vnodes: vnodes, hash: hash}
	r.bufs.New = func() any { return new([8]byte) }
	return r
}

// Name returns "ring".
func (r *Ring) Name() string { return "ring" }

// Vnodes returns the number of virtual nodes per shard.
func (r *Ring) Vnodes() int { return r.vnodes }

// Locate returns the shard owning the first ring point at or after hash(key),
// or "" when shards is empty. It rebuilds the ring (O(N*vnodes*log)) only
// when shards differs from the list of the previous call; otherwise it costs
// one hash, N string compares and a binary search, with no allocation.
func (r *Ring) Locate(key uint64, shards []string) string {
	if len(shards) == 0 {
		return ""
	}
	b := r.lookup(shards)
	h := r.hashKey(key)
	i := sort.Search(len(b.points), func(i int) bool { return b.points[i] >= h })
	if i == len(b.points) {
		i = 0 // wrap around the top of the circle
	}
	return b.owners[i]
}

// lookup returns the cached ring for shards, building it on a miss. Races
// between two builders only waste work: each cached ring is immutable and is
// used only after its own name list has been compared.
func (r *Ring) lookup(shards []string) *ring {
	for i := range r.recent {
		if b := r.recent[i].Load(); b != nil && slices.Equal(b.names, shards) {
			return b
		}
	}
	b := r.build(shards)
	r.recent[1].Store(r.recent[0].Load())
	r.recent[0].Store(b)
	return b
}

// hashKey hashes the 8 little-endian bytes of key; the default path is
// inlined so it needs no buffer.
func (r *Ring) hashKey(key uint64) uint64 {
	if r.hash == nil {
		return Mix64(fnv1a64(key))
	}
	buf := r.bufs.Get().(*[8]byte)
	binary.LittleEndian.PutUint64(buf[:], key)
	h := r.hash(buf[:])
	r.bufs.Put(buf)
	return h
}

// build lays every virtual node of every shard on the circle. Points that
// collide are ordered by shard name so the result depends only on the set.
func (r *Ring) build(shards []string) *ring {
	type point struct {
		h     uint64
		owner string
	}
	pts := make([]point, 0, len(shards)*r.vnodes)
	var label []byte
	for _, s := range shards {
		for i := range r.vnodes {
			label = strconv.AppendInt(append(append(label[:0], s...), '#'), int64(i), 10)
			pts = append(pts, point{r.hashBytes(label), s})
		}
	}
	slices.SortFunc(pts, func(a, b point) int {
		return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.owner, b.owner))
	})
	b := &ring{names: slices.Clone(shards), points: make([]uint64, len(pts)), owners: make([]string, len(pts))}
	for i, p := range pts {
		b.points[i], b.owners[i] = p.h, p.owner
	}
	return b
}

func (r *Ring) hashBytes(p []byte) uint64 {
	if r.hash == nil {
		return DefaultRingHash(p)
	}
	return r.hash(p)
}

// DefaultRingHash is the ring's default hash: Mix64(FNV1a64(p)).
func DefaultRingHash(p []byte) uint64 { return Mix64(FNV1a64(p)) }

const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// FNV1a64 is the 64-bit FNV-1a hash (Fowler, Noll, Vo), the ring's default:
// for each byte, xor it in, then multiply by the FNV prime. It gives the same
// values as hash/fnv.New64a without the allocation.
func FNV1a64(p []byte) uint64 {
	h := uint64(fnvOffset64)
	for _, c := range p {
		h ^= uint64(c)
		h *= fnvPrime64
	}
	return h
}

// fnv1a64 is FNV1a64 of the 8 little-endian bytes of key, unrolled.
func fnv1a64(key uint64) uint64 {
	h := uint64(fnvOffset64)
	for range 8 {
		h ^= key & 0xff
		h *= fnvPrime64
		key >>= 8
	}
	return h
}
