package hashring_test

import (
	"hash/fnv"
	"math/rand/v2"
	"testing"

	"github.com/scalelab/scalelab/components/hashring"
)

func TestFNV1a64MatchesHashFNV(t *testing.T) {
	inputs := []string{"", "a", "foobar", "db-1#0", "web-12#99", "hello, world"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		inputs = append(inputs, string(b))
	}
	for _, in := range inputs {
		h := fnv.New64a()
		h.Write([]byte(in))
		want := h.Sum64()
		if got := hashring.FNV1a64([]byte(in)); got != want {
			t.Errorf("FNV1a64(%q) = %#x, hash/fnv says %#x", in, got, want)
		}
		if got := hashring.FNV1a64String(in); got != want {
			t.Errorf("FNV1a64String(%q) = %#x, hash/fnv says %#x", in, got, want)
		}
	}
}

func TestFNV1a64Spec(t *testing.T) {
	// Reference values from the FNV specification (draft-eastlake-fnv).
	for _, tc := range []struct {
		in   string
		want uint64
	}{
		{"", 0xcbf29ce484222325},
		{"a", 0xaf63dc4c8601ec8c},
		{"foobar", 0x85944171f73967e8},
	} {
		if got := hashring.FNV1a64([]byte(tc.in)); got != tc.want {
			t.Errorf("FNV1a64(%q) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
}

func TestMix64(t *testing.T) {
	// Reference values of the SplitMix64 finaliser: splitmix64 seeded with 0
	// first outputs Mix64(golden gamma) = 0xe220a8397b1dcdaf.
	for _, tc := range []struct{ in, want uint64 }{
		{0, 0},
		{1, 0x5692161d100b05e5},
		{0x9e3779b97f4a7c15, 0xe220a8397b1dcdaf},
	} {
		if got := hashring.Mix64(tc.in); got != tc.want {
			t.Errorf("Mix64(%#x) = %#x, want %#x", tc.in, got, tc.want)
		}
	}
}

func TestDefault(t *testing.T) {
	for _, in := range []string{"", "db-1#0", "web-3#42"} {
		if got, want := hashring.Default([]byte(in)), hashring.Mix64(hashring.FNV1a64String(in)); got != want {
			t.Errorf("Default(%q) = %#x, want Mix64(FNV1a64) = %#x", in, got, want)
		}
	}
}

// TestPlainFNVClumps is the reason Default mixes FNV-1a: with plain FNV-1a,
// the ten labels "db-k#0".."db-k#9" of each shard land side by side, so ten
// virtual nodes act as one and the ring is lopsided.
func TestPlainFNVClumps(t *testing.T) {
	maxShare := func(h hashring.Hash) float64 {
		r := hashring.New(10, h)
		r.Add("db-1", "db-2", "db-3", "db-4")
		counts := map[string]int{}
		const keys = 10000
		for k := range uint64(keys) {
			counts[r.Get(hashring.Mix64(k))]++
		}
		m := 0
		for _, c := range counts {
			m = max(m, c)
		}
		return float64(m) / keys
	}
	plain, mixed := maxShare(hashring.FNV1a64), maxShare(nil)
	// Fair is 0.25. With 10 well-spread points per shard a share has a
	// standard deviation of about 1/(4*sqrt(10)) = 0.08, so the largest stays
	// under 0.45 (2.5 deviations); clumped points act as one point per shard,
	// where one shard owning half the circle or more is common.
	if plain < 0.5 || mixed > 0.45 {
		t.Errorf("largest share: plain FNV-1a %.2f (want >= 0.5), Default %.2f (want <= 0.45)", plain, mixed)
	}
}

var sinkH uint64

func BenchmarkDefault(b *testing.B) {
	label := []byte("web-1#42")
	for b.Loop() {
		sinkH = hashring.Default(label)
	}
}
