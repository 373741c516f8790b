package lab

import (
	"fmt"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/backend"
)

// healthChecker is the balancer's active health checking, as HAProxy's
// `check inter 1s fall 2 rise 2`: every interval each web server gets a
// probe; `fails` failures in a row eject it from the balancer, `passes`
// successes in a row bring it back. Between a crash and its detection the
// balancer keeps sending traffic to the dead server, which is what a learner
// should see.
//
// Each probe is on its own, as HAProxy's are: it is timed from when it is
// sent (HAProxy's `timeout check`), not from when a worker picks it up, and
// it is judged as soon as it is answered or its time is up, so a hung
// server never holds up the verdict on another. A probe is stamped with
// the lab time it was due, like the load generator's requests, so a late
// timer does not put it ahead of requests that arrived before it.
type healthChecker struct {
	l       *Lab
	mu      sync.Mutex
	conf    HealthConf
	wake    chan struct{}
	probing sync.WaitGroup // probes waiting for an answer or their deadline
	// per web server, by balancer index
	fails, passes []int
	ejected       []bool
}

func newHealthChecker(l *Lab, c HealthConf) *healthChecker {
	return &healthChecker{l: l, conf: c, wake: make(chan struct{})}
}

// probeMargin is how late, in wall time, an answer may arrive and still
// be judged by its lab time (goroutine scheduling on a busy machine).
const probeMargin = 50 * time.Millisecond

// probeTimeout is how long a probe waits for an answer.
func (h *healthChecker) probeTimeout(c HealthConf) time.Duration {
	return min(time.Duration(c.Interval), 500*time.Millisecond)
}

func (h *healthChecker) set(c HealthConf) {
	h.mu.Lock()
	off := c.Interval == 0
	h.conf = c
	close(h.wake)
	h.wake = make(chan struct{})
	var restored []int
	if off { // without checks the balancer trusts every server
		for i, e := range h.ejected {
			if e {
				restored = append(restored, i)
				h.ejected[i] = false
			}
			h.fails[i], h.passes[i] = 0, 0
		}
	}
	h.mu.Unlock()
	for _, i := range restored {
		h.mark(i, true, "health checks off")
	}
}

func (h *healthChecker) run() {
	defer h.l.wg.Done()
	clk := h.l.clock
	next := clk.Now()
	for {
		select {
		case <-h.l.stop:
			return
		default:
		}
		h.mu.Lock()
		conf, wake := h.conf, h.wake
		h.mu.Unlock()
		if conf.Interval == 0 {
			select {
			case <-wake:
				next = clk.Now()
				continue
			case <-h.l.stop:
				return
			}
		}
		// On the interval's grid: a round a little late keeps its due
		// time; rounds a whole interval late are skipped, not sent in a
		// burst.
		every := time.Duration(conf.Interval)
		next = next.Add(every)
		for now := clk.Now(); !next.Add(every).After(now); {
			next = next.Add(every)
		}
		if !clk.SleepUntil(next, wake) {
			select {
			case <-h.l.stop:
				return
			default:
				next = clk.Now()
				continue
			}
		}
		h.round(conf, next)
	}
}

// forget clears what the checks counted for web server i, whose slot a
// new server takes.
func (h *healthChecker) forget(i int) {
	h.mu.Lock()
	if i < len(h.fails) {
		h.fails[i], h.passes[i], h.ejected[i] = 0, 0, false
	}
	h.mu.Unlock()
}

// round sends every web server a probe due at lab time at; each is judged
// on its own (see probe).
func (h *healthChecker) round(c HealthConf, at time.Time) {
	if h.l.tier != nil {
		h.l.tier.watchPrimaries(h, c, at)
	}
	webs := *h.l.webs.Load() // immutable snapshot
	timeout := h.probeTimeout(c)
	for i, w := range webs {
		if w.webPhase() == phaseRemoved {
			continue
		}
		h.probing.Add(1)
		h.l.Go(func() {
			defer h.probing.Done()
			h.judge(i, h.probe(w, at, timeout), c)
		})
	}
}

// probe sends w a health check due at lab time at and reports whether it
// was answered without error by at+timeout in lab time. (The server may
// answer later, or serve the probe long after: the checker has stopped
// listening, as HAProxy's does.) It waits on the lab clock for the
// deadline, and as much again as the lab is behind the wall clock, plus a
// scheduling margin: an answer that is on time in lab time but late to
// arrive on a busy machine still counts as on time.
func (h *healthChecker) probe(w *server, at time.Time, timeout time.Duration) bool {
	deadline := at.Add(timeout)
	// After the load generator's requests that arrived before it, as on
	// the wire: a probe sent while the generator is a little behind would
	// otherwise take a worker ahead of them. (A second of real time at
	// most: a generator that far behind is the pacer's to fix.)
	for give := time.Now().Add(time.Second); !h.l.load.sentBy(at) && time.Now().Before(give); {
		select {
		case <-h.l.stop:
			return false
		case <-time.After(time.Millisecond):
		}
	}
	answered := make(chan struct{})
	var res backend.Result
	w.b.Submit(backend.Request{Arrive: at, Timeout: timeout}, func(r backend.Result) {
		res = r
		close(answered)
	})
	clk := h.l.clock
	for wait := deadline; ; {
		if !clk.SleepUntil(wait, answered) {
			break // answered
		}
		// The deadline has passed on the lab clock. An answer on time in
		// lab time may still be on its way on a busy machine: wait as long
		// again as the lab is behind, and the backends' settling slack.
		margin := h.l.pace.stats().Lag + 4*clk.Slack() + time.Duration(float64(probeMargin)*clk.Speed())
		if next := deadline.Add(margin); next.After(wait) {
			wait = next
			continue
		}
		select {
		case <-answered: // at the last moment
		default:
			return false
		}
		break
	}
	return res.Err == nil && !res.End.After(deadline)
}

// judge counts probe i's verdict and ejects or restores the server when it
// has failed or passed enough in a row.
func (h *healthChecker) judge(i int, good bool, c HealthConf) {
	h.mu.Lock()
	if h.conf.Interval == 0 { // turned off while the probe was out
		h.mu.Unlock()
		return
	}
	for len(h.fails) <= i {
		h.fails, h.passes, h.ejected = append(h.fails, 0), append(h.passes, 0), append(h.ejected, false)
	}
	var eject, restore bool
	if good {
		h.fails[i] = 0
		h.passes[i]++
		restore = h.ejected[i] && h.passes[i] >= c.Passes
		if restore {
			h.ejected[i] = false
		}
	} else {
		h.passes[i] = 0
		h.fails[i]++
		eject = !h.ejected[i] && h.fails[i] >= c.Fails
		if eject {
			h.ejected[i] = true
		}
	}
	n := max(h.fails[i], h.passes[i])
	h.mu.Unlock()
	switch {
	case restore:
		h.mark(i, true, fmt.Sprintf("%d probes passed", n))
	case eject:
		h.mark(i, false, fmt.Sprintf("%d probes failed", n))
	}
}

func (h *healthChecker) mark(i int, healthy bool, why string) {
	if h.l.webGone(i) { // removed while its probe was out
		return
	}
	name := h.l.web(i).b.Name()
	_ = h.l.lb.SetHealthy(name, healthy)
	from, to := "healthy", "ejected"
	if healthy {
		from, to = to, from
	}
	h.l.event(Event{Kind: KindState, Component: name, From: from, To: to, Detail: "balancer: " + why})
}
