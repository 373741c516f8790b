package balancer

import "math/rand/v2"

// Random picks a healthy server uniformly at random. It needs no shared state
// beyond the random stream, which is why it is popular in clients that cannot
// coordinate; but with n servers and n requests, by chance some server gets
// about ln n / ln ln n of them while others get none. It is the baseline that
// p2c and least-conn improve on.
//
// The stream is PCG seeded from the seed, so a lab run is reproducible.
//
// Cost per Pick: O(n) (count the healthy, then walk to the chosen one).
type Random struct {
	seed uint64
	rng  *rand.Rand
}

// NewRandom returns a uniform random policy drawing from a PCG seeded by seed.
func NewRandom(seed uint64) Policy {
	return &Random{seed: seed, rng: newRand(seed)}
}

// newRand returns the seeded PCG stream every random policy uses.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Name returns "random".
func (*Random) Name() string { return "random" }

// Reset restarts the random stream from its seed.
func (p *Random) Reset() { p.rng = newRand(p.seed) }

// Pick returns a uniformly random healthy server.
func (p *Random) Pick(servers []Server, _ uint64) int {
	h := countHealthy(servers)
	if h == 0 {
		return -1
	}
	return nthHealthy(servers, p.rng.IntN(h))
}
