package balancer

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Balancer is a pool of servers and the policy that chooses among them. It is
// safe for concurrent use: one mutex guards the pool, the counters and the
// policy's state, so a Pick costs one lock plus the policy's own work.
//
// Servers are only ever appended, so an index returned by Pick or Add names
// the same server for the Balancer's whole life. New servers start healthy
// and in service.
//
// A server gets requests while it is both healthy (the health checks' view,
// SetHealthy) and in service (the operator's or autoscaler's, SetInService:
// a server warming up or draining is out of service). The policies see the
// two as one: Server.Healthy is healthy and in service.
type Balancer struct {
	mu      sync.Mutex
	policy  Policy
	servers []Server
	picks   []uint64 // per server: how many times Pick chose it
	healthy []bool   // per server: the health checks' verdict
	out     []bool   // per server: taken out of service
}

// New returns a Balancer using p (round-robin when nil) over servers with the
// given names, each healthy with weight 1. Empty and repeated names are
// skipped; use Add to get an error for them instead.
func New(p Policy, names ...string) *Balancer {
	if p == nil {
		p = NewRoundRobin()
	}
	b := &Balancer{policy: p}
	for _, name := range names {
		_, _ = b.Add(name, 1) // bad names are skipped, as documented
	}
	return b
}

// Pick chooses a server for the request identified by key, counts it as in
// flight and as picked, and returns its index. The caller must call Done(i)
// when the request finishes. With no healthy server it returns -1 and
// ErrNoHealthy (also if the policy returns an out-of-range or unhealthy index).
// Cost: the lock plus the policy's Pick; no allocation.
func (b *Balancer) Pick(key uint64) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.policy.Pick(b.servers, key)
	if i < 0 || i >= len(b.servers) || !b.servers[i].Healthy {
		return -1, ErrNoHealthy
	}
	b.servers[i].InFlight++
	b.picks[i]++
	return i, nil
}

// Done records that a request sent to server i has finished. Out-of-range
// indexes are ignored and InFlight never goes below 0.
func (b *Balancer) Done(i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i >= 0 && i < len(b.servers) && b.servers[i].InFlight > 0 {
		b.servers[i].InFlight--
	}
}

// Name returns the name of server i, or "" when i is out of range.
func (b *Balancer) Name(i int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if i < 0 || i >= len(b.servers) {
		return ""
	}
	return b.servers[i].Name
}

// Index returns the index of the server called name, and whether it exists.
func (b *Balancer) Index(name string) (int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(name)
	return i, i >= 0
}

// Len returns the number of servers, healthy or not.
func (b *Balancer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.servers)
}

// SetPolicy switches to p (ignored when nil) and resets p's own state (turns,
// current weights, ring, random stream) so it starts as if new. Servers,
// weights, health, in-flight and pick counts are kept.
func (b *Balancer) SetPolicy(p Policy) {
	if p == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := p.(resetter); ok {
		r.Reset() // under the lock: p may be the policy in use
	}
	b.policy = p
}

// Policy returns the current policy's name.
func (b *Balancer) Policy() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.policy.Name()
}

// SetWeight sets the weight of the server called name. Weights count only for
// the "weighted" policy. w must be in 1..MaxWeight.
func (b *Balancer) SetWeight(name string, w int) error {
	if w < 1 || w > MaxWeight {
		return fmt.Errorf("balancer: weight %d for %q: accepted 1..%d", w, name, MaxWeight)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(name)
	if i < 0 {
		return b.unknown(name)
	}
	b.servers[i].Weight = w
	return nil
}

// SetHealthy marks the server called name healthy or not. An unhealthy server
// gets no new requests; the ones in flight still finish and call Done.
func (b *Balancer) SetHealthy(name string, ok bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(name)
	if i < 0 {
		return b.unknown(name)
	}
	b.healthy[i] = ok
	b.servers[i].Healthy = ok && !b.out[i]
	return nil
}

// SetInService puts the server called name in service or takes it out: out
// of service it gets no new requests, whatever its health, and the ones in
// flight still finish (a drain). Health checks go on judging it meanwhile.
func (b *Balancer) SetInService(name string, in bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(name)
	if i < 0 {
		return b.unknown(name)
	}
	b.out[i] = !in
	b.servers[i].Healthy = b.healthy[i] && in
	return nil
}

// Add appends a healthy server, in service, and returns its index. A
// weight outside 1..MaxWeight is clamped (0 means the default, 1). The name
// must be non-empty and not already in the pool. Cost: O(n) to check the
// name.
func (b *Balancer) Add(name string, weight int) (int, error) { return b.add(name, weight, false) }

// AddOutOfService is Add for a server that must get no requests until
// SetInService puts it in service (one warming up).
func (b *Balancer) AddOutOfService(name string, weight int) (int, error) {
	return b.add(name, weight, true)
}

func (b *Balancer) add(name string, weight int, out bool) (int, error) {
	if name == "" {
		return -1, errors.New("balancer: empty server name")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.find(name) >= 0 {
		return -1, fmt.Errorf("balancer: server %q already exists", name)
	}
	b.servers = append(b.servers, Server{Name: name, Weight: clampWeight(weight), Healthy: !out})
	b.picks = append(b.picks, 0)
	b.healthy = append(b.healthy, true)
	b.out = append(b.out, out)
	return len(b.servers) - 1, nil
}

// Stats is a snapshot of a Balancer: its policy's name and every server in
// index order.
type Stats struct {
	Policy  string
	Servers []ServerStats
}

// ServerStats is one server in a Stats snapshot. Picks counts every time the
// server was chosen since it was added. Healthy is the health checks'
// verdict; the server gets requests when it is Healthy and not
// OutOfService.
type ServerStats struct {
	Name         string
	Weight       int
	Healthy      bool
	OutOfService bool
	InFlight     int
	Picks        uint64
}

// Stats returns a snapshot, a copy the caller owns. Cost: O(n) and one
// allocation.
func (b *Balancer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := Stats{Policy: b.policy.Name(), Servers: make([]ServerStats, len(b.servers))}
	for i, s := range b.servers {
		st.Servers[i] = ServerStats{Name: s.Name, Weight: s.Weight, Healthy: b.healthy[i], OutOfService: b.out[i], InFlight: s.InFlight, Picks: b.picks[i]}
	}
	return st
}

// find returns the index of name, or -1. Caller holds b.mu.
func (b *Balancer) find(name string) int {
	for i := range b.servers {
		if b.servers[i].Name == name {
			return i
		}
	}
	return -1
}

// unknown is the error for a name not in the pool. Caller holds b.mu.
func (b *Balancer) unknown(name string) error {
	names := make([]string, len(b.servers))
	for i := range b.servers {
		names[i] = b.servers[i].Name
	}
	return fmt.Errorf("balancer: unknown server %q (known: %s)", name, strings.Join(names, ", "))
}
