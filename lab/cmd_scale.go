package lab

import (
	"fmt"

	"github.com/scalelab/scalelab/lab/args"
)

var scaleCommand = command("scale", func() action { return &scaleAction{} },
	"add web servers behind the balancer until there are N (horizontal scaling)",
	"scale web 5")

type scaleAction struct{ n int }

func (a *scaleAction) declare(s *args.Set) {
	s.Or("web", nil).IntArg("N", 1, MaxWebs, &a.n)
}

func (a *scaleAction) apply(l *Lab) error {
	have := len(l.webNames())
	if a.n < have {
		return fmt.Errorf("scale web: there are already %d web servers; scaling only adds (kill servers to take capacity away)", have)
	}
	for i := have + 1; i <= a.n; i++ {
		name := fmt.Sprintf("web-%d", i)
		if err := l.addWeb(name, l.preset.Web); err != nil {
			return err
		}
		l.registerServer(name)
		l.registerWeb(name)
	}
	if a.n > have {
		l.event(Event{Kind: KindState, Component: "web", Detail: fmt.Sprintf("scaled from %d to %d web servers", have, a.n)})
	}
	return nil
}
