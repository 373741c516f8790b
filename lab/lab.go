// Package lab is the scalelab engine: it builds a topology of live
// components from a preset, drives load through it, injects faults, keeps the
// lab clock, measures everything into a metrics registry and runs the
// command language that scripts, the TUI, lessons and replay all speak.
//
// Nothing here draws: the TUI reads Snapshot and subscribes to the Bus.
package lab

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/balancer"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/components/clock"
	"github.com/scalelab/scalelab/components/crash"
	"github.com/scalelab/scalelab/components/hashring"
	"github.com/scalelab/scalelab/components/queue"
	"github.com/scalelab/scalelab/components/ratelimit"
	"github.com/scalelab/scalelab/components/replica"
	"github.com/scalelab/scalelab/components/shard"
	"github.com/scalelab/scalelab/components/trace"
)

// Config is how a lab starts. Zero values: preset "shop", seed 1, speed 1,
// MaxRate DefaultMaxRate.
type Config struct {
	Preset  *Preset // nil: the shop preset
	Seed    uint64
	Speed   float64
	MaxRate float64 // the highest load rate a command may ask for

	// Crash is where a panic on one of the lab's goroutines goes; nil: the
	// process's handler. A server of many labs gives each session its own,
	// so one lab's crash ends one session.
	Crash *crash.Scope
}

// DefaultMaxRate is the load cap: about what the lab can sustain end to end
// on a small machine (see `scalelab bench`).
const DefaultMaxRate = 200_000

// writesTopic is the queue topic web servers publish writes to.
const writesTopic = "writes"

// Lab is one running topology. It is safe for concurrent use.
type Lab struct {
	cfg    Config
	preset *Preset
	clock  *clock.Clock
	start  time.Time
	stop   chan struct{}
	done   chan struct{} // closed when Stop is done
	wg     sync.WaitGroup
	once   sync.Once

	Bus *Bus
	reg *Registry
	m   labMetrics

	lb            *balancer.Balancer
	tracer        *trace.Tracer
	behind        *cache.BehindQueue[uint64, uint64] // write-behind flusher; nil without a cache
	mode          atomic.Int32                       // cache.Mode
	cluster       *shard.Cluster[uint64]             // nil without a db tier
	tier          *dataTier                          // the shards' replication; nil without a db tier
	cacheOff      atomic.Bool                        // the cache tier is taken out of the path
	ctier         *cacheTier                         // its shape: global, local or distributed; nil without a cache
	cdn           atomic.Pointer[edge]               // the CDN edge, while on
	broker        *queue.Broker                      // nil without a queue
	breaker       *breaker.Breaker                   // nil without payments
	breakerOn     atomic.Bool                        // the breaker is in the call path
	trips         atomic.Uint64                      // times the breaker opened
	lost          lostMessages                       // dead-lettered and dropped messages, told once a second
	queueConf     queue.TopicConfig
	blockWhenFull atomic.Bool // publishers wait when the write queue is full
	payments      *server
	orders        *orders                           // the event store of checkouts; nil without them
	calls         calls                             // deadlines and retries of the calls between tiers (resilience.go)
	limiter       atomic.Pointer[ratelimit.Limiter] // the rate limiter at the edge; nil when off (limit.go)
	fleet         fleet                             // the web tier's size and autoscaler (fleet.go)
	disc          discoveryState                    // the service registry, when on (discovery.go)

	// The server tables are read on every request and written only by
	// scale and shard commands, so readers load an immutable snapshot and
	// writers (serialised by mu) publish a new copy.
	mu      sync.Mutex
	cmdMu   sync.Mutex                         // one command applies at a time
	webs    atomic.Pointer[[]*server]          // by balancer index
	servers atomic.Pointer[map[string]*server] // by name
	nextDB  int

	versions atomic.Uint64   // write versions, to detect stale reads
	latest   []atomic.Uint64 // newest version written per key
	wroteAt  []atomic.Int64  // lab ns that version was acknowledged
	writeMu  [64]sync.Mutex  // stripes over keys, for latest and wroteAt together, and storedAt
	storedAt []int64         // lab ns the version in the key's shard committed

	playback atomic.Pointer[Playback] // the timed run on the lab, if any (RunTimed)

	load   *generator
	health *healthChecker
	pace   *pacer
	pool   sync.Pool // *request
}

// dbPlace is where a database server sits in the data tier. The data tier
// replaces it whole under its lock; the pipeline and the snapshot read it
// without one.
type dbPlace struct {
	shard string           // the shard it holds
	rep   *replica.Replica // a read replica's copy; nil for a primary
}

// shard names the shard a database server holds; "" for other servers.
func (s *server) shard() string {
	if p := s.place.Load(); p != nil {
		return p.shard
	}
	return ""
}

