// Package discovery is a service registry: instances of a service register
// themselves, send heartbeats while they live, and are dropped TTL after
// their last heartbeat; clients ask the registry which instances to call.
//
// This is the shape of Netflix Eureka (renewals every 30 s, eviction after
// 90 s), Consul's TTL checks and etcd leases, and of the seeds'
// ServiceRegistry (register, heartbeat, discover). A registry knows only
// that an instance's heartbeats arrive: a process that is hung but whose
// heartbeat thread still runs stays listed, which is why registries are
// paired with active health checks.
//
// Times are the caller's (lab times); the registry reads no clock. Expiry
// is lazy: Discover and Expire drop what is due. It is safe for concurrent
// use (one mutex); each call costs a map lookup, Discover O(instances).
package discovery

import (
	"sort"
	"sync"
	"time"
)

// Registry holds the live instances of each service.
type Registry struct {
	mu       sync.Mutex
	ttl      time.Duration
	services map[string]map[string]time.Time // service → instance → last heartbeat
}

// DefaultTTL is the TTL of a zero Settings: three 1 s heartbeats missed.
const DefaultTTL = 3 * time.Second

// New makes a registry that drops an instance ttl after its last
// heartbeat (DefaultTTL when ttl ≤ 0).
func New(ttl time.Duration) *Registry {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Registry{ttl: ttl, services: map[string]map[string]time.Time{}}
}

// TTL is how long after its last heartbeat an instance is dropped.
func (r *Registry) TTL() time.Duration { return r.ttl }

// Register lists instance id of service as alive at lab time at (a
// registration is a first heartbeat).
func (r *Registry) Register(service, id string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.services[service]
	if m == nil {
		m = map[string]time.Time{}
		r.services[service] = m
	}
	if last, ok := m[id]; !ok || at.After(last) {
		m[id] = at
	}
}

// Heartbeat renews instance id at lab time at and reports whether it was
// listed; an instance that was dropped must Register again (as a Eureka
// client re-registers on a 404).
func (r *Registry) Heartbeat(service, id string, at time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.services[service]
	last, ok := m[id]
	if !ok {
		return false
	}
	if at.Sub(last) >= r.ttl { // due to be dropped already: too late to renew
		delete(m, id)
		return false
	}
	if at.After(last) {
		m[id] = at
	}
	return true
}

// Deregister takes instance id off the list at once (a graceful shutdown).
func (r *Registry) Deregister(service, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.services[service], id)
}

// Expire drops the instances of service whose last heartbeat is ttl or more
// before lab time at, and returns them with their last heartbeat, oldest
// first.
func (r *Registry) Expire(service string, at time.Time) []Dropped {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Dropped
	for id, last := range r.services[service] {
		if at.Sub(last) >= r.ttl {
			delete(r.services[service], id)
			out = append(out, Dropped{ID: id, Last: last})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Last.Before(out[j].Last) || (out[i].Last.Equal(out[j].Last) && out[i].ID < out[j].ID)
	})
	return out
}

// Dropped is an instance Expire took off the list, and its last heartbeat.
type Dropped struct {
	ID   string
	Last time.Time
}

// Discover lists the instances of service alive at lab time at, sorted by
// id, dropping those whose TTL has passed.
func (r *Registry) Discover(service string, at time.Time) []string {
	r.Expire(service, at)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.services[service]))
	for id := range r.services[service] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Listed reports whether instance id of service is listed (without
// expiring anything).
func (r *Registry) Listed(service, id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.services[service][id]
	return ok
}
