package shard

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
// means Mix64, the splitmix64 finaliser, so that sequential keys spread
// evenly. Pass func(k uint64) uint64 { return k } to place keys by hand.
func NewModN(hash func(uint64) uint64) Strategy {
	if hash == nil {
		hash = Mix64
	}
	return &ModN{hash: hash}
}

// Name returns "mod".
func (m *ModN) Name() string { return "mod" }

// Locate returns shards[hash(key) % len(shards)], or "" when shards is empty.
// Cost: one hash and one division; no allocation.
func (m *ModN) Locate(key uint64, shards []string) string {
	if len(shards) == 0 {
		return ""
	}
	return shards[m.hash(key)%uint64(len(shards))]
}

// Mix64 is the splitmix64 finaliser (Steele, Lea and Flood, "Fast Splittable
// Pseudorandom Number Generators", OOPSLA 2014): three xor-shifts and two
// multiplies that turn nearby keys (1, 2, 3...) into unrelated-looking
// 64-bit values. It is a bijection, so distinct keys never collide.
func Mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
