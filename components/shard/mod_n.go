package shard

import (
	"slices"

	"github.com/scalelab/scalelab/components/hashring"
)

// ModN places a key on shards[hash(key) mod N], the first thing everyone tries.
//
// It is as cheap and as even as a strategy can be: one hash and one division,
// no state. Its weakness shows the moment N changes. A key stays put only if
// hash mod N equals hash mod (N+1), which holds for about 1 key in N+1, so
// adding a shard moves about N/(N+1) of all keys (80% going from 4 to 5
// shards) — most of the data crosses the network to end up, on average, no
// better balanced than before. Consistent hashing (ring.go) exists to fix this.
type ModN struct {
	hash func(uint64) uint64
}

// NewModN returns a mod-N strategy using hash to scatter keys. A nil hash
// means hashring.Mix64, the splitmix64 finaliser, so that sequential keys
// spread evenly. Pass func(k uint64) uint64 { return k } to place keys by
// hand.
func NewModN(hash func(uint64) uint64) Strategy {
	if hash == nil {
		hash = hashring.Mix64
	}
	return &ModN{hash: hash}
}

// Name returns "mod".
func (m *ModN) Name() string { return "mod" }

// Build returns a Locator over a copy of shards. Cost: O(N).
func (m *ModN) Build(shards []string) Locator {
	return &modLocator{hash: m.hash, shards: slices.Clone(shards)}
}

type modLocator struct {
	hash   func(uint64) uint64
	shards []string
}

// Locate returns shards[hash(key) % len(shards)], or "" when shards is empty.
// Cost: one hash and one division; no allocation.
func (l *modLocator) Locate(key uint64) string {
	if len(l.shards) == 0 {
		return ""
	}
	return l.shards[l.hash(key)%uint64(len(l.shards))]
}
