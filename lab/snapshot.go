package lab

import (
	"fmt"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/components/eventstore"
)

// Snapshot is the lab measured at one moment, in typed sections: what
// panels draw, what expect checks and what the session log records each
// second. Panels read the sections directly; the metric table (metrics.go)
// turns them into named numbers for expect, logs and reports, and nothing
// else converts them.
//
// Windows: rates are over the last RateWindow, percentiles, means and
// ratios over the last StatWindow.
type Snapshot struct {
	T             time.Duration // lab time since the start
	Speed         float64       // the clock's speed factor, as it runs (after a thaw, while frozen)
	Frozen        bool          // lab time is stopped (freeze): nothing moves until thaw
	Pace          PaceStats     // the speed asked for, and how far behind the lab is
	Load          LoadStats
	Requests      RequestStats
	Latency       LatencyStats
	Servers       []ServerStats  // web, then db, then payments; each group in name order
	Cache         *CacheStats    // nil without a cache tier
	CDN           *CDNStats      // nil while the CDN edge is off
	Shards        *ShardsStats   // nil without a database tier
	Queue         *QueueStats    // nil without a queue
	Breakers      []BreakerStats // one per circuit breaker
	Calls         []CallStats    // timeouts and retries, per tier called: web, db, payments
	Limit         LimitStats     // the rate limiter at the edge
	Fleet         FleetStats     // the web tier's size, warming and draining servers, the autoscaler
	Discovery     DiscoveryStats // the service registry
	Orders        *OrdersStats   // nil without checkouts
	Trace         TraceStats
	EventsDropped uint64 // request events dropped by slow subscribers
}

// LoadStats is the load generator: what it is set to, what it produced.
type LoadStats struct {
	Rate     float64 // arrivals per second it is set to; 0 when off or paused
	Arrivals float64 // arrivals it generated over the last second
	Skipped  uint64  // arrivals not sent since the start, because the machine fell too far behind
}

// RequestStats counts finished requests, failed or not.
type RequestStats struct {
	Rate       float64 // completed per second
	Total      uint64  // completed since the start
	ErrorRate  float64 // failed per second
	Errors     uint64  // failed since the start
	ErrorRatio float64 // share of completed requests that failed
	Unroutable float64 // failed per second because no web server was healthy
	Balanced   float64 // per second that reached the balancer (not answered by the CDN edge)
	HTTP       float64 // arrived through the HTTP front door per second
	HTTPTotal  uint64  // arrived through the HTTP front door since the start
}

// LatencyStats is the end-to-end latency distribution of recent requests
// that succeeded. Failed ones are apart, in Failed: counted in with the
// rest, fast refusals under overload would pull the median down to
// nothing just when the served requests are slowest.
type LatencyStats struct {
	P50, P90, P99, Mean, Max time.Duration
	Failed                   FailedLatency
}

// FailedLatency is how long recent failed requests took to fail: fast
// for a refusal, long for a timeout.
type FailedLatency struct {
	P50, P99 time.Duration
}

// Role is what a server does in the topology.
type Role string

// Server roles.
const (
	RoleWeb      Role = "web"
	RoleCache    Role = "cache" // a cache server: the global cache or a node of the distributed tier
	RoleDB       Role = "db"
	RolePayments Role = "payments"
)

// ServerStats is one server: its state, its worker pool and what it served.
type ServerStats struct {
	Name        string
	Role        Role
	Health      backend.Health
	Workers     int
	Busy        int           // workers serving now
	Queued      int           // requests waiting in the accept queue now
	Utilization float64       // share of worker time spent serving
	Rate        float64       // requests completed per second
	Rejected    float64       // requests turned away per second (queue full or down)
	Errors      float64       // requests failed or timed out per second
	QueueWait   time.Duration // mean over the last 5 s
	Service     time.Duration // mean from service start to response, over the last 5 s
	// Since the start: requests served, and the time they spent queued
	// and being served (for means over any span: difference two readings).
	Served                  uint64
	WaitTotal, ServiceTotal time.Duration
	P99                     time.Duration // of queue wait + service
	Routing                 *RoutingStats // web servers only
	Shard                   *ShardLoad    // database shards only
}

// RoutingStats is what the balancer does with one web server.
type RoutingStats struct {
	Routed   float64 // requests sent to it per second
	Share    float64 // share of all routed requests
	InFlight int     // routed and not yet answered
	Healthy  bool    // health checks let it receive traffic
}

