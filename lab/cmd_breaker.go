package lab

import (
	"fmt"
	"time"

	"github.com/scalelab/scalelab/lab/args"
)

var breakerCommand = &Spec{
	Name:    "breaker",
	Summary: "tune a circuit breaker: failures that trip it, how long it stays open, half-open trial calls",
	Example: "breaker payments threshold=5 open=10s",
	new:     func() action { return &breakerAction{} },
}

type breakerAction struct {
	name              string
	threshold, trials args.Opt[int]
	open              args.Opt[time.Duration]
}

func (a *breakerAction) declare(s *args.Set) {
	s.TargetArg(TargetBreaker, &a.name)
	s.Int("threshold", 1, 1000, &a.threshold)
	s.Duration("open", time.Millisecond, time.Hour, &a.open)
	s.Int("trials", 1, 100, &a.trials)
	s.NeedOne()
}

func (a *breakerAction) apply(l *Lab) error {
	if l.breaker == nil || a.name != "payments" {
		return fmt.Errorf("breaker: no breaker called %q (the breaker guards payments)", a.name)
	}
	l.breaker.Configure(a.threshold.V, a.open.V, a.trials.V)
	return nil
}
