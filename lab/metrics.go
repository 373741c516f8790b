package lab

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/eventstore"
)

// MetricInfo is one row of the metric table: a stable name, its unit and
// meaning, and how to read it from a Snapshot. A name may carry one label,
// written like lb.routed{backend=web-1}; Label names the label key ("" for
// none). `scalelab metrics`, the README table, expect and the session log
// all come from the table, so adding a metric is adding a row.
type MetricInfo struct {
	Name    string   `json:"name"`
	Label   string   `json:"label,omitempty"`
	Unit    string   `json:"unit"`
	Meaning string   `json:"meaning"`
	States  []string `json:"states,omitempty"` // for a state metric: the word for each value 0, 1, …
	Total   bool     `json:"total,omitempty"`  // a labelled metric that also has a value without its label: the whole

	read func(s *Snapshot, emit func(label string, v float64))
}

// Pattern is how the name is written: lb.routed{backend=…}, or
// cache.hit_ratio[{node=…}] when the label may be left off for the whole.
func (m MetricInfo) Pattern() string {
	switch {
	case m.Label == "":
		return m.Name
	case m.Total:
		return m.Name + "[{" + m.Label + "=…}]"
	}
	return m.Name + "{" + m.Label + "=…}"
}

// Windows over which metrics are computed.
const (
	RateWindow = time.Second     // one lab second, for per-second rates
	StatWindow = 5 * time.Second // five lab seconds, for percentiles, means and ratios
)

// Units of the metric table.
const (
	UnitCount    = ""      // a plain count
	UnitPerSec   = "/s"    // events per second (last 1 s)
	UnitReqPerS  = "req/s" // requests per second (last 1 s)
	UnitShare    = "0..1"  // a share; expect accepts 80%
	UnitMS       = "ms"    // milliseconds; expect accepts 200ms
	UnitSeconds  = "s"
	UnitSpeed    = "x"
	UnitBool     = "0/1"
	UnitState    = "state" // a state; expect accepts its words
	labelBackend = "backend"
	labelShard   = "shard"
	labelReplica = "replica"
	labelBreaker = "name"
	labelNode    = "node"
)

// words lists the String of each value of an enum, by value: the words
// expect accepts and logs and reports print for a state metric.
func words[T fmt.Stringer](values ...T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = v.String()
	}
	return out
}

var (
	healthWords  = words(backend.Up, backend.Slow, backend.Failing, backend.Hung, backend.Down)
	breakerWords = words(breaker.Closed, breaker.HalfOpen, breaker.Open)
	modeWords    = words(breaker.Consecutive, breaker.FailureRatio)
	routingWords = words(ReadPrimary, ReadReplicas, ReadSticky)
	tierWords    = words(TierGlobal, TierLocal, TierDistributed)
)

