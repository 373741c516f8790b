package lab

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/autoscale"
	"github.com/scalelab/scalelab/lab/args"
)

var autoscaleCommand = command("autoscale", func() action { return &autoscaleAction{} },
	"scale the web tier by target tracking: every lab second, desired = ceil(serving × mean utilisation / target), within min..max; after a scale-out no other for cooldown=, and no scale-in for cooldown= after any scaling; new servers warm up for warmup= before taking traffic; off stops it (the servers stay)",
	"autoscale web target=60% min=2 max=12 cooldown=10s warmup=5s")

// Defaults and bounds of the autoscaler's settings.
const (
	defaultCooldown = 10 * time.Second
	defaultWarmup   = 5 * time.Second
	maxCooldown     = time.Hour
)

type autoscaleAction struct {
	web, off         bool
	target           args.Opt[float64]
	min, max         args.Opt[int]
	cooldown, warmup args.Opt[time.Duration]
}

func (a *autoscaleAction) declare(s *args.Set) {
	f := s.Or("web", &a.web)
	f.Percent("target", &a.target).Check(func() error {
		if a.target.V == 0 {
			return errors.New("target: 0% would want infinitely many servers; give more than 0%, up to 100%")
		}
		return nil
	})
	f.Int("min", 1, MaxWebs, &a.min)
	f.Int("max", 1, MaxWebs, &a.max)
	f.Duration("cooldown", 0, maxCooldown, &a.cooldown)
	f.Duration("warmup", 0, maxCooldown, &a.warmup)
	f.NeedOne()
	s.Or("off", &a.off)
}

func (a *autoscaleAction) apply(l *Lab) error {
	f := &l.fleet
	if a.off {
		f.mu.Lock()
		was := f.scaler != nil
		f.scaler, f.last = nil, autoscale.Decision{}
		f.mu.Unlock()
		if was {
			l.event(Event{Kind: KindState, Component: "autoscale", Detail: "autoscale off: the web servers stay as they are"})
		}
		return nil
	}
	// Retune from what is set: "autoscale web cooldown=30s" keeps the target.
	f.mu.Lock()
	var s autoscale.Settings
	warmup := defaultWarmup
	if f.scaler != nil {
		s, warmup = f.scaler.Settings(), f.warmup
	} else {
		s = autoscale.Settings{Min: 1, Max: MaxWebs, ScaleOutCooldown: defaultCooldown, ScaleInCooldown: defaultCooldown}
	}
	f.mu.Unlock()
	if !a.target.Set && s.Target == 0 {
		return errors.New("autoscale web: give target=P%, the utilisation to hold (like target=60%)")
	}
	if a.target.Set {
		s.Target = a.target.V
	}
	if a.min.Set {
		s.Min = a.min.V
	}
	if a.max.Set {
		s.Max = a.max.V
	}
	if a.cooldown.Set {
		s.ScaleOutCooldown, s.ScaleInCooldown = a.cooldown.V, a.cooldown.V
	}
	if a.warmup.Set {
		warmup = a.warmup.V
	}
	if s.Max < s.Min {
		return fmt.Errorf("autoscale web: max=%d is below min=%d", s.Max, s.Min)
	}
	f.mu.Lock()
	if f.scaler != nil { // a retune: the cooldown in progress holds
		f.scaler = f.scaler.Retuned(s)
	} else {
		f.scaler = autoscale.New(s)
	}
	f.warmup, f.last = warmup, autoscale.Decision{}
	f.mu.Unlock()
	l.event(Event{Kind: KindState, Component: "autoscale", Detail: fmt.Sprintf("autoscale web: target %g%%, %d..%d servers, cooldown %s, warmup %s", s.Target*100, s.Min, s.Max, s.ScaleOutCooldown, warmup)})
	return nil
}
