package lab

// Service discovery for the web tier (`discovery on`): every web server
// that is up registers with a registry and sends it heartbeats; one whose
// heartbeats stop (a killed server) is dropped ttl after its last, and the
// balancer routes only to the servers the registry lists. A hung server's
// heartbeats go on — its process is alive — so it stays listed: only the
// health checks' probes, which ask it to answer, find it out.
//
// Heartbeats and drops run on the fleet goroutine (fleet.go), every
// fleetTick, so a drop is noticed within a tick of its due time.

import (
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/discovery"
)

// webService is the name web servers register under.
const webService = "web"

// discoveryState is the registry, when discovery is on.
type discoveryState struct {
	mu    sync.Mutex
	reg   *discovery.Registry // nil: off, the balancer routes to every serving server
	every time.Duration       // heartbeat interval
	next  time.Time           // the next round of heartbeats
}

// registry returns the registry, or nil when discovery is off.
func (l *Lab) registry() *discovery.Registry {
	l.disc.mu.Lock()
	defer l.disc.mu.Unlock()
	return l.disc.reg
}

// putInService puts web server w in service at the balancer when it is serving
// and, with discovery on, listed by the registry; out of service otherwise.
func (l *Lab) putInService(w *server) {
	in := w.webPhase() == phaseServing
	if reg := l.registry(); reg != nil && in {
		in = reg.Listed(webService, w.b.Name())
	}
	_ = l.lb.SetInService(w.b.Name(), in)
}

// deregister takes a draining server off the registry at once, as a
// graceful shutdown does.
func (l *Lab) deregister(w *server) {
	if reg := l.registry(); reg != nil {
		reg.Deregister(webService, w.b.Name())
	}
}

// heartbeats sends a round of heartbeats when one is due — from every web
// server that is serving and not killed; an unlisted one registers — then
// drops the servers whose ttl has passed and routes by the list.
func (l *Lab) heartbeats(now time.Time) {
	d := &l.disc
	d.mu.Lock()
	reg, due := d.reg, !now.Before(d.next)
	if reg == nil {
		d.mu.Unlock()
		return
	}
	if due {
		for !d.next.After(now) {
			d.next = d.next.Add(d.every)
		}
	}
	d.mu.Unlock()
	webs := *l.webs.Load()
	if due {
		for _, w := range webs {
			if w.webPhase() != phaseServing || w.b.Stats().Health == backend.Down {
				continue
			}
			if name := w.b.Name(); !reg.Heartbeat(webService, name, now) {
				reg.Register(webService, name, now)
				l.event(Event{Kind: KindState, Component: name, To: "listed", Detail: "registry: registered"})
			}
		}
	}
	for _, gone := range reg.Expire(webService, now) {
		l.event(Event{Kind: KindState, Component: gone.ID, From: "listed", To: "dropped",
			Detail: "registry: no heartbeat since " + gone.Last.Sub(l.start).Round(time.Millisecond).String() + ", dropped after its ttl"})
	}
	l.fleet.mu.Lock() // no phase changes while routing by them
	for _, w := range *l.webs.Load() {
		if w.webPhase() != phaseRemoved {
			l.putInService(w)
		}
	}
	l.fleet.mu.Unlock()
}

// setDiscovery turns discovery on with a new registry (every serving web
// server that is up registers at once), or off (nil): the balancer routes
// to every serving server again.
func (l *Lab) setDiscovery(reg *discovery.Registry, every time.Duration) {
	now := l.clock.Now()
	if reg != nil {
		for _, w := range *l.webs.Load() {
			if w.webPhase() == phaseServing && w.b.Stats().Health != backend.Down {
				reg.Register(webService, w.b.Name(), now)
			}
		}
	}
	d := &l.disc
	d.mu.Lock()
	d.reg, d.every, d.next = reg, every, now.Add(every)
	d.mu.Unlock()
	l.fleet.mu.Lock()
	for _, w := range *l.webs.Load() {
		if w.webPhase() != phaseRemoved {
			l.putInService(w)
		}
	}
	l.fleet.mu.Unlock()
}

// DiscoveryStats is the service registry.
type DiscoveryStats struct {
	On        bool
	Heartbeat time.Duration
	TTL       time.Duration
	Listed    []string // web servers the registry lists, by name
}

func (l *Lab) discoveryStats(now time.Time) DiscoveryStats {
	d := &l.disc
	d.mu.Lock()
	reg, every := d.reg, d.every
	d.mu.Unlock()
	if reg == nil {
		return DiscoveryStats{}
	}
	var listed []string
	for _, w := range *l.webs.Load() {
		if name := w.b.Name(); reg.Listed(webService, name) {
			listed = append(listed, name)
		}
	}
	return DiscoveryStats{On: true, Heartbeat: every, TTL: reg.TTL(), Listed: listed}
}

// labelService labels a row by service.
const labelService = "service"

var perListed = labelled(labelBackend, func(s *Snapshot, yield func(string, *float64)) {
	for _, v := range s.Servers {
		if v.Role == RoleWeb && s.Discovery.On {
			x := 0.0
			for _, n := range s.Discovery.Listed {
				if n == v.Name {
					x = 1
				}
			}
			yield(v.Name, &x)
		}
	}
})

var discoveryMetrics = []MetricInfo{
	gauge("discovery.on", UnitBool, "1 while the web servers register with a service registry and the balancer routes only to those it lists (`discovery on`)", func(s *Snapshot) float64 { return b2f(s.Discovery.On) }),
	gauge("discovery.ttl", UnitMS, "how long after its last heartbeat the registry drops a server; 0 when off", func(s *Snapshot) float64 { return ms(s.Discovery.TTL) }),
	{Name: "registry.instances", Label: labelService, Unit: UnitCount, Meaning: "instances the service registry lists for a service (web), when discovery is on",
		read: func(s *Snapshot, emit func(string, float64)) {
			if s.Discovery.On {
				emit(webService, float64(len(s.Discovery.Listed)))
			}
		}},
	perListed("registry.listed", UnitBool, "1 while the service registry lists a web server (discovery on): its heartbeats arrive", func(x *float64) float64 { return *x }),
}
