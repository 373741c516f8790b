package lab

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/lab/args"
)

var breakerCommand = command("breaker", func() action { return &breakerAction{} },
	"tune a circuit breaker: failures that trip it, how long it stays open, half-open trial calls; or take it out of the call path (off) and put it back (on)",
	"breaker payments threshold=5 open=10s")

type breakerAction struct {
	name              string
	power             args.Opt[string] // on or off
	threshold, trials args.Opt[int]
	open              args.Opt[time.Duration]
}

func (a *breakerAction) declare(s *args.Set) {
	s.TargetArg(TargetBreaker, &a.name)
	s.Words([]string{"on", "off"}, &a.power)
	s.Int("threshold", 1, 1_000_000, &a.threshold)
	s.Duration("open", time.Millisecond, time.Hour, &a.open)
	s.Int("trials", 1, 100, &a.trials)
	s.NeedOne()
}

func (a *breakerAction) apply(l *Lab) error {
	if l.breaker == nil || a.name != "payments" {
		return fmt.Errorf("breaker: no breaker called %q (the breaker guards payments)", a.name)
	}
	off := a.power.V == "off"
	if off && (a.threshold.Set || a.open.Set || a.trials.Set) {
		return errors.New("breaker: off takes no settings; give them when you turn it on")
	}
	l.breaker.Configure(a.threshold.V, a.open.V, a.trials.V)
	if was := l.breakerOn.Swap(!off); was == off {
		to := "on"
		if off {
			to = "off"
		}
		l.event(Event{Kind: KindState, Component: a.name, Detail: "breaker turned " + to})
	}
	return nil
}
