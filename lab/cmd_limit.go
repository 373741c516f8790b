package lab

import (
	"errors"
	"fmt"

	"github.com/scalelab/scalelab/components/ratelimit"
	"github.com/scalelab/scalelab/lab/args"
)

var limitCommand = command("limit", func() action { return &limitAction{} },
	"rate-limit requests at the edge, before the balancer: a token bucket of RATE/s with bursts of burst= (per=key: one bucket per key); requests over it are refused at once (429) and counted apart from errors",
	"limit 1000/s burst=100")

// maxBurst bounds a bucket's capacity.
const maxBurst = 1_000_000

type limitAction struct {
	rate  float64
	off   bool
	burst args.Opt[int]
	per   args.Opt[string]
}

func (a *limitAction) declare(s *args.Set) {
	s.RateArg(MaxRateCap, &a.rate).Or("off", &a.off)
	s.Int("burst", 1, maxBurst, &a.burst)
	s.Choice("per", []string{"key"}, &a.per)
}

func (a *limitAction) apply(l *Lab) error {
	if a.off {
		if a.burst.Set || a.per.Set {
			return errors.New("limit: off takes no settings")
		}
		l.setLimit(nil)
		l.event(Event{Kind: KindState, Component: "limit", Detail: "rate limiter off"})
		return nil
	}
	if a.rate <= 0 {
		return errors.New("limit: a rate of 0 would refuse everything; give a rate above 0 (or limit off)")
	}
	// A burst of one second's worth by default, at least one token.
	burst := a.burst.Or(max(int(min(a.rate, maxBurst)), 1))
	l.setLimit(ratelimit.New(a.rate, burst, a.per.Set))
	what := fmt.Sprintf("rate limiter %g/s, burst %d", a.rate, burst)
	if a.per.Set {
		what += ", per key"
	}
	l.event(Event{Kind: KindState, Component: "limit", Detail: what})
	return nil
}
