package balancer

import "errors"

// ErrNoHealthy is returned by Balancer.Pick when the pool has no healthy server
// (or no server at all).
var ErrNoHealthy = errors.New("no healthy backend")

// MaxWeight is the largest weight a server may have. Policies treat weights
// outside 1..MaxWeight as the nearest bound, so sums of weights never overflow.
const MaxWeight = 1_000_000

// Server is one backend as a Policy sees it.
//
// Weight counts only for weighted policies; a Weight below 1 is treated as 1.
// InFlight is the number of requests picked but not yet Done.
type Server struct {
	Name     string
	Weight   int
	Healthy  bool
	InFlight int
}

// Policy chooses a backend for one request.
//
// Pick returns the index of a healthy server in servers, or -1 when there is
// none. key identifies the request (a user or cache key); only key-affine
// policies such as consistent hashing use it. Balancer calls Pick under its
// lock, so a Policy needs no locking of its own and may keep state between
// calls; used on its own, a Policy is not safe for concurrent use.
//
// Name is the policy's name as NewPolicy accepts it.
type Policy interface {
	Name() string
	Pick(servers []Server, key uint64) int
}

// resetter is implemented by every policy in this package: Reset forgets
// per-policy state (turn counters, current weights, the ring, the random
// stream) so the policy behaves as if new. Balancer.SetPolicy calls it.
type resetter interface{ Reset() }

// clampWeight maps any weight into 1..MaxWeight.
func clampWeight(w int) int {
	return min(max(w, 1), MaxWeight)
}

// countHealthy returns how many servers are healthy. Cost: O(n).
func countHealthy(servers []Server) int {
	n := 0
	for i := range servers {
		if servers[i].Healthy {
			n++
		}
	}
	return n
}

// nthHealthy returns the index of the r-th healthy server (counting from 0),
// or -1 when there are not that many. Cost: O(n).
func nthHealthy(servers []Server, r int) int {
	for i := range servers {
		if servers[i].Healthy {
			if r == 0 {
				return i
			}
			r--
		}
	}
	return -1
}
