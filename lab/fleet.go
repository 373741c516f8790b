package lab

// The web fleet: how many web servers there are, and their life cycle.
//
//	            scale out (warmup > 0)           warmup elapsed
//	  (new) ─────────────────────────▶ warming ─────────────────▶ serving
//	    │ scale out, no warmup                                      │  ▲
//	    └──────────────────────────────────────────────────────────▶│  │ scale out
//	                                                      scale in  ▼  │ (drain cancelled)
//	  removed ◀──────────────────────────────────────────────── draining
//	     │          no request in flight: stopped and removed
//	     └─▶ warming or serving again on a scale-out (the same name and slot)
//
// Warming and draining servers are out of service at the balancer: they get
// no new requests. A draining server finishes what it has, then goes. The
// balancer's slots are never reused for another name, so a request's index
// always names its server. Scaling in drains the newest servers first.
//
// The autoscaler (components/autoscale) runs on the fleet's goroutine once
// a lab second when on; the same goroutine ends warmups and drains.

import (
	"fmt"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/autoscale"
)

// webPhase is where a web server is in its life.
type webPhase int32

const (
	phaseServing  webPhase = iota // in service
	phaseWarming                  // added, not yet in service
	phaseDraining                 // out of service, finishing its requests
	phaseRemoved                  // stopped; its slot waits for a scale-out
)

var phaseWords = []string{"serving", "warming", "draining", "removed"}

func (p webPhase) String() string { return phaseWords[p] }

// fleet is the web tier's size and the autoscaler.
type fleet struct {
	mu     sync.Mutex // serialises changes of the fleet's size
	scaler *autoscale.Autoscaler
	warmup time.Duration // how long a server the autoscaler adds warms up
	last   autoscale.Decision
	wake   chan struct{} // closed when the autoscaler is turned on or off
}

// fleetTick is how often the fleet goroutine looks at warmups and drains;
// the autoscaler decides every autoscaleEvery.
const (
	fleetTick      = 250 * time.Millisecond
	autoscaleEvery = time.Second
)

func (s *server) webPhase() webPhase { return webPhase(s.phase.Load()) }

// webGone reports whether web server i has been removed.
func (l *Lab) webGone(i int) bool { return l.web(i).webPhase() == phaseRemoved }

// setWebs makes the fleet n web servers that are serving or warming: a
// scale-out first takes back draining servers, then brings removed ones
// back, then adds new ones, each warming for warmup (0: in service at
// once); a scale-in drains the newest. It returns the count before.
func (l *Lab) setWebs(n int, warmup time.Duration) (int, error) {
	f := &l.fleet
	f.mu.Lock()
	defer f.mu.Unlock()
	return l.setWebsLocked(n, warmup)
}

// setWebsLocked is setWebs with l.fleet.mu held.
func (l *Lab) setWebsLocked(n int, warmup time.Duration) (int, error) {
	webs := *l.webs.Load()
	var active []int
	for i, w := range webs {
		if p := w.webPhase(); p == phaseServing || p == phaseWarming {
			active = append(active, i)
		}
	}
	have := len(active)
	now := l.clock.Now()
	for k := have - 1; k >= n; k-- { // scale in: newest first
		w := webs[active[k]]
		w.phase.Store(int32(phaseDraining))
		l.deregister(w)
		l.putInService(w)
	}
	need := n - have
	for i := 0; i < len(webs) && need > 0; i++ { // take back draining servers
		if w := webs[i]; w.webPhase() == phaseDraining {
			w.phase.Store(int32(phaseServing))
			l.putInService(w)
			need--
		}
	}
	for i := 0; i < len(webs) && need > 0; i++ { // bring removed ones back
		if webs[i].webPhase() == phaseRemoved {
			l.reviveWeb(i, now, warmup)
			need--
		}
	}
	for ; need > 0; need-- {
		name := fmt.Sprintf("web-%d", len(*l.webs.Load())+1)
		if err := l.addWeb(name, l.preset.Web, warmup <= 0); err != nil {
			return have, err
		}
		l.registerServer(name)
		l.registerWeb(name)
		l.warm(len(*l.webs.Load())-1, now, warmup)
	}
	return have, nil
}

