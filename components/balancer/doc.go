// Package balancer is a load balancer: for every request it chooses one backend
// out of a pool, using a pluggable policy.
//
// Each policy is one algorithm in one file, short enough to read on a screen:
//
//	round_robin.go      take turns                        (DNS round-robin, every proxy)
//	smooth_weighted.go  take turns in proportion to weight (nginx upstream, 2012)
//	least_conn.go       the server with fewest in-flight  (nginx least_conn, HAProxy leastconn)
//	random.go           uniform random                    (the baseline the others beat)
//	p2c.go              best of two random choices        (Mitzenmacher, 1996/2001)
//	consistent_hash.go  a hash ring with virtual nodes    (Karger et al., 1997; ring in package hashring)
//
// policies.go lists them by name for NewPolicy and PolicyNames: a new policy
// is one new file plus one line there.
//
// A Policy is plain, unlocked code: it sees the pool as a []Server and returns
// the index of a healthy server, or -1. Balancer wraps a Policy with one mutex,
// keeps the pool (append-only, so an index names the same server forever), and
// counts in-flight requests and picks per server. The split is the one
// hashicorp/golang-lru uses: simplelru is unlocked, the exported cache wraps it.
//
// Every policy skips unhealthy servers. With no healthy server, Balancer.Pick
// returns ErrNoHealthy; no policy panics or loops forever on any pool.
package balancer
