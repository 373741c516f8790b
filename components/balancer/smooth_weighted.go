package balancer

// SmoothWeighted is nginx's smooth weighted round-robin (Maxim Dounin, nginx
// 1.3.1, 2012; ngx_http_upstream_round_robin.c). Each server keeps a current
// weight, starting at 0. On every pick:
//
//  1. add each healthy server's weight to its current weight;
//  2. choose the server with the highest current weight (first one on a tie);
//  3. subtract the total weight of the healthy servers from the winner.
//
// Over any run of total-weight picks each server is chosen exactly weight
// times, and the choices are spread out: weights a=5 b=1 c=1 give
// a a b a c a a, not a a a a a b c.
//
// Decision: a server seen unhealthy has its current weight reset to 0, so when
// it comes back it starts fresh rather than with an old credit or debt. (nginx
// leaves it untouched.) Servers added later start at 0 too.
//
// Cost per Pick: O(n).
type SmoothWeighted struct {
	current []int // current weight per server index
}

// NewSmoothWeighted returns a smooth weighted round-robin policy.
func NewSmoothWeighted() Policy { return &SmoothWeighted{} }

// Name returns "weighted".
func (*SmoothWeighted) Name() string { return "weighted" }

// Reset sets every current weight back to 0.
func (p *SmoothWeighted) Reset() { clear(p.current) }

// Pick runs one step of the algorithm and returns the winner.
func (p *SmoothWeighted) Pick(servers []Server, _ uint64) int {
	for len(p.current) < len(servers) { // servers were added
		p.current = append(p.current, 0)
	}
	best, total := -1, 0
	for i := range servers {
		if !servers[i].Healthy {
			p.current[i] = 0
			continue
		}
		w := clampWeight(servers[i].Weight)
		p.current[i] += w
		total += w
		if best < 0 || p.current[i] > p.current[best] {
			best = i
		}
	}
	if best >= 0 {
		p.current[best] -= total
	}
	return best
}