// addWeb starts web server name and puts it behind the balancer, in
// service or not. The server is published before the balancer can pick
// it, so a request never finds an index the lab does not know yet.
func (l *Lab) addWeb(name string, c ServerConf, inService bool) error {
	s := l.newServer(name, RoleWeb, c)
	if !inService {
		s.phase.Store(int32(phaseWarming))
	}
	l.mu.Lock()
	webs := append(append([]*server(nil), *l.webs.Load()...), s)
	l.webs.Store(&webs)
	l.mu.Unlock()
	add := l.lb.Add
	if !inService {
		add = l.lb.AddOutOfService
	}
	if _, err := add(name, 1); err != nil {
		return err
	}
	return nil
}

// warm puts web server i in service at once, or after warmup.
func (l *Lab) warm(i int, now time.Time, warmup time.Duration) {
	w := l.web(i)
	if warmup <= 0 {
		w.phase.Store(int32(phaseServing))
		l.putInService(w)
		return
	}
	w.until.Store(now.Add(warmup).UnixNano())
	w.phase.Store(int32(phaseWarming))
	l.putInService(w)
}

// reviveWeb starts a new server in removed slot i, under the same name.
func (l *Lab) reviveWeb(i int, now time.Time, warmup time.Duration) {
	name := l.web(i).b.Name()
	s := l.newServer(name, RoleWeb, l.preset.Web)
	l.mu.Lock()
	webs := append([]*server(nil), *l.webs.Load()...)
	webs[i] = s
	l.webs.Store(&webs)
	l.mu.Unlock()
	l.registerServer(name)
	l.health.forget(i)
	_ = l.lb.SetHealthy(name, true)
	l.warm(i, now, warmup)
}

// fleetLoop ends warmups and drains as they fall due, and runs the
// autoscaler once a lab second while it is on.
func (l *Lab) fleetLoop() {
	defer l.wg.Done()
	next := l.clock.Now()
	decide := next.Add(autoscaleEvery)
	for {
		next = next.Add(fleetTick)
		if !l.clock.SleepUntil(next, l.stop) {
			return
		}
		now := l.clock.Now()
		l.settleFleet(now)
		l.heartbeats(now)
		if !now.Before(decide) {
			decide = now.Add(autoscaleEvery)
			l.autoscale(now)
		}
	}
}

// settleFleet puts warmed servers in service and removes drained ones.
func (l *Lab) settleFleet(now time.Time) {
	f := &l.fleet
	f.mu.Lock()
	defer f.mu.Unlock()
	inflight := map[string]int{}
	for _, s := range l.lb.Stats().Servers {
		inflight[s.Name] = s.InFlight
	}
	for _, w := range *l.webs.Load() {
		name := w.b.Name()
		switch w.webPhase() {
		case phaseWarming:
			if !now.Before(time.Unix(0, w.until.Load())) {
				w.phase.Store(int32(phaseServing))
				l.putInService(w)
				l.event(Event{Kind: KindState, Component: name, From: "warming", To: "serving", Detail: "fleet: warmed up"})
			}
		case phaseDraining:
			if inflight[name] == 0 && w.b.Stats().Queued == 0 && w.b.Stats().Busy == 0 {
				w.phase.Store(int32(phaseRemoved))
				l.removeServer(name)
				l.event(Event{Kind: KindState, Component: name, From: "draining", To: "removed", Detail: "fleet: drained"})
			}
		}
	}
}

// autoscale asks the autoscaler, if on, and scales as it says.
func (l *Lab) autoscale(now time.Time) {
	f := &l.fleet
	f.mu.Lock()
	a, warmup := f.scaler, f.warmup
	f.mu.Unlock()
	if a == nil {
		return
	}
	fs := l.fleetStats(l.Snapshot().Servers)
	d := a.Decide(autoscale.Observation{At: now, Serving: fs.Serving, Warming: fs.Warming, Utilization: fs.Utilization})
	// The decision is published and acted on in one step under the fleet's
	// lock, so no snapshot sees a new desired count with the old fleet (as
	// if a cooldown held it back).
	f.mu.Lock()
	if f.scaler != a { // turned off or replaced meanwhile
		f.mu.Unlock()
		return
	}
	f.last = d
	if d.Action == autoscale.Hold {
		f.mu.Unlock()
		return
	}
	have, err := l.setWebsLocked(d.Count, warmup)
	f.mu.Unlock()
	if err != nil {
		l.event(Event{Kind: KindState, Component: "autoscale", Err: err.Error(), Detail: "autoscale: " + d.Action.String() + " failed"})
		return
	}
	l.event(Event{Kind: KindState, Component: "autoscale", From: fmt.Sprint(have), To: fmt.Sprint(d.Count), Detail: "autoscale: " + d.Action.String() + ": " + d.Reason})
}