// Metrics is the metric table, sorted by name.
var Metrics = sortedMetrics(slices.Concat(callMetrics, limitMetrics, fleetMetrics, discoveryMetrics, []MetricInfo{
	gauge("lab.time", UnitSeconds, "lab seconds since the lab started", func(s *Snapshot) float64 { return s.T.Seconds() }),
	gauge("lab.frozen", UnitBool, "1 while lab time is stopped (freeze), else 0", func(s *Snapshot) float64 { return b2f(s.Frozen) }),
	gauge("lab.speed", UnitSpeed, "lab clock speed factor, as it runs (below lab.speed.asked when the machine cannot keep up)", func(s *Snapshot) float64 { return s.Speed }),
	gauge("lab.speed.asked", UnitSpeed, "lab clock speed asked for (speed command, --speed)", func(s *Snapshot) float64 { return s.Pace.Asked }),
	gauge("lab.lag", UnitMS, "how far lab time fell behind the wall clock, at worst over the last lab second", func(s *Snapshot) float64 { return ms(s.Pace.Lag) }),
	gauge("lab.slowdowns", UnitCount, "times the lab slowed its clock because the machine could not keep up", func(s *Snapshot) float64 { return float64(s.Pace.Cuts) }),
	gauge("load.rate", UnitReqPerS, "arrival rate the load generator is set to (0 when off or paused)", func(s *Snapshot) float64 { return s.Load.Rate }),
	gauge("load.arrivals", UnitReqPerS, "arrivals actually generated over the last second", func(s *Snapshot) float64 { return s.Load.Arrivals }),
	gauge("load.skipped", UnitCount, "arrivals not sent since the start: the machine fell over 10 lab seconds behind even at the slowest speed", func(s *Snapshot) float64 { return float64(s.Load.Skipped) }),
	gauge("http.requests", UnitReqPerS, "requests that came in through the HTTP front door (--http) per second (last 1 s); they are counted in requests.* too", func(s *Snapshot) float64 { return s.Requests.HTTP }),
	gauge("http.total", UnitCount, "requests that came in through the HTTP front door since the start", func(s *Snapshot) float64 { return float64(s.Requests.HTTPTotal) }),
	gauge("requests.rate", UnitReqPerS, "requests completed per second (last 1 s)", func(s *Snapshot) float64 { return s.Requests.Rate }),
	gauge("requests.total", UnitCount, "requests completed since the start, failed or not", func(s *Snapshot) float64 { return float64(s.Requests.Total) }),
	gauge("errors.rate", "err/s", "requests failed per second (last 1 s)", func(s *Snapshot) float64 { return s.Requests.ErrorRate }),
	gauge("errors.ratio", UnitShare, "share of completed requests that failed (last 5 s)", func(s *Snapshot) float64 { return s.Requests.ErrorRatio }),
	gauge("errors.total", UnitCount, "requests failed since the start", func(s *Snapshot) float64 { return float64(s.Requests.Errors) }),
	gauge("latency.p50", UnitMS, "median end-to-end latency of requests that succeeded (last 5 s)", func(s *Snapshot) float64 { return ms(s.Latency.P50) }),
	gauge("latency.p90", UnitMS, "90th percentile end-to-end latency of requests that succeeded (last 5 s)", func(s *Snapshot) float64 { return ms(s.Latency.P90) }),
	gauge("latency.p99", UnitMS, "99th percentile end-to-end latency of requests that succeeded (last 5 s)", func(s *Snapshot) float64 { return ms(s.Latency.P99) }),
	gauge("latency.mean", UnitMS, "mean end-to-end latency of requests that succeeded (last 5 s)", func(s *Snapshot) float64 { return ms(s.Latency.Mean) }),
	gauge("latency.max", UnitMS, "slowest request that succeeded (last 5 s, within 3%)", func(s *Snapshot) float64 { return ms(s.Latency.Max) }),
	gauge("latency.failed.p50", UnitMS, "median time to fail, of requests that failed (last 5 s)", func(s *Snapshot) float64 { return ms(s.Latency.Failed.P50) }),
	gauge("latency.failed.p99", UnitMS, "99th percentile time to fail, of requests that failed (last 5 s)", func(s *Snapshot) float64 { return ms(s.Latency.Failed.P99) }),

	perWeb("lb.routed", UnitReqPerS, "requests the balancer sent to a web server per second (last 1 s)", func(r *RoutingStats) float64 { return r.Routed }),
	perWeb("lb.share", UnitShare, "share of routed requests that went to a web server (last 5 s)", func(r *RoutingStats) float64 { return r.Share }),
	perWeb("lb.inflight", UnitCount, "requests routed to a web server and not yet answered", func(r *RoutingStats) float64 { return float64(r.InFlight) }),
	perWeb("lb.healthy", UnitBool, "1 while the balancer's health checks consider the server healthy", func(r *RoutingStats) float64 { return b2f(r.Healthy) }),
	gauge("lb.requests.rate", UnitReqPerS, "requests that reached the balancer per second: all but those the CDN edge answered (last 1 s)", func(s *Snapshot) float64 { return s.Requests.Balanced }),
	gauge("lb.unroutable", UnitReqPerS, "requests failed because no web server was healthy (last 1 s)", func(s *Snapshot) float64 { return s.Requests.Unroutable }),

	states(perServer("backend.health", UnitState, "server state: "+stateList(healthWords), func(v *ServerStats) float64 { return float64(v.Health) }), healthWords),
	perServer("backend.workers", UnitCount, "worker goroutines in the server's pool", func(v *ServerStats) float64 { return float64(v.Workers) }),
	perServer("backend.busy", UnitCount, "workers serving a request right now", func(v *ServerStats) float64 { return float64(v.Busy) }),
	perServer("backend.queued", UnitCount, "requests waiting in the server's accept queue right now", func(v *ServerStats) float64 { return float64(v.Queued) }),
	perServer("backend.utilization", UnitShare, "share of worker time spent serving (last 5 s)", func(v *ServerStats) float64 { return v.Utilization }),
	perServer("backend.rate", UnitReqPerS, "requests the server completed per second (last 1 s)", func(v *ServerStats) float64 { return v.Rate }),
	perServer("backend.rejected", UnitReqPerS, "requests turned away because the accept queue was full or the server down (last 1 s)", func(v *ServerStats) float64 { return v.Rejected }),
	perServer("backend.errors", UnitReqPerS, "requests the server failed or timed out (last 1 s)", func(v *ServerStats) float64 { return v.Errors }),
	perServer("backend.queue_wait.mean", UnitMS, "mean time requests waited in the accept queue (last 5 s)", func(v *ServerStats) float64 { return ms(v.QueueWait) }),
	perServer("backend.service.mean", UnitMS, "mean time from service start to response (last 5 s)", func(v *ServerStats) float64 { return ms(v.Service) }),
	perServer("backend.served", UnitCount, "requests the server has served since the start", func(v *ServerStats) float64 { return float64(v.Served) }),
	perServer("backend.queue_wait.total", UnitSeconds, "time requests the server served have spent in its accept queue, since the start", func(v *ServerStats) float64 { return v.WaitTotal.Seconds() }),
	perServer("backend.service.total", UnitSeconds, "time the server's workers have spent serving, since the start", func(v *ServerStats) float64 { return v.ServiceTotal.Seconds() }),
	perServer("backend.latency.p99", UnitMS, "99th percentile of queue wait + service at the server (last 5 s)", func(v *ServerStats) float64 { return ms(v.P99) }),

	withTotal(perCacheNode("cache.hit_ratio", UnitShare, "share of cache reads that hit (last 5 s), over the whole tier or, with {node=NAME}, at one cache: a node (cache, cache-2) or a web server's local cache (web-1)", func(n *CacheNodeStats) float64 { return n.HitRatio }),
		func(s *Snapshot) (float64, bool) {
			return cacheWhole(s, func(c *CacheStats) float64 { return c.HitRatio })
		}),
	states(cacheMetric("cache.tier", UnitState, "the cache tier's shape: "+stateList(tierWords)+" (`cache tier`)", func(c *CacheStats) float64 { return float64(c.Tier) }), tierWords),
	cacheMetric("cache.nodes", UnitCount, "caches in use: 1 (global), one per web server (local), or the distributed tier's nodes", func(c *CacheStats) float64 { return float64(len(c.Nodes)) }),
	cacheMetric("cache.moved_keys", UnitCount, "keys whose cache node changed on the distributed tier's last change (`cache nodes N`)", func(c *CacheStats) float64 { return float64(c.MovedKeys) }),
	cacheMetric("cache.coalesce", UnitBool, "1 while concurrent misses of a key share one database read (`cache coalesce on`)", func(c *CacheStats) float64 { return b2f(c.Coalesce) }),
	cacheMetric("cache.coalesced", UnitPerSec, "cache misses per second that waited for another request's database read of their key instead of reading (last 1 s)", func(c *CacheStats) float64 { return c.Coalesced }),
	cacheMetric("cache.hits", UnitPerSec, "cache hits per second (last 1 s)", func(c *CacheStats) float64 { return c.Hits }),
	cacheMetric("cache.misses", UnitPerSec, "cache misses per second (last 1 s)", func(c *CacheStats) float64 { return c.Misses }),
	withTotal(perCacheNode("cache.size", UnitCount, "entries held by the caches in use, or with {node=NAME} by one", func(n *CacheNodeStats) float64 { return float64(n.Size) }),
		func(s *Snapshot) (float64, bool) {
			return cacheWhole(s, func(c *CacheStats) float64 { return float64(c.Size) })
		}),
	cacheMetric("cache.capacity", UnitCount, "entries the caches in use can hold, together", func(c *CacheStats) float64 { return float64(c.Capacity) }),

	cdnMetric("cdn.hit_ratio", UnitShare, "share of reads the CDN edge answered itself (last 5 s); absent while it is off", func(c *CDNStats) float64 { return c.HitRatio }),
	cdnMetric("cdn.stale_ratio", UnitShare, "share of the CDN edge's answers that were older than the key's last write (last 5 s)", func(c *CDNStats) float64 { return c.StaleRatio }),
	cdnMetric("cdn.hits", UnitPerSec, "reads answered by the CDN edge per second (last 1 s)", func(c *CDNStats) float64 { return c.Hits }),
	cdnMetric("cdn.size", UnitCount, "entries the CDN edge holds", func(c *CDNStats) float64 { return float64(c.Size) }),
	cacheMetric("cache.evictions", UnitPerSec, "entries evicted for room per second (last 1 s)", func(c *CacheStats) float64 { return c.Evictions }),
	cacheMetric("cache.expirations", UnitPerSec, "entries found expired per second (last 1 s)", func(c *CacheStats) float64 { return c.Expirations }),
	cacheMetric("cache.stale_ratio", UnitShare, "share of reads that returned an older version than the last write (last 5 s)", func(c *CacheStats) float64 { return c.StaleRatio }),
	cacheMetric("cache.behind.pending", UnitCount, "write-behind writes waiting to reach the database", func(c *CacheStats) float64 { return float64(c.BehindPending) }),
	cacheMetric("cache.behind.lag", UnitMS, "age of the oldest write-behind write not yet in the database", func(c *CacheStats) float64 { return ms(c.BehindLag) }),

	shardsMetric("shard.count", UnitCount, "database shards", func(s *ShardsStats) float64 { return float64(s.Count) }),
	perShard("shard.keys", UnitCount, "keys stored on a shard", func(i *ShardInfo) float64 { return float64(i.Load.Keys) }),
	perShard("shard.reads", UnitPerSec, "reads served by a shard's servers, primary and replicas, per second (last 1 s)", func(i *ShardInfo) float64 { return i.Load.Reads }),
	perShard("shard.writes", UnitPerSec, "writes stored on a shard's primary per second (last 1 s)", func(i *ShardInfo) float64 { return i.Load.Writes }),
	perShard("shard.writable", UnitBool, "1 while the shard takes writes (its primary is up), 0 until a replica is promoted", func(i *ShardInfo) float64 { return b2f(i.Writable) }),
	perShard("shard.replicas", UnitCount, "read replicas of a shard", func(i *ShardInfo) float64 { return float64(len(i.Replicas)) }),
	perShard("shard.failovers", UnitCount, "replicas promoted to be a shard's primary, since the start", func(i *ShardInfo) float64 { return float64(i.Failovers) }),
	perShard("shard.lost_writes", UnitCount, "acknowledged writes a shard's failovers lost, since the start", func(i *ShardInfo) float64 { return float64(i.Lost) }),
	perReplica("db.replication_lag", UnitSeconds, "how far a replica is behind its primary: the age of the oldest write it has not applied", func(r *ReplicaInfo) float64 { return r.Lag.Seconds() }),
	shardsMetric("db.reads.rate", UnitPerSec, "reads the database servers served per second, all shards, primaries and replicas (last 1 s)", func(s *ShardsStats) float64 { return s.DBReads }),
	shardsMetric("db.lost_writes", UnitCount, "acknowledged writes lost in failovers, since the start", func(s *ShardsStats) float64 { return float64(s.LostWrites) }),
	shardsMetric("reads.stale_ratio", UnitShare, "share of all reads (from the cache, a replica or a primary) that returned an older version than the key's last write (last 5 s)", func(s *ShardsStats) float64 { return s.StaleRatio }),
	states(shardsMetric("reads.routing", UnitState, "where database reads go: "+stateList(routingWords)+" (`reads`)", func(s *ShardsStats) float64 { return float64(s.Reads) }), routingWords),
	shardsMetric("failover.auto", UnitBool, "1 when a dead primary is replaced by its most up-to-date replica by itself (`failover auto`)", func(s *ShardsStats) float64 { return b2f(s.Auto) }),
	shardsMetric("shard.moved_keys", UnitCount, "keys moved by the last shard change", func(s *ShardsStats) float64 { return float64(s.MovedKeys) }),
	shardsMetric("shard.moved_total", UnitCount, "keys moved by all shard changes", func(s *ShardsStats) float64 { return float64(s.MovedTotal) }),

	queueMetric("queue.depth", UnitCount, "writes waiting in the queue", func(q *QueueStats) float64 { return float64(q.Depth) }),
	queueMetric("queue.capacity", UnitCount, "queue buffer size", func(q *QueueStats) float64 { return float64(q.Capacity) }),
	queueMetric("queue.consumers", UnitCount, "consumer goroutines writing queued messages to the database", func(q *QueueStats) float64 { return float64(q.Consumers) }),
	queueMetric("queue.published", UnitPerSec, "messages published per second (last 1 s)", func(q *QueueStats) float64 { return q.Published }),
	queueMetric("queue.consumed", UnitPerSec, "messages acknowledged per second (last 1 s)", func(q *QueueStats) float64 { return q.Consumed }),
	queueMetric("queue.rejected", UnitPerSec, "publishes refused because the queue was full (last 1 s)", func(q *QueueStats) float64 { return q.Rejected }),
	queueMetric("queue.retried", UnitPerSec, "messages redelivered after a failure per second (last 1 s)", func(q *QueueStats) float64 { return q.Retried }),
	queueMetric("queue.dead", UnitCount, "messages dead-lettered after their last attempt, since the start", func(q *QueueStats) float64 { return float64(q.Dead) }),
	queueMetric("queue.oldest", UnitMS, "age of the oldest waiting message", func(q *QueueStats) float64 { return ms(q.Oldest) }),

	states(perBreaker("breaker.state", UnitState, "circuit breaker state: "+stateList(breakerWords), func(b *BreakerStats) float64 { return float64(b.State) }), breakerWords),
	perBreaker("breaker.on", UnitBool, "1 while the breaker is in the call path (`breaker NAME off` takes it out)", func(b *BreakerStats) float64 { return b2f(b.On) }),
	states(perBreaker("breaker.mode", UnitState, "what trips the breaker: "+stateList(modeWords)+" (`breaker NAME threshold=N` or `ratio=P%`)", func(b *BreakerStats) float64 { return float64(b.Mode) }), modeWords),
	perBreaker("breaker.threshold", UnitCount, "consecutive failures that trip the breaker, as set", func(b *BreakerStats) float64 { return float64(b.Threshold) }),
	perBreaker("breaker.failure_ratio", UnitShare, "share of the calls that finished in the breaker's window and failed; it trips at the ratio set (ratio mode; 0 in consecutive mode)", func(b *BreakerStats) float64 { return b.FailureRatio }),
	perBreaker("breaker.failures", UnitCount, "consecutive failures the breaker has counted", func(b *BreakerStats) float64 { return float64(b.Failures) }),
	perBreaker("breaker.rejected", UnitPerSec, "calls failed fast by the breaker per second (last 1 s)", func(b *BreakerStats) float64 { return b.Rejected }),
	perBreaker("breaker.trips", UnitCount, "times the breaker opened, since the start", func(b *BreakerStats) float64 { return float64(b.Trips) }),

	ordersMetric("orders.count", UnitCount, "orders (event streams) held in the event store", func(o *OrdersStats) float64 { return float64(o.Orders) }),
	ordersMetric("orders.events", UnitCount, "events appended to orders since the start (those behind a snapshot are compacted away: see orders.kept)", func(o *OrdersStats) float64 { return float64(o.Events) }),
	ordersMetric("orders.events.mean", UnitCount, "events in an order's history, mean over the orders held", func(o *OrdersStats) float64 { return o.PerOrder }),
	ordersMetric("orders.kept", UnitCount, "events held in memory: those after each order's newest snapshot", func(o *OrdersStats) float64 { return float64(o.Kept) }),
	ordersMetric("orders.archived", UnitCount, fmt.Sprintf("orders archived to keep the store under its cap of %d events, since the start", eventstore.DefaultMaxEvents), func(o *OrdersStats) float64 { return float64(o.Archived) }),
	ordersMetric("orders.snapshot_every", UnitCount, "events between snapshots of an order, as set (`orders snapshot every=N`); 0 when off", func(o *OrdersStats) float64 { return float64(o.SnapshotEvery) }),
	ordersMetric("orders.snapshots", UnitPerSec, "snapshots of orders taken per second (last 1 s)", func(o *OrdersStats) float64 { return o.Snapshots }),
	ordersMetric("orders.rebuilds", UnitPerSec, "orders rebuilt from their events per second, one per checkout (last 1 s)", func(o *OrdersStats) float64 { return o.Rebuilds }),
	ordersMetric("orders.replayed.mean", UnitCount, "events replayed per order rebuild: those after the order's newest snapshot, mean (last 5 s)", func(o *OrdersStats) float64 { return o.Replayed }),
	ordersMetric("orders.rebuild.p99", UnitMS, "99th percentile of an order rebuild's lab time, base + replay per event (last 5 s)", func(o *OrdersStats) float64 { return ms(o.RebuildP99) }),

	gauge("trace.sampled", UnitPerSec, "requests traced per second (last 1 s)", func(s *Snapshot) float64 { return s.Trace.Sampled }),
	gauge("trace.sample", UnitShare, "share of requests traced, as set by `trace sample`", func(s *Snapshot) float64 { return s.Trace.Sample }),
	gauge("trace.kept", UnitCount, "finished traces held for viewing", func(s *Snapshot) float64 { return float64(s.Trace.Kept) }),
	gauge("events.dropped", UnitCount, "request events dropped by slow subscribers (other events are never dropped)", func(s *Snapshot) float64 { return float64(s.EventsDropped) }),
}))

