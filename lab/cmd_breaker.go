package lab

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/lab/args"
)

var breakerCommand = command("breaker", func() action { return &breakerAction{} },
	"tune a circuit breaker: what trips it (threshold= failures in a row, or a failing ratio= of at least min= calls in the last window=), how long it stays open, half-open trial calls; or take it out of the call path (off) and put it back (on)",
	"breaker payments threshold=5 open=10s")

// Bounds of the breaker's settings, shared by the command and presets.
const (
	breakerMaxCount  = 1_000_000 // threshold and min
	breakerMinWindow = 100 * time.Millisecond
	breakerMaxWindow = time.Hour
)

type breakerAction struct {
	name              string
	power             args.Opt[string] // on or off
	threshold, trials args.Opt[int]
	open              args.Opt[time.Duration]
	ratio             args.Opt[float64] // switches to the ratio rule
	min               args.Opt[int]
	window            args.Opt[time.Duration]
}

// errTwoRules is given when one line mixes the two trip rules' settings.
var errTwoRules = errors.New("threshold sets the consecutive rule, min and window the ratio rule: give one rule")

func (a *breakerAction) declare(s *args.Set) {
	s.TargetArg(TargetBreaker, &a.name)
	s.Words([]string{"on", "off"}, &a.power)
	s.Int("threshold", 1, breakerMaxCount, &a.threshold).In("rule").Check(func() error {
		if a.min.Set || a.window.Set {
			return errTwoRules
		}
		return nil
	})
	s.Percent("ratio", &a.ratio).In("rule").Check(func() error {
		if a.ratio.V == 0 {
			return errors.New("ratio: 0% would trip on any failure; give more than 0%, up to 100%")
		}
		return nil
	})
	notThreshold := func() error {
		if a.threshold.Set {
			return errTwoRules
		}
		return nil
	}
	s.Int("min", 1, breakerMaxCount, &a.min).Check(notThreshold)
	s.Duration("window", breakerMinWindow, breakerMaxWindow, &a.window).Check(notThreshold)
	s.Duration("open", time.Millisecond, time.Hour, &a.open)
	s.Int("trials", 1, 100, &a.trials)
	s.NeedOne()
}

func (a *breakerAction) apply(l *Lab) error {
	if l.breaker == nil || a.name != "payments" {
		return fmt.Errorf("breaker: no breaker called %q (the breaker guards payments)", a.name)
	}
	off := a.power.V == "off"
	if off && (a.threshold.Set || a.ratio.Set || a.min.Set || a.window.Set || a.open.Set || a.trials.Set) {
		return errors.New("breaker: off takes no settings; give them when you turn it on")
	}
	rule := l.breaker.Stats().Mode
	if (a.min.Set || a.window.Set) && !a.ratio.Set && rule != breaker.FailureRatio {
		return fmt.Errorf("breaker: min and window tune the ratio rule, and %s trips on failures in a row: give ratio=P%% too (like ratio=50%% min=20 window=10s)", a.name)
	}
	switch {
	case a.threshold.Set:
		l.breaker.TripOnConsecutive(a.threshold.V)
	case a.ratio.Set || a.min.Set || a.window.Set:
		l.breaker.TripOnRatio(a.ratio.V, a.min.V, a.window.V)
	}
	l.breaker.Configure(0, a.open.V, a.trials.V)
	if now := breakerStatsOf(l.breaker.Stats()); now.Mode != rule {
		l.event(Event{Kind: KindState, Component: a.name, Detail: "breaker now trips at " + now.Rule()})
	}
	if was := l.breakerOn.Swap(!off); was == off {
		to := "on"
		if off {
			to = "off"
		}
		l.event(Event{Kind: KindState, Component: a.name, Detail: "breaker turned " + to})
	}
	return nil
}
