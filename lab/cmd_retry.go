package lab

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/retry"
	"github.com/scalelab/scalelab/lab/args"
)

var retryCommand = command("retry", func() action { return &retryAction{} },
	"retry failed or timed-out calls to db or payments: up to attempts= in all, waiting backoff= doubling each time up to max=, randomised by jitter= (full: random(0, min(max, backoff·2^n))), at most budget= of the calls retried; retries pass through the breaker; off stops retrying",
	"retry payments attempts=3 backoff=50ms max=1s jitter=full budget=10%")

// Bounds of a retry policy.
const (
	maxAttempts = 10
	maxBackoff  = time.Minute
)

type retryAction struct {
	name         string
	off          args.Opt[string]
	attempts     args.Opt[int]
	backoff, max args.Opt[time.Duration]
	jitter       args.Opt[string]
	budget       args.Opt[float64]
	noBudget     bool
}

func (a *retryAction) declare(s *args.Set) {
	s.ChoiceArg(retryNames, &a.name)
	s.Words([]string{"off"}, &a.off)
	s.Int("attempts", 1, maxAttempts, &a.attempts)
	s.Duration("backoff", 0, maxBackoff, &a.backoff)
	s.Duration("max", 0, maxBackoff, &a.max)
	s.Choice("jitter", retry.JitterNames, &a.jitter)
	s.Func("budget", "P%|off", []string{"off"}, func(v string) error {
		if v == "off" {
			a.noBudget = true
			return nil
		}
		p, err := args.ParsePercent(v)
		if err != nil {
			return err
		}
		if p == 0 {
			return errors.New("0% would allow no retries at all; give more than 0%, up to 100% (or budget=off)")
		}
		a.budget = args.Opt[float64]{V: p, Set: true}
		return nil
	})
	s.NeedOne()
}

func (a *retryAction) apply(l *Lab) error {
	c := calleeOf(a.name)
	if !l.has(c) {
		return fmt.Errorf("retry: the %s preset has no %s tier", l.preset.Name, a.name)
	}
	old := l.calls.retrier[c].Load()
	if a.off.Set {
		if a.attempts.Set || a.backoff.Set || a.max.Set || a.jitter.Set || a.budget.Set || a.noBudget {
			return errors.New("retry: off takes no settings")
		}
		l.calls.retrier[c].Store(nil)
		l.event(Event{Kind: KindState, Component: a.name, Detail: "retries off"})
		return nil
	}
	// Retune from what is set: "retry payments budget=10%" keeps the attempts.
	p := retry.Policy{Attempts: 1, Jitter: retry.FullJitter}
	var b *retry.Budget
	if old != nil {
		p, b = old.Policy(), old.Budget()
	}
	if a.attempts.Set {
		p.Attempts = a.attempts.V
	}
	if a.backoff.Set {
		p.Base = a.backoff.V
	}
	if a.max.Set {
		p.Max = a.max.V
	}
	if a.jitter.Set {
		p.Jitter, _ = retry.ParseJitter(a.jitter.V)
	}
	if p.Max > 0 && p.Max < p.Base {
		return fmt.Errorf("retry: max=%s is below backoff=%s: the cap must be at least the first wait", p.Max, p.Base)
	}
	switch {
	case a.noBudget:
		b = nil
	case a.budget.Set:
		b = retry.NewBudget(retry.BudgetSettings{Ratio: a.budget.V})
	}
	l.calls.retrier[c].Store(l.newRetrier(c, p, b))
	l.event(Event{Kind: KindState, Component: a.name, Detail: "retries: " + retryText(p, b)})
	return nil
}

// retryText describes a retry policy for events and panels.
func retryText(p retry.Policy, b *retry.Budget) string {
	s := fmt.Sprintf("%d attempts", p.Attempts)
	if p.Base == 0 {
		s += ", at once"
	} else {
		s += fmt.Sprintf(", backoff %s", p.Base)
		if p.Max > 0 {
			s += fmt.Sprintf(" up to %s", p.Max)
		}
		s += ", " + p.Jitter.String() + " jitter"
	}
	if b != nil {
		s += fmt.Sprintf(", budget %g%%", b.Ratio()*100)
	}
	return s
}
