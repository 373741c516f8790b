package lab

import (
	"sort"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/queue"
)

// Snapshot is every metric of the lab at one moment: what panels draw, what
// expect checks, what the session log records each second.
type Snapshot struct {
	T      time.Duration // lab time since the start
	Values map[string]float64
}

// Names returns the snapshot's metric names, sorted.
func (s Snapshot) Names() []string {
	names := make([]string, 0, len(s.Values))
	for n := range s.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// registerSeries exposes component totals to the registry so windows can be
// taken over them.
func (l *Lab) registerSeries() {
	for _, name := range l.serverNames() {
		l.registerServer(name)
	}
	for _, name := range l.webNames() {
		l.registerWeb(name)
	}
	if c := l.cache; c != nil {
		l.reg.CounterFunc("cache.evictions", func() float64 { return float64(c.Stats().Evictions) })
		l.reg.CounterFunc("cache.expirations", func() float64 { return float64(c.Stats().Expirations) })
	}
	if b := l.broker; b != nil {
		topic := func(field func(queue.TopicStats) uint64) func() float64 {
			return func() float64 {
				st, _ := b.Topic(writesTopic)
				return float64(field(st))
			}
		}
		l.reg.CounterFunc("queue.published", topic(func(s queue.TopicStats) uint64 { return s.Published }))
		l.reg.CounterFunc("queue.acked", topic(func(s queue.TopicStats) uint64 { return s.Acked }))
		l.reg.CounterFunc("queue.rejected", topic(func(s queue.TopicStats) uint64 { return s.Rejected }))
		l.reg.CounterFunc("queue.retried", topic(func(s queue.TopicStats) uint64 { return s.Retried }))
	}
	if br := l.breaker; br != nil {
		l.reg.CounterFunc("breaker.rejected", func() float64 { return float64(br.Stats().Rejected) })
	}
}

func (l *Lab) registerServer(name string) {
	s := l.server(name)
	if s == nil {
		return
	}
	b := s.b
	l.reg.CounterFunc("backend.completed{"+name+"}", func() float64 { return float64(b.Stats().Completed) })
	l.reg.CounterFunc("backend.rejected{"+name+"}", func() float64 { st := b.Stats(); return float64(st.Rejected + st.Refused) })
	l.reg.CounterFunc("backend.errors{"+name+"}", func() float64 { st := b.Stats(); return float64(st.Errors + st.Timeouts) })
	l.reg.CounterFunc("backend.wait_ms{"+name+"}", func() float64 { return ms(b.Stats().QueueWaitTotal) })
	l.reg.CounterFunc("backend.service_ms{"+name+"}", func() float64 { return ms(b.Stats().ServiceTotal) })
}

func (l *Lab) registerWeb(name string) {
	lb := l.lb
	l.reg.CounterFunc("lb.picks{"+name+"}", func() float64 {
		for _, s := range lb.Stats().Servers {
			if s.Name == name {
				return float64(s.Picks)
			}
		}
		return 0
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// Value returns one metric by full name, and whether this lab has it.
func (l *Lab) Value(name string) (float64, bool) {
	v, ok := l.Snapshot().Values[name]
	return v, ok
}

// Snapshot reads every metric. It takes the registry lock and each
// component's stats lock briefly; it never waits on the request path.
func (l *Lab) Snapshot() Snapshot {
	now := l.clock.Now()
	v := make(map[string]float64, 128)
	set := func(base, label, value string, x float64) { v[MetricName(base, label, value)] = x }

	spec, paused := l.Load()
	v["lab.time"] = now.Sub(l.start).Seconds()
	v["lab.speed"] = l.clock.Speed()
	v["load.rate"] = spec.Rate
	if paused {
		v["load.rate"] = 0
	}
	lbStats := l.lb.Stats()
	webs := l.webNames()
	names := l.serverNames()
	stats := make(map[string]backend.Stats, len(names))
	for _, n := range names {
		if s := l.server(n); s != nil {
			stats[n] = s.b.Stats()
		}
	}

	l.reg.Read(now, func(rate, stat *Window) {
		v["load.arrivals"] = rate.Rate("arrivals")
		v["requests.rate"] = rate.Rate("requests")
		v["requests.total"] = rate.Total("requests")
		v["errors.rate"] = rate.Rate("errors")
		v["errors.total"] = rate.Total("errors")
		v["errors.ratio"] = ratio(stat.Delta("errors"), stat.Delta("requests"))
		v["lb.unroutable"] = rate.Rate("unroutable")
		h := stat.Hist("latency")
		v["latency.p50"], v["latency.p90"], v["latency.p99"], v["latency.mean"], v["latency.max"] = h.P50, h.P90, h.P99, h.Mean, h.Max

		var picks float64
		for _, n := range webs {
			picks += stat.Delta("lb.picks{" + n + "}")
		}
		for _, s := range lbStats.Servers {
			set("lb.routed", "backend", s.Name, rate.Rate("lb.picks{"+s.Name+"}"))
			set("lb.share", "backend", s.Name, ratio(stat.Delta("lb.picks{"+s.Name+"}"), picks))
			set("lb.inflight", "backend", s.Name, float64(s.InFlight))
			set("lb.healthy", "backend", s.Name, b2f(s.Healthy))
		}
		for _, n := range names {
			st := stats[n]
			set("backend.health", "backend", n, healthStates[st.Health.String()])
			set("backend.workers", "backend", n, float64(st.Workers))
			set("backend.busy", "backend", n, float64(st.Busy))
			set("backend.queued", "backend", n, float64(st.Queued))
			served := stat.Delta("backend.service_ms{" + n + "}")
			set("backend.utilization", "backend", n, min(ratio(served, float64(st.Workers)*ms(stat.Elapsed())), 1))
			set("backend.rate", "backend", n, rate.Rate("backend.completed{"+n+"}"))
			set("backend.rejected", "backend", n, rate.Rate("backend.rejected{"+n+"}"))
			set("backend.errors", "backend", n, rate.Rate("backend.errors{"+n+"}"))
			done := stat.Delta("backend.completed{" + n + "}")
			set("backend.queue_wait.mean", "backend", n, ratio(stat.Delta("backend.wait_ms{"+n+"}"), done))
			set("backend.service.mean", "backend", n, ratio(served, done))
			set("backend.latency.p99", "backend", n, stat.Hist("backend.latency{"+n+"}").P99)
		}
		if l.cache != nil {
			hits, misses := stat.Delta("cache.hits"), stat.Delta("cache.misses")
			v["cache.hit_ratio"] = ratio(hits, hits+misses)
			v["cache.hits"] = rate.Rate("cache.hits")
			v["cache.misses"] = rate.Rate("cache.misses")
			v["cache.evictions"] = rate.Rate("cache.evictions")
			v["cache.expirations"] = rate.Rate("cache.expirations")
			v["cache.stale_ratio"] = ratio(stat.Delta("stale"), stat.Delta("reads"))
		}
		if l.cluster != nil {
			for _, n := range l.cluster.Names() {
				set("shard.reads", "shard", n, rate.Rate("shard.reads{"+n+"}"))
				set("shard.writes", "shard", n, rate.Rate("shard.writes{"+n+"}"))
			}
		}
		if l.broker != nil {
			v["queue.published"] = rate.Rate("queue.published")
			v["queue.consumed"] = rate.Rate("queue.acked")
			v["queue.rejected"] = rate.Rate("queue.rejected")
			v["queue.retried"] = rate.Rate("queue.retried")
		}
		if l.breaker != nil {
			v["breaker.rejected{name=payments}"] = rate.Rate("breaker.rejected")
		}
		v["trace.sampled"] = rate.Rate("trace.sampled")
	})

	if l.cache != nil {
		cs := l.cache.Stats()
		v["cache.size"], v["cache.capacity"] = float64(cs.Size), float64(cs.Capacity)
		bs := l.behind.Stats()
		v["cache.behind.pending"] = float64(bs.Pending)
		v["cache.behind.lag"] = ms(bs.OldestAge)
	}
	if l.cluster != nil {
		ss := l.cluster.Stats()
		v["shard.count"] = float64(len(ss.Shards))
		v["shard.moved_keys"] = float64(ss.LastMoved)
		v["shard.moved_total"] = float64(ss.TotalMoved)
		for _, s := range ss.Shards {
			set("shard.keys", "shard", s.Name, float64(s.Keys))
		}
	}
	if l.broker != nil {
		st, _ := l.broker.Topic(writesTopic)
		v["queue.depth"] = float64(st.Depth)
		v["queue.capacity"] = float64(st.Capacity)
		v["queue.consumers"] = float64(st.Consumers)
		v["queue.dead"] = float64(st.DeadLettered)
		v["queue.oldest"] = ms(st.OldestAge)
	}
	if l.breaker != nil {
		bs := l.breaker.Stats()
		v["breaker.state{name=payments}"] = breakerStates[bs.State.String()]
		v["breaker.failures{name=payments}"] = float64(bs.Counts.ConsecutiveFailures)
		v["breaker.trips{name=payments}"] = float64(l.trips.Load())
	}
	ts := l.tracer.Stats()
	v["trace.kept"] = float64(ts.Kept)
	v["trace.sample"] = ts.SampleRate
	v["events.dropped"] = float64(l.Bus.dropped.Load())
	return Snapshot{T: now.Sub(l.start), Values: v}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