// replica is a read replica's copy; nil for a primary or another server.
func (s *server) replica() *replica.Replica {
	if p := s.place.Load(); p != nil {
		return p.rep
	}
	return nil
}

// server is a backend and the lab's measurements of it.
type server struct {
	b       *backend.Backend
	role    Role
	place   atomic.Pointer[dbPlace] // database servers: the shard held, and how
	lat     *Histogram
	metrics []string // the registry series and histograms kept for it, freed when it goes
	// web servers only: the webPhase, and when a warming one goes in service (lab ns)
	phase atomic.Int32
	until atomic.Int64
	// db shards only
	reads, writes *Counter
}

// labMetrics are the counters and histograms the request path records into,
// resolved once so recording never touches the registry lock.
type labMetrics struct {
	requests, errors, unroutable, arrivals *Counter
	limited                                *Counter // refused by the rate limiter at the edge
	skipped                                *Counter // arrivals the generator could not send in time (see maxBacklog)
	hits, misses, reads, stale             *Counter
	coalesced, dbReads, balanced           *Counter // misses that shared a fetch; database reads; requests that reached the balancer
	cdnHits, cdnMisses, cdnStale           *Counter // reads the CDN edge answered, passed on, and answered with an old version
	sampled                                *Counter
	http                                   *Counter   // calls through the HTTP front door (front.go)
	latency, failed                        *Histogram // end-to-end, of requests that succeeded and that failed
}

// New builds and starts a lab. Stop it when done.
func New(cfg Config) (*Lab, error) {
	if cfg.Preset == nil {
		p, err := LoadPreset("shop")
		if err != nil {
			return nil, err
		}
		cfg.Preset = p
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Speed == 0 {
		cfg.Speed = 1
	}
	if !(cfg.Speed >= clock.MinSpeed && cfg.Speed <= clock.MaxSpeed) {
		return nil, fmt.Errorf("speed %gx is out of range %gx..%gx", cfg.Speed, clock.MinSpeed, clock.MaxSpeed)
	}
	if cfg.MaxRate == 0 {
		cfg.MaxRate = DefaultMaxRate
	}
	if !(cfg.MaxRate > 0 && cfg.MaxRate <= MaxRateCap) {
		return nil, fmt.Errorf("max rate %g is out of range 1..%d", cfg.MaxRate, MaxRateCap)
	}
	p := cfg.Preset
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("preset %s: %w", p.Name, err)
	}
	clk := clock.New(cfg.Speed)
	l := &Lab{
		cfg: cfg, preset: p, clock: clk, start: clk.Now(), stop: make(chan struct{}), done: make(chan struct{}),
		Bus: &Bus{}, reg: NewRegistry(),
		latest: make([]atomic.Uint64, p.Keys), wroteAt: make([]atomic.Int64, p.Keys), storedAt: make([]int64, p.Keys),
	}
	l.webs.Store(&[]*server{})
	l.servers.Store(&map[string]*server{})
	l.pool.New = func() any { r := &request{lab: l}; r.bind(); return r }
	l.m = labMetrics{
		requests: l.reg.Counter("requests"), errors: l.reg.Counter("errors"),
		unroutable: l.reg.Counter("unroutable"), arrivals: l.reg.Counter("arrivals"),
		limited: l.reg.Counter("limited"),
		skipped: l.reg.Counter("arrivals.skipped"),
		hits:    l.reg.Counter("cache.hits"), misses: l.reg.Counter("cache.misses"),
		reads: l.reg.Counter("reads"), stale: l.reg.Counter("stale"),
		coalesced: l.reg.Counter("cache.coalesced"), dbReads: l.reg.Counter("db.reads"), balanced: l.reg.Counter("lb.requests"),
		cdnHits: l.reg.Counter("cdn.hits"), cdnMisses: l.reg.Counter("cdn.misses"), cdnStale: l.reg.Counter("cdn.stale"),
		sampled: l.reg.Counter("trace.sampled"), latency: l.reg.Histogram("latency"),
		failed: l.reg.Histogram("latency.failed"), http: l.reg.Counter("http.requests"),
	}
	l.initCalls()
	l.tracer = trace.New(trace.Settings{SampleRate: p.Trace.Sample, Keep: 200, Seed: cfg.Seed})

	// Web tier behind the balancer.
	policy, _ := balancer.NewPolicy(p.Balancer, cfg.Seed)
	l.lb = balancer.New(policy)
	for i := 1; i <= p.Web.Count; i++ {
		if err := l.addWeb(fmt.Sprintf("web-%d", i), p.Web, true); err != nil {
			return nil, err
		}
	}

	// Database shards, cache, queue, payments.
	if p.DB != nil {
		strat, _ := shard.NewStrategy(p.Shard.Strategy, p.Shard.VNodes, uint64(p.Keys))
		var names []string
		for i := 1; i <= p.DB.Count; i++ {
			names = append(names, l.addDB())
		}
		l.cluster = shard.NewCluster[uint64](strat, names...)
		for k := 0; k < p.Keys; k++ { // every key exists, at version 0
			l.cluster.Put(uint64(k), 0)
		}
		l.tier = newDataTier(l)
		l.tier.mu.Lock()
		for _, n := range names {
			l.tier.addShardLocked(n)
		}
		l.tier.publishLocked()
		l.tier.mu.Unlock()
	}
	if p.Cache != nil {
		l.ctier = newCacheTier(l, p.Cache.Size, time.Duration(p.Cache.TTL))
		mode, _ := cache.ParseMode(p.Cache.Mode)
		l.mode.Store(int32(mode))
		l.behind = l.newWriteBehind(time.Duration(p.Cache.Delay))
	}
	if p.Queue != nil {
		l.broker = queue.NewBroker(queue.Settings{Clock: clk, Crash: cfg.Crash, OnEvent: l.onQueueEvent})
		full, _ := queue.ParseFullPolicy(p.Queue.Full)
		l.queueConf = queue.TopicConfig{
			Capacity: p.Queue.Capacity, WhenFull: full, MaxAttempts: p.Queue.Attempts, RetryDelay: time.Duration(p.Queue.Retry),
		}
		l.blockWhenFull.Store(full == queue.Block)
		if err := l.broker.CreateTopic(writesTopic, l.queueConf); err != nil {
			return nil, err
		}
		if err := l.broker.SubscribeTimed(writesTopic, p.Queue.Consumers, l.consumeWrite); err != nil {
			return nil, err
		}
	}
	if pc := p.Payments; pc != nil {
		l.payments = l.newServer("payments", RolePayments, pc.ServerConf)
		l.breakerOn.Store(true)
		l.breaker = breaker.New(breaker.Settings{
			Name: "payments", Threshold: pc.Threshold, OpenFor: time.Duration(pc.Open), HalfOpenMax: pc.Trials,
			Mode: pc.mode, Ratio: pc.Ratio, MinRequests: pc.Min, Window: time.Duration(pc.Window),
			Now: clk.Now, OnStateChange: l.onBreakerChange,
		})
	}
	if p.Orders != nil {
		l.orders = newOrders(l.reg, *p.Orders)
	}
	l.registerSeries()

	l.load = newGenerator(l)
	l.health = newHealthChecker(l, p.Health)
	l.pace = newPacer(l, l.clock.Speed())
	l.reg.Sample(l.start)
	l.wg.Add(4)
	l.Go(l.sampler)
	l.Go(l.load.run)
	l.Go(l.health.run)
	l.Go(l.fleetLoop)
	return l, nil
}

