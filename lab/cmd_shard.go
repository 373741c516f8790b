package lab

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scalelab/scalelab/components/shard"
	"github.com/scalelab/scalelab/lab/args"
)

var shardCommand = command("shard", func() action { return &shardAction{} },
	"add or remove a database shard (moving its keys) or change how keys map to shards",
	"shard strategy ring vnodes=100")

type shardAction struct {
	add, remove, restrategy bool // which form the line took
	name                    string
	strategy                string
	vnodes                  args.Opt[int]
}

func (a *shardAction) declare(s *args.Set) {
	s.Or("add", &a.add).FuncArg("NAME", nil, func(v string) error {
		if err := args.CheckName(v); err != nil {
			return err
		}
		if !strings.HasPrefix(v, "db-") {
			return errors.New("name shards db-N, like db-3")
		}
		a.name = v
		return nil
	}).Optional()
	s.Or("remove", &a.remove).TargetArg(TargetShard, &a.name)
	strategy := s.Or("strategy", &a.restrategy)
	strategy.ChoiceArg(shard.StrategyNames, &a.strategy)
	strategy.Int("vnodes", 1, shard.MaxVnodes, &a.vnodes).Check(func() error {
		if a.strategy != "ring" {
			return errors.New("only ring takes vnodes=N")
		}
		return nil
	})
}

func (a *shardAction) apply(l *Lab) error {
	if l.cluster == nil {
		return fmt.Errorf("shard: the %s preset has no database tier", l.preset.Name)
	}
	var moved int
	var err error
	var op string
	switch {
	case a.add:
		op = "add"
		if a.name != "" && l.server(a.name) != nil {
			return fmt.Errorf("shard add: %q already exists", a.name)
		}
		if n := len(l.cluster.Names()); n >= MaxShards {
			return fmt.Errorf("shard add: the lab already has %d shards, the most it takes", n)
		}
		name := a.name
		if name == "" {
			name = l.addDB()
		} else {
			l.newDB(name)
		}
		l.registerServer(name)
		moved, err = l.cluster.AddShard(name)
		if err == nil {
			l.tier.addShard(name)
		}
	case a.remove:
		op = "remove"
		s := l.server(a.name)
		if s == nil || s.role != RoleDB {
			return fmt.Errorf("shard remove: %q is not a shard; shards: %s", a.name, strings.Join(l.cluster.Names(), ", "))
		}
		moved, err = l.cluster.RemoveShard(a.name)
		if err == nil {
			l.tier.removeShard(a.name)
			l.removeServer(a.name)
		}
	case a.restrategy:
		op = "strategy"
		strat, serr := shard.NewStrategy(a.strategy, a.vnodes.V, uint64(l.preset.Keys))
		if serr != nil {
			return serr
		}
		moved = l.cluster.SetStrategy(strat)
	}
	if err != nil {
		return err
	}
	l.event(Event{Kind: KindState, Component: "shards", Detail: fmt.Sprintf("shard %s: %d keys moved", op, moved)})
	return nil
}