// ShardLoad is one database shard's data and traffic.
type ShardLoad struct {
	Keys          int
	Reads, Writes float64 // per second
}

// CacheStats is the cache tier.
type CacheStats struct {
	Mode          cache.Mode
	HitRatio      float64
	Hits, Misses  float64 // per second
	Evictions     float64 // per second
	Expirations   float64 // per second
	StaleRatio    float64 // share of reads older than the key's last write
	Size          int
	Capacity      int
	BehindPending int           // write-behind writes not yet stored
	BehindLag     time.Duration // age of the oldest of them
	// The tier's shape (see lab/cachetier.go).
	Tier      CacheTier
	Ring      bool             // distributed: keys placed by a hash ring, else mod-N
	Nodes     []CacheNodeStats // the caches in use: the global one, one per web server, or the nodes
	MovedKeys int              // keys whose node changed on the last change of the distributed tier
	Coalesce  bool             // concurrent misses of a key share one database read
	Coalesced float64          // misses per second that shared another's read
}

// CacheNodeStats is one cache of the tier.
type CacheNodeStats struct {
	Name           string
	Health         backend.Health // of its server; a local cache is up
	HitRatio       float64        // last 5 s
	Hits           float64        // per second
	Size, Capacity int
}

// CDNStats is the CDN edge, while on.
type CDNStats struct {
	HitRatio   float64 // share of reads at the edge it answered (last 5 s)
	StaleRatio float64 // share of its answers that were older than the key's last write (last 5 s)
	Hits       float64 // per second
	Size       int
	Capacity   int
	TTL        time.Duration
	Latency    time.Duration
}

// ShardsStats is the database tier as a whole.
type ShardsStats struct {
	Strategy   string
	Count      int
	MovedKeys  int    // by the last change
	MovedTotal uint64 // by all changes
	Shards     []ShardInfo
	// Replication and read routing (see lab/replicas.go).
	Replicas   int           // read replicas per shard
	Lag        time.Duration // asynchronous replication's shipping delay
	Sync       bool          // writes wait for every live replica
	Reads      ReadRouting
	Sticky     time.Duration // read-your-writes window, for ReadSticky
	Auto       bool          // failover automatic
	LostWrites uint64        // acknowledged writes lost in failovers, since the start
	StaleRatio float64       // share of all reads (cache, replica, primary) older than the key's last write (last 5 s)
	DBReads    float64       // reads the database servers served per second, all shards
}

// ShardInfo is one shard: the server taking its writes, its load (keys it
// stores; reads and writes its servers served per second) and its
// replicas.
type ShardInfo struct {
	Name      string
	Primary   string
	Writable  bool // its primary is up: it takes writes
	Load      ShardLoad
	Replicas  []ReplicaInfo
	Lost      uint64 // acknowledged writes its failovers lost
	Failovers int    // replicas promoted to be its primary
}

// ReplicaInfo is one read replica.
type ReplicaInfo struct {
	Name   string
	Health backend.Health
	Lag    time.Duration // age of the oldest write it has not applied
}

// QueueStats is the write queue.
type QueueStats struct {
	Depth, Capacity, Consumers int
	Published, Consumed        float64 // per second
	Rejected, Retried          float64 // per second
	Dead                       uint64  // dead-lettered since the start
	Oldest                     time.Duration
}

// OrdersStats is the event store of orders on the checkout path (see
// lab/orders.go and components/eventstore).
type OrdersStats struct {
	SnapshotEvery int               // events between snapshots of an order; 0 when off
	Base, Replay  time.Duration     // a rebuild's lab time: Base, plus Replay per event replayed
	Orders        int               // orders held
	Events        uint64            // events appended since the start
	Kept          int               // events held in memory: those after each order's newest snapshot
	PerOrder      float64           // events in an order's history, compacted or not, mean over the orders held
	Archived      uint64            // orders archived to keep the store under its event cap, since the start
	Longest       eventstore.Stream // the held order with the longest history
	Snapshots     float64           // taken per second
	Rebuilds      float64           // per second: one per checkout
	Replayed      float64           // events replayed per rebuild, mean over the last 5 s
	RebuildP99    time.Duration     // of a rebuild's lab time, over the last 5 s
}

