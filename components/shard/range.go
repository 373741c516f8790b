package shard

import (
	"math/bits"
	"slices"
)

// Range splits the key space [0, KeySpace) into len(shards) contiguous,
// equal ranges: shard i owns [i*KeySpace/N, (i+1)*KeySpace/N).
//
// This is how Bigtable tablets, HBase regions and MongoDB chunk ranges start
// out: neighbouring keys live together, so a range scan touches one shard and
// the owner of a key is obvious to a human. The costs: a hot range (recent
// timestamps, sequential ids) stays on one shard, and re-splitting evenly after
// adding a shard moves a lot of data — going from 4 to 5 shards over
// 0..9999 moves exactly 5,000 of 10,000 keys, because every boundary shifts.
// Real systems split and move one range at a time instead of re-splitting
// everything.
type Range struct {
	keySpace uint64 // 0 means the whole uint64 range (as if it were 1<<64)
}

// NewRange returns a range strategy over [0, keySpace). Keys >= keySpace all
// go to the last shard. keySpace 0 means the whole uint64 range: the ranges
// are then computed as if keySpace were 1<<64, so every key is in range.
func NewRange(keySpace uint64) Strategy {
	return &Range{keySpace: keySpace}
}

// Name returns "range".
func (r *Range) Name() string { return "range" }

// KeySpace returns the configured key space (0 means the whole uint64 range).
func (r *Range) KeySpace() uint64 { return r.keySpace }

// Build returns a Locator over a copy of shards. Cost: O(N).
func (r *Range) Build(shards []string) Locator {
	return &rangeLocator{keySpace: r.keySpace, shards: slices.Clone(shards)}
}

type rangeLocator struct {
	keySpace uint64
	shards   []string
}

// Locate returns shards[key*N/KeySpace], computed in 128 bits so it never
// overflows; keys >= KeySpace go to the last shard and an empty list gives "".
// Cost: one 64x64 multiply and one 128/64 division; no allocation.
func (l *rangeLocator) Locate(key uint64) string {
	n := uint64(len(l.shards))
	if n == 0 {
		return ""
	}
	hi, lo := bits.Mul64(key, n)
	if l.keySpace == 0 {
		return l.shards[hi] // floor(key*n / 2^64) < n
	}
	if key >= l.keySpace {
		return l.shards[n-1]
	}
	// key < keySpace, so key*n/keySpace < n and hi < keySpace: Div64 is safe.
	q, _ := bits.Div64(hi, lo, l.keySpace)
	return l.shards[q]
}
