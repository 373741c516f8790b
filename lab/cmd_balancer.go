package lab

import (
	"fmt"
	"strings"

	"github.com/scalelab/scalelab/components/balancer"
	"github.com/scalelab/scalelab/lab/args"
)

var balancerCommand = command("balancer", func() action { return &balancerAction{} },
	"choose the load-balancing policy; weights apply to any policy and matter to weighted",
	"balancer weighted web-1=5 web-2=1 web-3=1")

type balancerAction struct {
	policy  string
	weights []nameWeight
}

type nameWeight struct {
	name   string
	weight int
}

func (a *balancerAction) declare(s *args.Set) {
	s.ChoiceArg(balancer.PolicyNames(), &a.policy)
	s.Pairs("NAME=WEIGHT", 1, balancer.MaxWeight, func(name string, n int) {
		a.weights = append(a.weights, nameWeight{name, n})
	})
}

func (a *balancerAction) apply(l *Lab) error {
	for _, nw := range a.weights {
		if _, ok := l.lb.Index(nw.name); !ok {
			return fmt.Errorf("balancer: %q is not behind the balancer; web servers: %s", nw.name, strings.Join(l.webNames(), ", "))
		}
	}
	p, err := balancer.NewPolicy(a.policy, l.cfg.Seed)
	if err != nil {
		return err
	}
	for _, nw := range a.weights {
		if err := l.lb.SetWeight(nw.name, nw.weight); err != nil {
			return err
		}
	}
	l.lb.SetPolicy(p)
	return nil
}