func (l *Lab) newServer(name string, role Role, c ServerConf) *server {
	s := &server{role: role, lat: l.reg.Histogram("backend.latency{" + name + "}"), metrics: []string{"backend.latency{" + name + "}"}}
	s.b = backend.New(backend.Settings{
		Name: name, Workers: c.Workers, QueueSize: c.Queue, Service: c.dist, Clock: l.clock, Crash: l.cfg.Crash,
		Seed: l.cfg.Seed ^ hashring.FNV1a64String(name), OnEvent: l.onBackendEvent,
	})
	l.mu.Lock()
	l.servers.Store(withServer(*l.servers.Load(), name, s))
	l.mu.Unlock()
	return s
}

// addDB starts the next db-N server and returns its name; the caller adds it
// to the shard cluster.
func (l *Lab) addDB() string {
	l.mu.Lock()
	l.nextDB++
	name := fmt.Sprintf("db-%d", l.nextDB)
	l.mu.Unlock()
	l.newDB(name)
	return name
}

// newDB starts a database server called name with its read and write
// counters; the caller adds it to the shard cluster.
func (l *Lab) newDB(name string) {
	s := l.newServer(name, RoleDB, *l.preset.DB)
	s.reads = l.reg.Counter("shard.reads{" + name + "}")
	s.writes = l.reg.Counter("shard.writes{" + name + "}")
	s.metrics = append(s.metrics, "shard.reads{"+name+"}", "shard.writes{"+name+"}")
}

// removeServer takes a server out of the lab, stops it, and frees what the
// registry kept for it (so adding and removing shards all day stays in
// bounded memory).
func (l *Lab) removeServer(name string) {
	l.mu.Lock()
	s := l.server(name)
	l.servers.Store(withServer(*l.servers.Load(), name, nil))
	l.mu.Unlock()
	if s != nil {
		s.b.Stop()
		l.reg.Remove(s.metrics...)
	}
}

// server returns the named server, or nil.
func (l *Lab) server(name string) *server { return (*l.servers.Load())[name] }

