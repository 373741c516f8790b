package hashring

// Hash maps a virtual node's label, such as "web-1#7", to its place on the
// circle. It must be deterministic and must not keep data after returning
// (Add reuses the buffer). Inject one to place points by hand in tests, as
// groupcache's consistenthash.New(replicas, fn) allows.
type Hash func(data []byte) uint64

// Default is the hash New uses when given nil: Mix64(FNV1a64(data)).
//
// FNV-1a alone is a poor ring hash for labels like "db-1#0" .. "db-1#9".
// Its last step is h ^= c; h *= prime with prime = 2^40 + 2^8 + 0xb3, so
// inputs that differ only in their last byte, by d, end up differing by
// about d * prime, less than 2^48: all ten labels land within 1/65536 of the
// circle of each other. Ten virtual nodes then act as one, and a 4-shard ring
// with 10 virtual nodes each is as lopsided as one with a single node each
// (one shard owned 80% of keys 0..9999). Mix64 spreads those near-equal
// values over the whole circle; TestPlainFNVClumps shows the difference.
//
// Cost: one xor and one multiply per byte, then Mix64's two multiplies and
// six shifts and xors; no allocation.
func Default(data []byte) uint64 { return Mix64(FNV1a64(data)) }

const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// FNV1a64 is the 64-bit FNV-1a hash (Glenn Fowler, Landon Curt Noll and
// Kiem-Phong Vo, 1991; specified in the IETF draft draft-eastlake-fnv): start
// from the offset basis, and for each byte xor it in, then multiply by the
// FNV prime. It gives the same values as hash/fnv.New64a without the
// allocation, and is tiny enough to read in one glance; but see Default for
// why a ring mixes its output.
func FNV1a64(data []byte) uint64 {
	h := uint64(fnvOffset64)
	for _, c := range data {
		h ^= uint64(c)
		h *= fnvPrime64
	}
	return h
}

// FNV1a64String is FNV1a64 of the bytes of s, without converting s to a
// []byte. Use Mix64(FNV1a64String(key)) to place a string key on a ring
// built with the default hash.
func FNV1a64String(s string) uint64 {
	h := uint64(fnvOffset64)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime64
	}
	return h
}

// Mix64 scrambles x so that nearby inputs land far apart: the finaliser of
// SplitMix64 (Steele, Lea and Flood, "Fast Splittable Pseudorandom Number
// Generators", OOPSLA 2014, using David Stafford's "Mix13" constants): two
// xor-shift-multiply rounds and a last xor-shift. It is a bijection on
// uint64, so distinct inputs never collide (and Mix64(0) == 0), and flipping
// any input bit flips about half the output bits, so sequential keys 1, 2, 3
// spread over the whole circle. Use it to place numeric keys on a ring.
func Mix64(x uint64) uint64 {
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
