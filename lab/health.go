package lab

import (
	"fmt"
	"sync"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/crash"
)

// healthChecker is the balancer's active health checking, as HAProxy's
// `check inter 1s fall 2 rise 2`: every interval each web server gets a
// probe; `fails` failures in a row eject it from the balancer, `passes`
// successes in a row bring it back. Between a crash and its detection the
// balancer keeps sending traffic to the dead server, which is what a learner
// should see.
type healthChecker struct {
	l    *Lab
	mu   sync.Mutex
	conf HealthConf
	wake chan struct{}
	// per web server, by balancer index
	fails, passes []int
	ejected       []bool
}

func newHealthChecker(l *Lab, c HealthConf) *healthChecker {
	return &healthChecker{l: l, conf: c, wake: make(chan struct{})}
}

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
		next = next.Add(time.Duration(conf.Interval))
		if now := clk.Now(); next.Before(now) {
			next = now
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
		h.round(conf)
	}
}

// round probes every web server at once and waits for the answers.
func (h *healthChecker) round(c HealthConf) {
	webs := *h.l.webs.Load() // immutable snapshot
	ok := make([]bool, len(webs))
	var wg sync.WaitGroup
	now := h.l.clock.Now()
	for i, w := range webs {
		wg.Add(1)
		crash.Go(func() {
			defer wg.Done()
			res := w.b.Do(backend.Request{Arrive: now, Timeout: h.probeTimeout(c)})
			ok[i] = res.Err == nil
		})
	}
	wg.Wait()
	h.mu.Lock()
	for len(h.fails) < len(webs) {
		h.fails, h.passes, h.ejected = append(h.fails, 0), append(h.passes, 0), append(h.ejected, false)
	}
	type change struct {
		i  int
		up bool
		n  int
	}
	var changes []change
	for i, good := range ok {
		if good {
			h.fails[i] = 0
			h.passes[i]++
			if h.ejected[i] && h.passes[i] >= c.Passes {
				h.ejected[i] = false
				changes = append(changes, change{i, true, h.passes[i]})
			}
		} else {
			h.passes[i] = 0
			h.fails[i]++
			if !h.ejected[i] && h.fails[i] >= c.Fails {
				h.ejected[i] = true
				changes = append(changes, change{i, false, h.fails[i]})
			}
		}
	}
	h.mu.Unlock()
	for _, ch := range changes {
		if ch.up {
			h.mark(ch.i, true, fmt.Sprintf("%d probes passed", ch.n))
		} else {
			h.mark(ch.i, false, fmt.Sprintf("%d probes failed", ch.n))
		}
	}
}

func (h *healthChecker) mark(i int, healthy bool, why string) {
	name := h.l.web(i).b.Name()
	_ = h.l.lb.SetHealthy(name, healthy)
	from, to := "healthy", "ejected"
	if healthy {
		from, to = to, from
	}
	h.l.event(Event{Kind: KindState, Component: name, From: from, To: to, Detail: "balancer: " + why})
}
