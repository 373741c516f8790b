package balancer

// RoundRobin hands requests to the servers in turn: 0, 1, 2, 0, 1, 2, ...
// An unhealthy server loses its turn; the next healthy one takes it.
//
// It is the oldest balancing idea (round-robin DNS, every proxy's default) and
// the right one when servers are alike and requests cost the same. It ignores
// weights and load: a slow server gets as many requests as a fast one.
//
// Cost per Pick: O(1) when all are healthy, O(n) worst case.
type RoundRobin struct {
	next int // index whose turn it is
}

// NewRoundRobin returns a round-robin policy starting at server 0.
func NewRoundRobin() Policy { return &RoundRobin{} }

// Name returns "round-robin".
func (*RoundRobin) Name() string { return "round-robin" }

// Reset starts the turns again at server 0.
func (p *RoundRobin) Reset() { p.next = 0 }

// Pick returns the first healthy server at or after the one whose turn it is.
func (p *RoundRobin) Pick(servers []Server, _ uint64) int {
	n := len(servers)
	for k := range n {
		i := (p.next + k) % n
		if servers[i].Healthy {
			p.next = (i + 1) % n
			return i
		}
	}
	return -1
}