// BreakerStats is one circuit breaker.
type BreakerStats struct {
	Name      string
	On        bool // in the call path; when off, calls go straight through
	State     breaker.State
	Mode      breaker.Mode // the trip rule: failures in a row, or a failure share
	Failures  int          // consecutive failures counted
	Rejected  float64      // calls failed fast per second
	Trips     uint64       // times it opened since the start
	Threshold int          // consecutive failures that trip it (consecutive rule)
	OpenFor   time.Duration
	Trials    int // half-open trial calls

	// The ratio rule: it trips when at least MinRequests calls finished in
	// the last Window and at least Ratio of them failed.
	Ratio        float64
	MinRequests  int
	Window       time.Duration
	WindowCalls  int     // calls that finished in the window now (ratio rule; else 0)
	FailureRatio float64 // share of those that failed (ratio rule; else 0)
}

// Rule says what trips the breaker: "5 in a row" or "50% of ≥20 in 10s".
func (b *BreakerStats) Rule() string {
	if b.Mode == breaker.FailureRatio {
		return fmt.Sprintf("%s%% of ≥%d in %s", FormatNumber(100*b.Ratio, 1), b.MinRequests, b.Window)
	}
	return fmt.Sprintf("%d in a row", b.Threshold)
}

// TraceStats is the tracer.
type TraceStats struct {
	Sampled float64 // requests traced per second
	Sample  float64 // share of requests traced, as set
	Kept    int     // finished traces held for viewing
}

// Server returns the named server's stats, or nil.
func (s *Snapshot) Server(name string) *ServerStats {
	for i := range s.Servers {
		if s.Servers[i].Name == name {
			return &s.Servers[i]
		}
	}
	return nil
}

// Breaker returns the named breaker's stats, or nil.
func (s *Snapshot) Breaker(name string) *BreakerStats {
	for i := range s.Breakers {
		if s.Breakers[i].Name == name {
			return &s.Breakers[i]
		}
	}
	return nil
}

// Role lists the servers of one role, in order.
func (s *Snapshot) Role(r Role) []ServerStats {
	var out []ServerStats
	for _, st := range s.Servers {
		if st.Role == r {
			out = append(out, st)
		}
	}
	return out
}

// Snapshot measures the lab. It takes the registry lock and each
// component's stats lock briefly; it never waits on the request path.
func (l *Lab) Snapshot() Snapshot {
	now := l.clock.Now()
	var staleRatio, dbReads float64
	snap := Snapshot{T: now.Sub(l.start), Speed: l.clock.Speed(), Frozen: l.clock.Frozen(), Pace: l.pace.stats(), EventsDropped: l.Bus.dropped.Load()}
	snap.Load.Skipped = l.m.skipped.Load()
	spec, paused := l.Load()
	if !paused {
		snap.Load.Rate = spec.Rate
	}
	var orders eventstore.Stats
	if l.orders != nil {
		orders = l.orders.stats()
	}
	l.reg.Read(now, func(rate, stat *Window) {
		snap.Load.Arrivals = rate.Rate("arrivals")
		snap.Requests = RequestStats{
			Rate: rate.Rate("requests"), Total: uint64(rate.Total("requests")),
			ErrorRate: rate.Rate("errors"), Errors: uint64(rate.Total("errors")),
			ErrorRatio: ratio(stat.Delta("errors"), stat.Delta("requests")),
			Unroutable: rate.Rate("unroutable"), Balanced: rate.Rate("lb.requests"),
			HTTP: rate.Rate("http.requests"), HTTPTotal: uint64(rate.Total("http.requests")),
		}
		h := stat.Hist("latency")
		f := stat.Hist("latency.failed")
		snap.Latency = LatencyStats{P50: fromMS(h.P50), P90: fromMS(h.P90), P99: fromMS(h.P99), Mean: fromMS(h.Mean), Max: fromMS(h.Max),
			Failed: FailedLatency{P50: fromMS(f.P50), P99: fromMS(f.P99)}}
		snap.Servers = l.serverStats(rate, stat)
		snap.Cache = l.cacheStats(rate, stat)
		snap.CDN = l.cdnStats(rate, stat)
		dbReads = rate.Rate("db.reads")
		snap.Queue = l.queueStats(rate)
		snap.Breakers = l.breakerStats(rate)
		snap.Calls = l.callStats(rate, stat)
		snap.Limit = l.limitStats(rate, stat, now)
		if l.orders != nil {
			snap.Orders = l.ordersStats(orders, rate, stat)
		}
		snap.Trace.Sampled = rate.Rate("trace.sampled")
		staleRatio = ratio(stat.Delta("stale"), stat.Delta("reads"))
	})
	snap.Fleet = l.fleetStats(snap.Servers)
	snap.Discovery = l.discoveryStats(now)
	if l.cluster != nil {
		snap.Shards = l.shardsStats(&snap, now)
		snap.Shards.StaleRatio, snap.Shards.DBReads = staleRatio, dbReads
	}
	ts := l.tracer.Stats()
	snap.Trace.Sample, snap.Trace.Kept = ts.SampleRate, int(ts.Kept)
	return snap
}