// FleetStats is the web tier's size, life cycle and autoscaler.
type FleetStats struct {
	Serving, Warming, Draining  int
	WarmingNames, DrainingNames []string // the servers warming up and draining, by name
	Receiving                   int      // serving, healthy and in service: getting requests
	Utilization                 float64  // mean utilisation of the serving servers (last 5 s)
	Autoscale                   bool
	Target                      float64 // the autoscaler's utilisation target
	Min, Max                    int
	Desired                     int // the autoscaler's last desired count (the count, when off)
	Cooldown, Warmup            time.Duration
	Last                        string // the autoscaler's last decision and why
}

// fleetStats counts the web servers by phase; servers are the snapshot's.
func (l *Lab) fleetStats(servers []ServerStats) FleetStats {
	var fs FleetStats
	util := map[string]float64{}
	for _, s := range servers {
		if s.Role == RoleWeb {
			util[s.Name] = s.Utilization
		}
	}
	routable := map[string]bool{}
	for _, s := range l.lb.Stats().Servers {
		routable[s.Name] = s.Healthy && !s.OutOfService
	}
	f := &l.fleet
	f.mu.Lock() // phases and the autoscaler's last decision, as of one moment
	defer f.mu.Unlock()
	var sum float64
	for _, w := range *l.webs.Load() {
		name := w.b.Name()
		switch w.webPhase() {
		case phaseServing:
			fs.Serving++
			sum += util[name]
			if routable[name] {
				fs.Receiving++
			}
		case phaseWarming:
			fs.Warming++
			fs.WarmingNames = append(fs.WarmingNames, name)
		case phaseDraining:
			fs.Draining++
			fs.DrainingNames = append(fs.DrainingNames, name)
		}
	}
	fs.Utilization = ratio(sum, float64(fs.Serving))
	fs.Desired = fs.Serving + fs.Warming
	if a := f.scaler; a != nil {
		s := a.Settings()
		fs.Autoscale, fs.Target, fs.Min, fs.Max, fs.Cooldown, fs.Warmup = true, s.Target, s.Min, s.Max, s.ScaleOutCooldown, f.warmup
		if f.last.Desired > 0 {
			fs.Desired, fs.Last = f.last.Desired, f.last.Action.String()+": "+f.last.Reason
		}
	}
	return fs
}

var fleetMetrics = []MetricInfo{
	gauge("web.count", UnitCount, "web servers receiving traffic: serving, healthy and in service", func(s *Snapshot) float64 { return float64(s.Fleet.Receiving) }),
	gauge("web.serving", UnitCount, "web servers in service (healthy or not), not warming or draining", func(s *Snapshot) float64 { return float64(s.Fleet.Serving) }),
	gauge("web.warming", UnitCount, "web servers added and warming up: no traffic until their warmup has passed", func(s *Snapshot) float64 { return float64(s.Fleet.Warming) }),
	gauge("web.draining", UnitCount, "web servers being removed: no new traffic, finishing what they have", func(s *Snapshot) float64 { return float64(s.Fleet.Draining) }),
	gauge("web.utilization", UnitShare, "mean utilisation of the serving web servers (last 5 s): what the autoscaler tracks", func(s *Snapshot) float64 { return s.Fleet.Utilization }),
	gauge("autoscale.on", UnitBool, "1 while the web tier's autoscaler is on (`autoscale web target=P%`)", func(s *Snapshot) float64 { return b2f(s.Fleet.Autoscale) }),
	gauge("autoscale.target", UnitShare, "the autoscaler's utilisation target; 0 when off", func(s *Snapshot) float64 { return s.Fleet.Target }),
	gauge("autoscale.desired", UnitCount, "web servers the autoscaler wants: ceil(serving × utilisation / target) within min..max (serving + warming when off)", func(s *Snapshot) float64 { return float64(s.Fleet.Desired) }),
}