// withServer returns a copy of m with name set to s, or removed when s is nil.
func withServer(m map[string]*server, name string, s *server) *map[string]*server {
	out := make(map[string]*server, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	if s == nil {
		delete(out, name)
	} else {
		out[name] = s
	}
	return &out
}

// serverNames lists servers in display order: web, cache, db, payments.
func (l *Lab) serverNames() []string {
	servers := *l.servers.Load()
	names := make([]string, 0, len(servers))
	for n := range servers {
		names = append(names, n)
	}
	rank := map[Role]int{RoleWeb: 0, RoleCache: 1, RoleDB: 2, RolePayments: 3}
	byName := func(a, b string) bool {
		if len(a) != len(b) {
			return len(a) < len(b) // web-2 before web-10
		}
		return a < b
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := servers[names[i]], servers[names[j]]
		if rank[a.role] != rank[b.role] {
			return rank[a.role] < rank[b.role]
		}
		if sa, sb := a.shard(), b.shard(); sa != sb { // a shard's servers together: db-1, db-1-r1, db-2
			return byName(sa, sb)
		}
		return byName(names[i], names[j])
	})
	return names
}

// webNames lists the web servers in balancer order, but for those removed
// by a scale-in.
func (l *Lab) webNames() []string {
	webs := *l.webs.Load()
	names := make([]string, 0, len(webs))
	for _, w := range webs {
		if w.webPhase() != phaseRemoved {
			names = append(names, w.b.Name())
		}
	}
	return names
}

func (l *Lab) web(i int) *server {
	return (*l.webs.Load())[i]
}

// Go runs f on a goroutine of the lab's: a panic in it goes to the lab's
// crash scope (Config.Crash).
func (l *Lab) Go(f func()) { l.cfg.Crash.Go(f) }

// Clock returns the lab clock.
func (l *Lab) Clock() *clock.Clock { return l.clock }

// Since is lab time since the lab started.
func (l *Lab) Since() time.Duration { return l.clock.Now().Sub(l.start) }

// Preset returns the preset the lab was built from.
func (l *Lab) Preset() *Preset { return l.preset }

// Seed returns the lab's random seed.
func (l *Lab) Seed() uint64 { return l.cfg.Seed }

// MaxRate returns the highest load rate a command may ask for.
func (l *Lab) MaxRate() float64 { return l.cfg.MaxRate }

// TracesSince returns the sampled traces finished after the first n the lab
// has seen finish, oldest first, and the new count to pass next time. Only
// the tracer's kept traces (the last 200) can be returned: the answer skips
// any older ones. Cost: O(returned) under the tracer's mutex.
func (l *Lab) TracesSince(n uint64) ([]trace.Finished, uint64) { return l.tracer.FinishedSince(n) }

// stopped reports whether Stop was called.
func (l *Lab) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// Done is closed when the lab stops.
func (l *Lab) Done() <-chan struct{} { return l.stop }

// Stop stops the load, every component and every goroutine the lab started,
// and waits for them. It is idempotent.
func (l *Lab) Stop() {
	l.once.Do(func() {
		close(l.stop)
		l.load.mu.Lock()
		l.load.kickLocked()
		l.load.mu.Unlock()
		l.health.mu.Lock()
		close(l.health.wake)
		l.health.wake = make(chan struct{})
		l.health.mu.Unlock()
		l.wg.Wait() // generator, health checks, sampler
		// Downstream first, so no web worker is left waiting on a database.
		for _, name := range l.serverNames() {
			if s := l.server(name); s.role != RoleWeb {
				s.b.Stop()
			}
		}
		if l.broker != nil {
			l.broker.Stop()
		}
		if l.behind != nil {
			l.behind.Stop()
		}
		if l.tier != nil {
			// Its appliers' calls return: the databases are stopped. And
			// synchronous writers waiting on a replica are let go.
			l.tier.stop()
		}
		for _, name := range l.serverNames() {
			l.server(name).b.Stop()
		}
		l.health.probing.Wait() // answered by now: the servers are stopped
		close(l.done)
	})
}

// Stopped is closed once Stop has stopped everything: no request finishes
// after it, so a reader of traces or metrics can take its last look.
func (l *Lab) Stopped() <-chan struct{} { return l.done }

// sampler takes a registry frame every frameEvery of lab time, and polls the
// breaker so its lazy open→half-open transition is noticed on time.
func (l *Lab) sampler() {
	defer l.wg.Done()
	next := l.start
	frames := 0
	for {
		next = next.Add(frameEvery)
		if !l.clock.SleepUntil(next, l.stop) {
			return
		}
		l.pace.observe(l.clock.Now().Sub(next))
		if l.breaker != nil {
			l.breaker.State()
		}
		l.reg.Sample(l.clock.Now())
		if frames++; frames%int(time.Second/frameEvery) == 0 {
			l.flushLost()
		}
	}
}
