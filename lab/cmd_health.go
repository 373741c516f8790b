package lab

import (
	"time"

	"github.com/scalelab/scalelab/lab/args"
)

var healthCommand = command("health", func() action { return &healthAction{} },
	"tune the balancer's health checks: probe period, failures to eject, successes to restore",
	"health interval=1s fails=2 passes=2")

type healthAction struct {
	off           bool
	interval      args.Opt[time.Duration]
	fails, passes args.Opt[int]
}

func (a *healthAction) declare(s *args.Set) {
	s.Duration("interval", 10*time.Millisecond, time.Minute, &a.interval)
	s.Int("fails", 1, 100, &a.fails)
	s.Int("passes", 1, 100, &a.passes)
	s.NeedOne()
	s.Or("off", &a.off)
}

func (a *healthAction) apply(l *Lab) error {
	l.health.mu.Lock()
	c := l.health.conf
	l.health.mu.Unlock()
	if a.off {
		c.Interval = 0
	} else {
		c.Interval = Duration(a.interval.Or(time.Duration(c.Interval)))
		if c.Interval == 0 {
			c.Interval = Duration(time.Second)
		}
		c.Fails, c.Passes = max(a.fails.Or(c.Fails), 1), max(a.passes.Or(c.Passes), 1)
	}
	l.health.set(c)
	return nil
}