// The row builders, one per section of the Snapshot, so a row is one line:
// gauge reads the snapshot itself; a section builder reads a section that
// a lab may lack (no cache, no queue); a labelled builder reads one value
// per item of a list (servers, shards, breakers), labelled with its name.

func gauge(name, unit, meaning string, read func(*Snapshot) float64) MetricInfo {
	return MetricInfo{Name: name, Unit: unit, Meaning: meaning, read: func(s *Snapshot, emit func(string, float64)) { emit("", read(s)) }}
}

// section makes the builder of rows over the section get returns (nil when
// the lab lacks it: then the row has no value).
func section[T any](get func(*Snapshot) *T) func(name, unit, meaning string, read func(*T) float64) MetricInfo {
	return func(name, unit, meaning string, read func(*T) float64) MetricInfo {
		return MetricInfo{Name: name, Unit: unit, Meaning: meaning, read: func(s *Snapshot, emit func(string, float64)) {
			if t := get(s); t != nil {
				emit("", read(t))
			}
		}}
	}
}

// labelled makes the builder of rows with one value per item that each
// yields, labelled label=NAME.
func labelled[T any](label string, each func(s *Snapshot, yield func(name string, t *T))) func(name, unit, meaning string, read func(*T) float64) MetricInfo {
	return func(name, unit, meaning string, read func(*T) float64) MetricInfo {
		return MetricInfo{Name: name, Label: label, Unit: unit, Meaning: meaning, read: func(s *Snapshot, emit func(string, float64)) {
			each(s, func(n string, t *T) { emit(n, read(t)) })
		}}
	}
}

