package lab

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scalelab/scalelab/lab/args"
)

// The fault commands — kill, revive, slow, errors, hang — share one action:
// each names a server and changes how it behaves, and each is announced as
// a fault event.

var (
	killCommand   = faultCommand(faultKill, "kill", "take a server down: it refuses connections and fails what it had queued", "kill web-2")
	reviveCommand = faultCommand(faultRevive, "revive", "bring a killed or hung server back up", "revive web-2")
	slowCommand   = faultCommand(faultSlow, "slow", "add latency to every request a server serves", "slow web-1 +200ms")
	errorsCommand = faultCommand(faultErrors, "errors", "make a server fail a share of the requests it serves", "errors payments 30%")
	hangCommand   = faultCommand(faultHang, "hang", "make a server accept requests and never answer (callers time out)", "hang db-1")
)

func faultCommand(kind faultKind, name, summary, example string) *Spec {
	return command(name, func() action { return &faultAction{kind: kind} }, summary, example)
}

type faultKind int

const (
	faultKill faultKind = iota
	faultRevive
	faultSlow
	faultErrors
	faultHang
)

type faultAction struct {
	kind  faultKind
	name  string
	off   bool
	extra time.Duration
	rate  float64
	word  string // hang's optional "off"
}

func (a *faultAction) declare(s *args.Set) {
	s.TargetArg(TargetServer, &a.name)
	switch a.kind {
	case faultSlow:
		s.FuncArg("+DURATION", nil, func(v string) error {
			if !strings.HasPrefix(v, "+") {
				return errors.New("write the added latency with a plus sign, like +200ms")
			}
			d, err := args.ParseDuration(v, 0, time.Minute)
			a.extra = d
			return err
		}).Or("off", &a.off)
	case faultErrors:
		s.PercentArg(&a.rate).Or("off", &a.off)
	case faultHang:
		s.ChoiceArg([]string{"off"}, &a.word).Optional()
	}
}

func (a *faultAction) apply(l *Lab) error {
	s, err := l.lookup(a.name)
	if err != nil {
		return err
	}
	off := a.off || a.word == "off"
	var detail string
	switch a.kind {
	case faultKill:
		s.b.SetDown(true)
		detail = "killed"
	case faultRevive:
		s.b.SetDown(false)
		s.b.SetHang(false)
		detail = "revived"
	case faultSlow:
		s.b.SetSlow(a.extra)
		detail = "slow +" + a.extra.String()
		if off {
			detail = "slow off"
		}
	case faultErrors:
		s.b.SetErrorRate(a.rate)
		detail = fmt.Sprintf("errors %g%%", a.rate*100)
		if off {
			detail = "errors off"
		}
	case faultHang:
		s.b.SetHang(!off)
		detail = "hang"
		if off {
			detail = "hang off"
		}
	}
	l.event(Event{Kind: KindFault, Component: a.name, Detail: detail})
	return nil
}
