package lab

import (
	"fmt"

	"github.com/scalelab/scalelab/lab/args"
)

var scaleCommand = command("scale", func() action { return &scaleAction{} },
	"set the number of web servers behind the balancer to N: scaling out adds servers (horizontal scaling), scaling in drains the newest (no new requests; they finish what they have, then go)",
	"scale web 5")

type scaleAction struct{ n int }

func (a *scaleAction) declare(s *args.Set) {
	s.Or("web", nil).IntArg("N", 1, MaxWebs, &a.n)
}

func (a *scaleAction) apply(l *Lab) error {
	have, err := l.setWebs(a.n, 0)
	if err != nil {
		return err
	}
	switch {
	case a.n > have:
		l.event(Event{Kind: KindState, Component: "web", Detail: fmt.Sprintf("scaled from %d to %d web servers", have, a.n)})
	case a.n < have:
		l.event(Event{Kind: KindState, Component: "web", Detail: fmt.Sprintf("scaling in from %d to %d web servers: draining %d", have, a.n, have-a.n)})
	}
	return nil
}
