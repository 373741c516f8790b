package lab

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scalelab/scalelab/components/balancer"
	"github.com/scalelab/scalelab/components/queue"
	"github.com/scalelab/scalelab/components/shard"
)

// Sources of commands, recorded with every command event.
const (
	SourceTyped  = "typed"
	SourceKey    = "key"
	SourceLesson = "lesson"
	SourceScript = "script"
	SourceReplay = "replay"
)

// Exec parses and runs one line from source. A line that fails to parse or
// apply changes nothing. Blocking commands (wait, expect … within) block
// the caller; run them off the UI goroutine.
func (l *Lab) Exec(line, source string) error {
	c, err := Parse(line)
	if err != nil {
		l.event(Event{Kind: KindCommand, Source: source, Line: strings.TrimSpace(line), Err: err.Error()})
		return err
	}
	if c == nil {
		return nil
	}
	return l.Run(c, source)
}

// Run runs a parsed command and records it on the bus.
func (l *Lab) Run(c *Command, source string) error {
	select {
	case <-l.stop:
		return errors.New("lab stopped")
	default:
	}
	e := Event{Kind: KindCommand, Source: source, Line: c.Line}
	if _, isWait := c.Wait(); isWait {
		// A wait is logged as it starts, so it shows up when it begins and
		// a replay that runs each command at its logged time finds it there.
		l.event(e)
		return c.action.apply(l)
	}
	if _, isExpect := c.Expect(); !isExpect {
		// expect reports itself when it settles; other commands are logged
		// when they have applied (at once), with their error if any.
		defer func() { l.event(e) }()
	}
	err := c.action.apply(l)
	if err != nil {
		e.Err = err.Error()
	}
	return err
}

func (a loadAction) apply(l *Lab) error {
	spec, paused := l.Load()
	if a.off {
		spec.Rate = 0
		l.load.set(spec, paused)
		return nil
	}
	if a.rate != nil {
		if *a.rate > l.cfg.MaxRate {
			return fmt.Errorf("load: %s asks for %.0f/s, above the cap of %.0f/s (raise it with --max-rate)", a.rateWord.s, *a.rate, l.cfg.MaxRate)
		}
		spec.Rate = *a.rate
	}
	if a.keys != nil {
		if *a.keys > l.preset.Keys {
			return fmt.Errorf("load: %s is more keys than the %s preset holds (%d)", a.keysWord.s, l.preset.Name, l.preset.Keys)
		}
		spec.Keys = *a.keys
	}
	if a.poisson != nil {
		spec.Poisson = *a.poisson
	}
	if a.dist != nil {
		spec.Dist = *a.dist
	}
	if a.zipfS != nil {
		spec.ZipfS = *a.zipfS
	}
	if a.hotFrac != nil {
		spec.HotFrac = *a.hotFrac
	}
	if a.reads != nil {
		spec.Reads = *a.reads
	}
	if spec.Dist == KeysZipf && spec.Keys < 2 {
		return fmt.Errorf("load: zipf needs at least 2 keys")
	}
	l.load.set(spec, paused)
	return nil
}

func (a pauseAction) apply(l *Lab) error {
	spec, _ := l.Load()
	l.load.set(spec, true)
	return nil
}

func (a resumeAction) apply(l *Lab) error {
	spec, _ := l.Load()
	l.load.set(spec, false)
	return nil
}

// lookup finds a server by name, with an error listing the known ones.
func (l *Lab) lookup(name string) (*server, error) {
	if s := l.server(name); s != nil {
		return s, nil
	}
	return nil, fmt.Errorf("unknown server %q; servers: %s", name, strings.Join(l.serverNames(), ", "))
}

func (a backendAction) apply(l *Lab) error {
	s, err := l.lookup(a.name)
	if err != nil {
		return err
	}
	if a.workers != nil {
		s.b.SetWorkers(*a.workers)
	}
	if a.queue != nil {
		s.b.SetQueueSize(*a.queue)
	}
	if a.service != nil {
		s.b.SetService(*a.service)
	}
	return nil
}

func (a faultAction) apply(l *Lab) error {
	s, err := l.lookup(a.name)
	if err != nil {
		return err
	}
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
		if a.off {
			detail = "slow off"
		}
	case faultErrors:
		s.b.SetErrorRate(a.rate)
		detail = fmt.Sprintf("errors %g%%", a.rate*100)
		if a.off {
			detail = "errors off"
		}
	case faultHang:
		s.b.SetHang(!a.off)
		detail = "hang"
		if a.off {
			detail = "hang off"
		}
	}
	l.event(Event{Kind: KindFault, Component: a.name, Detail: detail})
	return nil
}