var (
	cacheMetric  = section(func(s *Snapshot) *CacheStats { return s.Cache })
	cdnMetric    = section(func(s *Snapshot) *CDNStats { return s.CDN })
	perCacheNode = labelled(labelNode, func(s *Snapshot, yield func(string, *CacheNodeStats)) {
		if s.Cache != nil {
			for i := range s.Cache.Nodes {
				yield(s.Cache.Nodes[i].Name, &s.Cache.Nodes[i])
			}
		}
	})
	shardsMetric = section(func(s *Snapshot) *ShardsStats { return s.Shards })
	queueMetric  = section(func(s *Snapshot) *QueueStats { return s.Queue })
	ordersMetric = section(func(s *Snapshot) *OrdersStats { return s.Orders })
	perServer    = labelled(labelBackend, func(s *Snapshot, yield func(string, *ServerStats)) {
		for i := range s.Servers {
			yield(s.Servers[i].Name, &s.Servers[i])
		}
	})
	perWeb = labelled(labelBackend, func(s *Snapshot, yield func(string, *RoutingStats)) {
		for _, v := range s.Servers {
			if v.Routing != nil {
				yield(v.Name, v.Routing)
			}
		}
	})
	perShard = labelled(labelShard, func(s *Snapshot, yield func(string, *ShardInfo)) {
		if s.Shards != nil {
			for i := range s.Shards.Shards {
				yield(s.Shards.Shards[i].Name, &s.Shards.Shards[i])
			}
		}
	})
	perReplica = labelled(labelReplica, func(s *Snapshot, yield func(string, *ReplicaInfo)) {
		if s.Shards != nil {
			for _, sh := range s.Shards.Shards {
				for i := range sh.Replicas {
					yield(sh.Replicas[i].Name, &sh.Replicas[i])
				}
			}
		}
	})
	perBreaker = labelled(labelBreaker, func(s *Snapshot, yield func(string, *BreakerStats)) {
		for i := range s.Breakers {
			yield(s.Breakers[i].Name, &s.Breakers[i])
		}
	})
)

