package balancer

// LeastConn sends each request to the healthy server with the fewest requests
// in flight (nginx least_conn, HAProxy leastconn). A server that is slow, or
// stuck on a heavy request, holds its requests longer, so it gets fewer new
// ones: the policy reacts to load it can measure rather than guessing.
//
// Ties are broken round-robin: the search starts just after the last winner,
// so idle servers take turns instead of server 0 taking everything.
//
// Decision: weights are ignored (nginx and HAProxy divide in-flight by weight;
// here the lesson is the pure idea). Use "weighted" to see weights.
//
// Cost per Pick: O(n), a full scan.
type LeastConn struct {
	next int // where the next scan starts
}

// NewLeastConn returns a least-connections policy.
func NewLeastConn() Policy { return &LeastConn{} }

// Name returns "least-conn".
func (*LeastConn) Name() string { return "least-conn" }

// Reset makes the next tie go to the lowest index again.
func (p *LeastConn) Reset() { p.next = 0 }

// Pick returns the healthy server with the fewest in flight.
func (p *LeastConn) Pick(servers []Server, _ uint64) int {
	n, best := len(servers), -1
	for k := range n {
		i := (p.next + k) % n
		if servers[i].Healthy && (best < 0 || servers[i].InFlight < servers[best].InFlight) {
			best = i
		}
	}
	if best >= 0 {
		p.next = (best + 1) % n
	}
	return best
}