// serverStats measures every server; web servers with their routing.
func (l *Lab) serverStats(rate, stat *Window) []ServerStats {
	names := l.serverNames()
	out := make([]ServerStats, 0, len(names))
	routing := map[string]*RoutingStats{}
	var picks float64
	for _, n := range l.webNames() {
		picks += stat.Delta("lb.picks{" + n + "}")
	}
	for _, s := range l.lb.Stats().Servers {
		routing[s.Name] = &RoutingStats{
			Routed: rate.Rate("lb.picks{" + s.Name + "}"), Share: ratio(stat.Delta("lb.picks{"+s.Name+"}"), picks),
			InFlight: s.InFlight, Healthy: s.Healthy,
		}
	}
	for _, n := range names {
		s := l.server(n)
		if s == nil {
			continue
		}
		st := s.b.Stats()
		served := stat.Delta("backend.service_ms{" + n + "}")
		done := stat.Delta("backend.completed{" + n + "}")
		ss := ServerStats{
			Name: n, Role: s.role, Health: st.Health, Workers: st.Workers, Busy: st.Busy, Queued: st.Queued,
			Utilization: min(ratio(served, float64(st.Workers)*ms(stat.Elapsed())), 1),
			Rate:        rate.Rate("backend.completed{" + n + "}"),
			Rejected:    rate.Rate("backend.rejected{" + n + "}"),
			Errors:      rate.Rate("backend.errors{" + n + "}"),
			QueueWait:   fromMS(ratio(stat.Delta("backend.wait_ms{"+n+"}"), done)),
			Service:     fromMS(ratio(served, done)),
			P99:         fromMS(stat.Hist("backend.latency{" + n + "}").P99),
			Served:      st.Completed, WaitTotal: st.QueueWaitTotal, ServiceTotal: st.ServiceTotal,
		}
		if s.role == RoleWeb {
			ss.Routing = routing[n]
		}
		if s.role == RoleDB {
			ss.Shard = &ShardLoad{Reads: rate.Rate("shard.reads{" + n + "}"), Writes: rate.Rate("shard.writes{" + n + "}")}
		}
		out = append(out, ss)
	}
	return out
}

func (l *Lab) queueStats(rate *Window) *QueueStats {
	if l.broker == nil {
		return nil
	}
	st, _ := l.broker.Topic(writesTopic)
	return &QueueStats{
		Depth: st.Depth, Capacity: st.Capacity, Consumers: st.Consumers,
		Published: rate.Rate("queue.published"), Consumed: rate.Rate("queue.acked"),
		Rejected: rate.Rate("queue.rejected"), Retried: rate.Rate("queue.retried"),
		Dead: st.DeadLettered, Oldest: st.OldestAge,
	}
}

func (l *Lab) breakerStats(rate *Window) []BreakerStats {
	if l.breaker == nil {
		return nil
	}
	b := breakerStatsOf(l.breaker.Stats())
	b.On, b.Rejected, b.Trips = l.breakerOn.Load(), rate.Rate("breaker.rejected"), l.trips.Load()
	return []BreakerStats{b}
}

// breakerStatsOf is what a breaker reports of itself, in the lab's terms.
func breakerStatsOf(bs breaker.Stats) BreakerStats {
	return BreakerStats{
		Name: bs.Name, State: bs.State, Failures: int(bs.Counts.ConsecutiveFailures),
		Threshold: bs.Threshold, OpenFor: bs.OpenFor, Trials: bs.HalfOpenMax,
		Mode: bs.Mode, Ratio: bs.Ratio, MinRequests: bs.MinRequests, Window: bs.Window,
		WindowCalls: int(bs.Recent.Requests), FailureRatio: bs.Recent.FailureRatio(),
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMS(x float64) time.Duration { return time.Duration(x * float64(time.Millisecond)) }

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// Value returns one metric by full name, and whether this lab has it.
func (l *Lab) Value(name string) (float64, bool) {
	s := l.Snapshot()
	return s.Value(name)
}