// withTotal makes a labelled row also have its whole, without the label,
// read by whole (false: the lab lacks it).
func withTotal(m MetricInfo, whole func(*Snapshot) (float64, bool)) MetricInfo {
	m.Total = true
	each := m.read
	m.read = func(s *Snapshot, emit func(string, float64)) {
		if v, ok := whole(s); ok {
			emit("", v)
		}
		each(s, emit)
	}
	return m
}

// cacheWhole reads a value of the whole cache tier, if the lab has one.
func cacheWhole(s *Snapshot, read func(*CacheStats) float64) (float64, bool) {
	if s.Cache == nil {
		return 0, false
	}
	return read(s.Cache), true
}

func states(m MetricInfo, words []string) MetricInfo {
	m.States = words
	return m
}

// stateList renders state words with their values: "up 0, slow 1, …".
func stateList(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = fmt.Sprintf("%s %d", w, i)
	}
	return strings.Join(parts, ", ")
}

func sortedMetrics(ms []MetricInfo) []MetricInfo {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	return ms
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// LookupMetric finds the table row for a full metric name such as
// "lb.routed{backend=web-1}", checking the label key. The label's value is
// checked later against the running lab.
func LookupMetric(full string) (MetricInfo, error) {
	base, label, hasLabel := strings.Cut(full, "{")
	for _, m := range Metrics {
		if m.Name != base {
			continue
		}
		switch {
		case m.Label == "" && hasLabel:
			return m, fmt.Errorf("metric %s takes no label", base)
		case m.Label != "" && !hasLabel && !m.Total:
			return m, fmt.Errorf("metric %s needs a label, like %s{%s=NAME}", base, base, m.Label)
		case hasLabel:
			k, v, ok := strings.Cut(strings.TrimSuffix(label, "}"), "=")
			if !strings.HasSuffix(label, "}") || !ok || k != m.Label || v == "" {
				return m, fmt.Errorf("metric %s: label must be {%s=NAME}", base, m.Label)
			}
		}
		return m, nil
	}
	return MetricInfo{}, fmt.Errorf("unknown metric %q (see `scalelab metrics`)", base)
}

// MetricName renders base{label=value}, or base when label or value is
// empty.
func MetricName(base, label, value string) string {
	if label == "" || value == "" {
		return base
	}
	return base + "{" + label + "=" + value + "}"
}

// Value reads one metric by full name ("latency.p99",
// "lb.share{backend=web-2}"), and whether the snapshot has it.
func (s *Snapshot) Value(full string) (float64, bool) {
	m, err := LookupMetric(full)
	if err != nil {
		return 0, false
	}
	want := ""
	if m.Label != "" && strings.Contains(full, "{") {
		_, rest, _ := strings.Cut(full, "=")
		want = strings.TrimSuffix(rest, "}")
	}
	var v float64
	found := false
	m.read(s, func(label string, x float64) {
		if !found && label == want {
			v, found = x, true
		}
	})
	return v, found
}

// Values reads every metric the snapshot has, by full name: the form
// session logs and `run --json` record.
func (s *Snapshot) Values() map[string]float64 {
	out := make(map[string]float64, 128)
	for _, m := range Metrics {
		m.read(s, func(label string, x float64) { out[MetricName(m.Name, m.Label, label)] = x })
	}
	return out
}
