package lab

import (
	"fmt"
	"strings"
	"time"

	"github.com/scalelab/scalelab/components/queue"
	"github.com/scalelab/scalelab/lab/args"
)

var queueCommand = command("queue", func() action { return &queueAction{} },
	"tune the write queue: consumer count, buffer size, what publishers do when it is full, retries",
	"queue consumers=4 capacity=500")

type queueAction struct {
	consumers, capacity, attempts args.Opt[int]
	full                          args.Opt[queue.FullPolicy]
	retry                         args.Opt[time.Duration]
}

func (a *queueAction) declare(s *args.Set) {
	s.Int("consumers", 0, 256, &a.consumers)
	s.Int("capacity", 1, queue.MaxCapacity, &a.capacity)
	s.Func("full", strings.Join(queue.FullPolicyNames, "|"), queue.FullPolicyNames, func(v string) error {
		p, err := queue.ParseFullPolicy(v)
		a.full = args.Opt[queue.FullPolicy]{V: p, Set: err == nil}
		return err
	})
	s.Int("attempts", 1, 100, &a.attempts)
	s.Duration("retry", 0, time.Hour, &a.retry)
	s.NeedOne()
}

func (a *queueAction) apply(l *Lab) error {
	if l.broker == nil {
		return fmt.Errorf("queue: the %s preset has no queue", l.preset.Name)
	}
	st, _ := l.broker.Topic(writesTopic)
	cfg := l.queueConf
	cfg.Capacity = a.capacity.Or(cfg.Capacity)
	cfg.WhenFull = a.full.Or(cfg.WhenFull)
	cfg.MaxAttempts = a.attempts.Or(cfg.MaxAttempts)
	cfg.RetryDelay = a.retry.Or(cfg.RetryDelay)
	if cfg != l.queueConf {
		if err := l.broker.Configure(writesTopic, cfg); err != nil {
			return err
		}
		l.queueConf = cfg
		l.blockWhenFull.Store(cfg.WhenFull == queue.Block)
	}
	if a.consumers.Set && a.consumers.V != st.Consumers {
		return l.broker.SetConsumers(writesTopic, a.consumers.V)
	}
	return nil
}
