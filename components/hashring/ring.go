package hashring

import (
	"cmp"
	"slices"
	"strconv"
)

// DefaultVnodes is the number of virtual nodes per name New uses when given
// vnodes <= 0, the replica count groupcache's examples use.
const DefaultVnodes = 100

// MaxVnodes caps virtual nodes per name, so a typo cannot build a ring of a
// billion points; New clamps larger values to it.
const MaxVnodes = 1000

// Ring is a consistent-hash ring with virtual nodes (see the package
// documentation for the idea and its sources).
//
// Each name added is a member, numbered from 0 in the order added, and owns
// vnodes points at hash(name + "#" + i) for i in 0..vnodes-1. The points are
// kept sorted; a key hash h belongs to the first point at or after h,
// wrapping past the top to the first point.
//
// Build a Ring with New and Add, then only read it: Get, Member and Walk
// never write, so any number of goroutines may call them at once, but Add
// must not run alongside them. On a membership change, build a new Ring.
type Ring struct {
	hash   Hash
	vnodes int
	names  []string // members, in the order added
	points []uint64 // every virtual node's place on the circle, sorted
	owners []int    // owners[i] is the member (index into names) owning points[i]
}

// New returns an empty ring that will place vnodes points per name
// (DefaultVnodes when vnodes <= 0, at most MaxVnodes) with hash (Default
// when nil).
func New(vnodes int, hash Hash) *Ring {
	if vnodes <= 0 {
		vnodes = DefaultVnodes
	}
	if hash == nil {
		hash = Default
	}
	return &Ring{hash: hash, vnodes: min(vnodes, MaxVnodes)}
}

// Vnodes returns the number of points each name gets.
func (r *Ring) Vnodes() int { return r.vnodes }

// Add makes each name a member, numbered after those already added, and
// places its vnodes points. Points at the same place are ordered by name,
// then by member number, so which name owns a key depends only on the set of
// names, not on the order of Add calls or of their arguments. A name added
// twice gets its points twice, at the very same places, so every key keeps
// its owner; only memory grows. Names may be anything, but an empty name is
// indistinguishable from Get's answer for an empty ring.
//
// Cost: O(P log P) for P points in all (the whole ring is re-sorted) and one
// hash call per new point. Not safe alongside Get or Walk.
func (r *Ring) Add(names ...string) {
	type point struct {
		h      uint64
		member int
	}
	pts := make([]point, 0, len(r.points)+len(names)*r.vnodes)
	for i, h := range r.points {
		pts = append(pts, point{h, r.owners[i]})
	}
	var label []byte
	for _, name := range names {
		m := len(r.names)
		r.names = append(r.names, name)
		for i := range r.vnodes {
			label = strconv.AppendInt(append(append(label[:0], name...), '#'), int64(i), 10)
			pts = append(pts, point{r.hash(label), m})
		}
	}
	slices.SortFunc(pts, func(a, b point) int {
		return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(r.names[a.member], r.names[b.member]), cmp.Compare(a.member, b.member))
	})
	r.points, r.owners = r.points[:0], r.owners[:0]
	for _, p := range pts {
		r.points = append(r.points, p.h)
		r.owners = append(r.owners, p.member)
	}
}

// Get returns the name owning the key whose hash is h: the owner of the first
// point at or after h, wrapping past the top of the circle. It returns ""
// when the ring is empty.
//
// Pass a hash, not a raw key: sequential keys 0, 1, 2 all sit at the very
// start of the circle and would all go to one member. Mix64(key) for numeric
// keys, or Mix64(FNV1a64String(key)) for strings, spreads them.
//
// Cost: a binary search, O(log P) for P points; no allocation.
func (r *Ring) Get(h uint64) string {
	if len(r.points) == 0 {
		return ""
	}
	return r.names[r.owners[r.search(h)]]
}

// Member is Get as a member number (the name's place in the order added),
// or -1 when the ring is empty. It suits callers that keep their members in
// a slice and would otherwise look the name up, as the balancer does.
//
// Cost: the same binary search as Get; no allocation.
func (r *Ring) Member(h uint64) int {
	if len(r.points) == 0 {
		return -1
	}
	return r.owners[r.search(h)]
}

// Walk calls yield with the owner of every point clockwise from h, as a
// member number and a name: first Get(h)'s owner, then the owners of the
// points that follow, wrapping past the top, until yield returns false or
// every point has been visited once. A name comes up once per virtual node,
// so a caller looking for distinct members skips the ones it has seen.
//
// This is how a balancer passes over a server that is down (the next
// healthy point clockwise takes its keys, and no other key moves) and how
// Dynamo collects a key's replicas from the members that follow it.
//
// Cost: a binary search, then O(1) per step; no allocation.
func (r *Ring) Walk(h uint64, yield func(member int, name string) bool) {
	n := len(r.points)
	if n == 0 {
		return
	}
	start := r.search(h)
	for k := range n {
		i := start + k
		if i >= n {
			i -= n
		}
		m := r.owners[i]
		if !yield(m, r.names[m]) {
			return
		}
	}
}

// search returns the index of the first point at or after h, or 0 when h is
// past the last point. The ring must not be empty.
//
// It is the binary search sort.Search does (groupcache calls sort.Search
// here), written out so the compiler inlines it into Get and Member: halve
// [lo, hi) until it is empty, keeping the answer inside it.
func (r *Ring) search(h uint64) int {
	lo, hi := 0, len(r.points) // points before lo are < h; points from hi on are >= h
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if r.points[mid] < h {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(r.points) {
		lo = 0 // wrap around the top of the circle
	}
	return lo
}
