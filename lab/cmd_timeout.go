package lab

import (
	"fmt"
	"time"

	"github.com/scalelab/scalelab/lab/args"
)

var timeoutCommand = command("timeout", func() action { return &timeoutAction{} },
	"set the caller's deadline for calls to a tier: web (the client's), db (a web server's, to the shards) or payments; a timed-out call fails at the deadline while the server may still be working on it",
	"timeout payments 300ms")

// Bounds of a deadline.
const (
	minTimeout = time.Millisecond
	maxTimeout = 10 * time.Minute
)

type timeoutAction struct {
	name string
	d    time.Duration
}

func (a *timeoutAction) declare(s *args.Set) {
	s.ChoiceArg(calleeNames, &a.name)
	s.DurationArg("D", minTimeout, maxTimeout, &a.d)
}

func (a *timeoutAction) apply(l *Lab) error {
	c := calleeOf(a.name)
	if !l.has(c) {
		return fmt.Errorf("timeout: the %s preset has no %s tier", l.preset.Name, a.name)
	}
	was := l.deadline(c)
	l.calls.deadline[c].Store(int64(a.d))
	l.event(Event{Kind: KindState, Component: a.name, From: was.String(), To: a.d.String(), Detail: "timeout"})
	return nil
}

// calleeOf is the callee a name (one of calleeNames) stands for.
func calleeOf(name string) callee {
	for i, n := range calleeNames {
		if n == name {
			return callee(i)
		}
	}
	panic("calleeOf: " + name) // names are checked by the parser
}
