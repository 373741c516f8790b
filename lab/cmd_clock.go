package lab

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/scalelab/scalelab/components/clock"
	"github.com/scalelab/scalelab/lab/args"
)

// The clock commands: speed sets how fast lab time runs, wait lets it pass.

var speedCommand = command("speed", func() action { return &speedAction{} },
	"run the lab clock slower or faster than real time",
	"speed 0.25x")

type speedAction struct{ x float64 }

func (a *speedAction) declare(s *args.Set) {
	hint := fmt.Sprintf("X (%gx..%gx)", clock.MinSpeed, clock.MaxSpeed)
	s.FuncArg(hint, nil, func(v string) (err error) {
		a.x, err = ParseSpeed(v)
		return err
	})
}

// ParseSpeed reads a clock speed written "0.25x", "2" or "10x", in the
// clock's range.
func ParseSpeed(s string) (float64, error) {
	x, err := args.ParseFloat(strings.TrimSuffix(s, "x"), math.Inf(-1), math.Inf(1))
	if err != nil {
		return 0, fmt.Errorf("%q is not a speed (like 0.25x, 2x, 10x)", args.Clip(s))
	}
	if x < clock.MinSpeed || x > clock.MaxSpeed {
		return 0, fmt.Errorf("speed %gx is out of range %gx..%gx", x, clock.MinSpeed, clock.MaxSpeed)
	}
	return x, nil
}

func (a *speedAction) apply(l *Lab) error {
	l.pace.ask(a.x)
	return nil
}

var waitCommand = command("wait", func() action { return &waitAction{} },
	"let lab time pass before the next command (scripts and lessons)",
	"wait 10s")

type waitAction struct{ d time.Duration }

func (a *waitAction) declare(s *args.Set) {
	s.DurationArg("DURATION", 0, MaxWait, &a.d)
}

func (a *waitAction) apply(l *Lab) error {
	if !l.clock.Sleep(a.d, l.stop) {
		return errors.New("lab stopped")
	}
	return nil
}

var freezeCommand = command("freeze", func() action { return &freezeAction{} },
	"stop lab time entirely — no arrivals, no service, no timers — so every panel holds still (thaw goes on)",
	"freeze")

var thawCommand = command("thaw", func() action { return &freezeAction{thaw: true} },
	"start lab time again after freeze, from the moment it stopped (nothing fell due meanwhile)",
	"thaw")

type freezeAction struct{ thaw bool }

func (a *freezeAction) declare(*args.Set) {}

func (a *freezeAction) apply(l *Lab) error {
	if a.thaw {
		if !l.clock.Thaw() {
			return errors.New("thaw: the clock is not frozen")
		}
		l.pace.thawed()
		l.event(Event{Kind: KindState, Component: "clock", From: "frozen", To: "running", Detail: "lab time goes on from where it stopped"})
		return nil
	}
	if !l.clock.Freeze() {
		return errors.New("freeze: the clock is frozen already (thaw starts it)")
	}
	l.event(Event{Kind: KindState, Component: "clock", From: "running", To: "frozen", Detail: "lab time stopped: no arrivals, no service, no timers until thaw"})
	return nil
}
