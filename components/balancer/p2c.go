package balancer

import "math/rand/v2"

// P2C is "the power of two random choices" (Michael Mitzenmacher, PhD thesis
// 1996; IEEE TPDS 2001): pick two different healthy servers at random and send
// the request to the one with fewer in flight.
//
// One random choice leaves the busiest of n servers with about ln n / ln ln n
// times the average; two choices cut that to about ln ln n / ln 2, an
// exponential improvement, for the price of looking at just two servers. It
// never picks the busier of its two, yet it does not herd every request onto
// the single least-loaded server the way least-conn can when its view is
// stale. Envoy, Finagle, and gRPC's weighted balancers use it.
//
// Ties go to the first of the two draws. With one healthy server, that one.
//
// Cost per Pick: O(n) (count the healthy, walk to the two chosen).
type P2C struct {
	seed uint64
	rng  *rand.Rand
}

// NewP2C returns a power-of-two-choices policy drawing from a PCG seeded by seed.
func NewP2C(seed uint64) Policy {
	return &P2C{seed: seed, rng: newRand(seed)}
}

// Name returns "p2c".
func (*P2C) Name() string { return "p2c" }

// Reset restarts the random stream from its seed.
func (p *P2C) Reset() { p.rng = newRand(p.seed) }

// Pick draws two distinct healthy servers and returns the less loaded.
func (p *P2C) Pick(servers []Server, _ uint64) int {
	h := countHealthy(servers)
	if h <= 1 {
		return nthHealthy(servers, 0) // -1 when none
	}
	r1 := p.rng.IntN(h)
	r2 := p.rng.IntN(h - 1) // a different one: skip over r1
	if r2 >= r1 {
		r2++
	}
	a, b := nthHealthy(servers, r1), nthHealthy(servers, r2)
	if servers[b].InFlight < servers[a].InFlight {
		return b
	}
	return a
}
