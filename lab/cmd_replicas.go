package lab

import (
	"errors"
	"fmt"
	"time"

	"github.com/scalelab/scalelab/lab/args"
)

// The data tier's commands: replicas, read routing, failover.

var replicasCommand = command("replicas", func() action { return &replicasAction{} },
	"give every shard N read replicas (0 removes them), replicating asynchronously lag= after a write, or sync (a write waits for every live replica)",
	"replicas 2 lag=200ms")

type replicasAction struct {
	n    int
	lag  args.Opt[time.Duration]
	mode args.Opt[string] // sync or async
}

func (a *replicasAction) declare(s *args.Set) {
	s.IntArg("N", 0, MaxReplicas, &a.n)
	s.Duration("lag", 0, time.Minute, &a.lag)
	s.Words([]string{"sync", "async"}, &a.mode)
}

func (a *replicasAction) apply(l *Lab) error {
	if l.tier == nil {
		return fmt.Errorf("replicas: the %s preset has no database tier", l.preset.Name)
	}
	t := l.tier
	t.mu.Lock()
	lag, sync := t.lag, t.sync
	t.mu.Unlock()
	if a.lag.Set {
		lag = a.lag.V
	}
	if a.mode.Set {
		sync = a.mode.V == "sync"
	}
	if a.lag.Set && sync {
		return errors.New("replicas: lag= is for asynchronous replication; a sync write waits for its replicas instead")
	}
	t.setReplicas(a.n, lag, sync)
	mode := "async, lag " + lag.String()
	if sync {
		mode = "sync"
	}
	l.event(Event{Kind: KindState, Component: "shards", Detail: fmt.Sprintf("%d replica(s) per shard, %s", a.n, mode)})
	return nil
}

var readsCommand = command("reads", func() action { return &readsAction{} },
	"route database reads: all to the primary, round-robin over the replicas, or sticky=D (read-your-writes: a key written less than D ago is read from the primary)",
	"reads sticky=1s")

type readsAction struct {
	to     args.Opt[string] // primary or replicas
	sticky args.Opt[time.Duration]
}

func (a *readsAction) declare(s *args.Set) {
	s.Words([]string{"primary", "replicas"}, &a.to).In("to")
	s.Duration("sticky", time.Millisecond, time.Hour, &a.sticky).In("to")
	s.NeedOne()
}

func (a *readsAction) apply(l *Lab) error {
	if l.tier == nil {
		return fmt.Errorf("reads: the %s preset has no database tier", l.preset.Name)
	}
	mode := ReadPrimary
	switch {
	case a.sticky.Set:
		mode = ReadSticky
		l.tier.sticky.Store(int64(a.sticky.V))
	case a.to.V == "replicas":
		mode = ReadReplicas
	}
	l.tier.reads.Store(int32(mode))
	return nil
}

var failoverCommand = command("failover", func() action { return &failoverAction{} },
	"replace a dead primary by its most up-to-date replica by itself (auto, after its health checks fail) or only by hand (manual: promote NAME)",
	"failover auto")

type failoverAction struct{ mode string }

func (a *failoverAction) declare(s *args.Set) {
	s.ChoiceArg([]string{"auto", "manual"}, &a.mode)
}

func (a *failoverAction) apply(l *Lab) error {
	if l.tier == nil {
		return fmt.Errorf("failover: the %s preset has no database tier", l.preset.Name)
	}
	l.tier.auto.Store(a.mode == "auto")
	return nil
}

var promoteCommand = command("promote", func() action { return &promoteAction{} },
	"make a read replica its shard's primary (writes the old primary had not shipped to it are lost, and counted)",
	"promote db-1-r1")

type promoteAction struct{ name string }

func (a *promoteAction) declare(s *args.Set) {
	s.TargetArg(TargetServer, &a.name)
}

func (a *promoteAction) apply(l *Lab) error {
	if l.tier == nil {
		return fmt.Errorf("promote: the %s preset has no database tier", l.preset.Name)
	}
	return l.tier.promote(a.name, "by hand")
}