func (a balancerAction) apply(l *Lab) error {
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

func (l *Lab) webNames() []string {
	webs := *l.webs.Load()
	names := make([]string, len(webs))
	for i, w := range webs {
		names[i] = w.b.Name()
	}
	return names
}

func (a cacheAction) apply(l *Lab) error {
	if l.cache == nil {
		return fmt.Errorf("cache: the %s preset has no cache", l.preset.Name)
	}
	if a.size != nil {
		l.cache.Resize(*a.size)
	}
	if a.ttl != nil {
		l.cache.SetTTL(*a.ttl)
	}
	if a.delay != nil {
		l.behind.SetDelay(*a.delay)
	}
	if a.mode != nil {
		l.mode.Store(int32(*a.mode))
	}
	if a.clear {
		l.cache.Purge()
	}
	return nil
}

func (a shardAction) apply(l *Lab) error {
	if l.cluster == nil {
		return fmt.Errorf("shard: the %s preset has no database tier", l.preset.Name)
	}
	var moved int
	var err error
	switch a.op {
	case "add":
		if a.name != "" && l.server(a.name) != nil {
			return fmt.Errorf("shard add: %q already exists", a.name)
		}
		if a.name != "" && !strings.HasPrefix(a.name, "db-") {
			return fmt.Errorf("shard add: name shards db-N, like db-3")
		}
		name := a.name
		if name == "" {
			name = l.addDB()
		} else {
			s := l.newServer(name, "db", *l.preset.DB)
			s.reads = l.reg.Counter("shard.reads{" + name + "}")
			s.writes = l.reg.Counter("shard.writes{" + name + "}")
		}
		l.registerServer(name)
		moved, err = l.cluster.AddShard(name)
	case "remove":
		s := l.server(a.name)
		if s == nil || s.role != "db" {
			return fmt.Errorf("shard remove: %q is not a shard; shards: %s", a.name, strings.Join(l.cluster.Names(), ", "))
		}
		moved, err = l.cluster.RemoveShard(a.name)
		if err == nil {
			l.mu.Lock()
			l.servers.Store(withServer(*l.servers.Load(), a.name, nil))
			l.mu.Unlock()
			s.b.Stop()
		}
	case "strategy":
		strat, serr := shard.NewStrategy(a.strategy, a.vnodes, uint64(l.preset.Keys))
		if serr != nil {
			return serr
		}
		moved = l.cluster.SetStrategy(strat)
	}
	if err != nil {
		return err
	}
	l.event(Event{Kind: KindState, Component: "shards", Detail: fmt.Sprintf("shard %s: %d keys moved", a.op, moved)})
	return nil
}

func (a queueAction) apply(l *Lab) error {
	if l.broker == nil {
		return fmt.Errorf("queue: the %s preset has no queue", l.preset.Name)
	}
	st, _ := l.broker.Topic(writesTopic)
	cfg := l.queueConf
	if a.capacity != nil {
		cfg.Capacity = *a.capacity
	}
	if a.full != nil {
		cfg.WhenFull = *a.full
	}
	if a.attempts != nil {
		cfg.MaxAttempts = *a.attempts
	}
	if a.retry != nil {
		cfg.RetryDelay = *a.retry
	}
	if cfg != l.queueConf {
		if err := l.broker.Configure(writesTopic, cfg); err != nil {
			return err
		}
		l.queueConf = cfg
		l.blockWhenFull.Store(cfg.WhenFull == queue.Block)
	}
	if a.consumers != nil && *a.consumers != st.Consumers {
		return l.broker.SetConsumers(writesTopic, *a.consumers)
	}
	return nil
}

func (a breakerAction) apply(l *Lab) error {
	if l.breaker == nil || a.name != "payments" {
		return fmt.Errorf("breaker: no breaker called %q (the breaker guards payments)", a.name)
	}
	l.breaker.Configure(a.threshold, a.open, a.trials)
	return nil
}

func (a scaleAction) apply(l *Lab) error {
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

func (a traceAction) apply(l *Lab) error {
	l.tracer.SetSampleRate(a.sample)
	return nil
}

func (a healthAction) apply(l *Lab) error {
	l.health.mu.Lock()
	c := l.health.conf
	l.health.mu.Unlock()
	if a.off {
		c.Interval = 0
	} else {
		if a.interval != 0 {
			c.Interval = Duration(a.interval)
		}
		if c.Interval == 0 {
			c.Interval = Duration(time.Second)
		}
		if a.fails != 0 {
			c.Fails = a.fails
		}
		if a.passes != 0 {
			c.Passes = a.passes
		}
		c.Fails, c.Passes = max(c.Fails, 1), max(c.Passes, 1)
	}
	l.health.set(c)
	return nil
}

func (a speedAction) apply(l *Lab) error {
	l.clock.SetSpeed(a.x)
	return nil
}

func (a waitAction) apply(l *Lab) error {
	if !l.clock.Sleep(a.d, l.stop) {
		return errors.New("lab stopped")
	}
	return nil
}

// ExpectError is an expect that did not hold; it carries the metric's value.
type ExpectError struct {
	Expect *Expect
	Value  float64
	Found  bool
}

func (e *ExpectError) Error() string {
	if !e.Found {
		return fmt.Sprintf("expect %s: metric not present in this lab", e.Expect.Metric)
	}
	when := "now"
	if e.Expect.Within > 0 {
		when = "within " + e.Expect.Within.String()
	}
	return fmt.Sprintf("expect %s %s %s failed %s: %s is %s", e.Expect.Metric, e.Expect.Op, e.Expect.Text, when, e.Expect.Metric, FormatValue(e.Value))
}

// checkEvery is how often an expect … within re-reads its metric.
const checkEvery = 100 * time.Millisecond

// Check evaluates an expect now, or polls it every checkEvery of lab time
// until it holds or its within-duration passes.
func (l *Lab) Check(e *Expect) error {
	deadline := l.clock.Now().Add(e.Within)
	for {
		v, found := l.Value(e.Metric)
		if found && e.Holds(v) {
			val := v
			l.event(Event{Kind: KindExpect, Line: e.Line, Value: &val})
			return nil
		}
		next := l.clock.Now().Add(checkEvery)
		if e.Within == 0 || next.After(deadline) {
			err := &ExpectError{Expect: e, Value: v, Found: found}
			ev := Event{Kind: KindExpect, Line: e.Line, Err: err.Error()}
			if found {
				ev.Value = &v
			}
			l.event(ev)
			return err
		}
		if !l.clock.SleepUntil(next, l.stop) {
			return errors.New("lab stopped")
		}
	}
}

// FormatValue renders a metric value for messages: up to four decimals,
// trailing zeros dropped ("0.8", "12.3456", "0").
func FormatValue(v float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}
