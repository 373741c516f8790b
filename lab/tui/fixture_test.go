package tui

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"go.uber.org/goleak"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/components/eventstore"
	"github.com/scalelab/scalelab/components/retry"
	"github.com/scalelab/scalelab/components/trace"
	"github.com/scalelab/scalelab/lab"
)

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	goleak.VerifyTestMain(m,
		// teatest waits for SIGINT on a goroutine that never ends.
		goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest.NewTestModel.func2"),
	)
}

// fixtureSeconds is the lab time of the fixture's current view; views for
// earlier seconds give the charts a history.
const fixtureSeconds = 30

// fixtureTopology is the shop preset as the lab reports it.
var fixtureTopology = lab.Topology{
	Preset: "shop", Title: "Shop",
	Webs: []string{"web-1", "web-2", "web-3"}, DBs: []string{"db-1", "db-2"},
	DBServers: []string{"db-1", "db-1-r1", "db-2"},
	Cache:     true, Queue: true, Payments: true,
	Policy: "round-robin", CacheMode: "invalidate", ShardStrategy: "ring",
}

// fixtureView is a plausible shop lab at lab second sec (1..fixtureSeconds)
// under 500 req/s of zipf load: web-2 is slow, so its p99 and in-flight
// count stand out; latency spikes around second 20; the breaker opened at
// 12 s and closed again at 22.4 s. Every value is integer arithmetic on
// sec, so the golden files are the same on every platform.
func fixtureView(sec int) lab.View {
	wave := float64(sec%7) - 3 // -3..3, so charts are not flat
	spike := 0.0
	if sec >= 18 && sec <= 22 {
		spike = 120
	}
	ms := func(x float64) time.Duration { return time.Duration(x * float64(time.Millisecond)) }
	snap := lab.Snapshot{
		T: time.Duration(sec) * time.Second, Speed: 1,
		Load: lab.LoadStats{Rate: 500, Arrivals: 497 + wave},
		Requests: lab.RequestStats{
			Rate: 495 + wave, Total: uint64(495 * sec), ErrorRate: 2, Errors: uint64(2 * sec), ErrorRatio: 0.004,
		},
		Latency: lab.LatencyStats{P50: ms(6 + wave/3), P90: ms(18 + wave + spike/4), P99: ms(48 + 2*wave + spike), Mean: ms(9 + wave/3), Max: ms(212 + spike),
			Failed: lab.FailedLatency{P50: ms(0.2), P99: ms(1.5)}}, // refused by a full queue
		Cache: &lab.CacheStats{
			Mode: cache.WriteInvalidate, HitRatio: 0.82 + wave/100, Hits: 365, Misses: 80, Size: 1000, Capacity: 1000, Evictions: 79,
			Nodes: []lab.CacheNodeStats{{Name: "cache", HitRatio: 0.82 + wave/100, Hits: 365, Size: 1000, Capacity: 1000}},
		},
		CDN: &lab.CDNStats{HitRatio: 0.4, StaleRatio: 0.02, Hits: 200, Size: 800, Capacity: 1000, TTL: 10 * time.Second, Latency: ms(1)},
		Shards: &lab.ShardsStats{Strategy: "ring", Count: 2, Replicas: 1, Lag: 100 * time.Millisecond, Reads: lab.ReadReplicas, StaleRatio: 0.012,
			Shards: []lab.ShardInfo{
				{Name: "db-1", Primary: "db-1", Writable: true, Load: lab.ShardLoad{Keys: 5120, Reads: 42, Writes: 26},
					Replicas: []lab.ReplicaInfo{{Name: "db-1-r1", Health: backend.Up, Lag: 120 * time.Millisecond}}},
				{Name: "db-2", Primary: "db-2", Writable: true, Load: lab.ShardLoad{Keys: 4880, Reads: 38, Writes: 23}},
			}},
		Queue: &lab.QueueStats{
			Depth: int(12 + 2*wave), Capacity: 1000, Consumers: 2, Published: 50, Consumed: 49, Retried: 1, Oldest: ms(14),
		},
		Breakers:  []lab.BreakerStats{{Name: "payments", On: true, State: breaker.Closed, Trips: 1, Threshold: 5, OpenFor: 10 * time.Second, Trials: 1}},
		Trace:     lab.TraceStats{Sampled: 5, Sample: 0.01, Kept: 160},
		Fleet:     lab.FleetStats{Serving: 3, Receiving: 3, Desired: 3, Utilization: 0.35}, // no autoscaler
		Discovery: lab.DiscoveryStats{On: true, Heartbeat: time.Second, TTL: 3 * time.Second, Listed: []string{"web-1", "web-2", "web-3"}},
		// Calls between tiers: payments retried up to 3 times with a
		// budget; the client's and the databases' deadlines as shipped.
		Calls: []lab.CallStats{
			{Name: "web", Timeout: 5 * time.Second, Retry: retry.Policy{Attempts: 1}, Calls: 495, Attempts: 495, Amplification: 1, SuccessRatio: 0.996},
			{Name: "db", Timeout: time.Second, Retry: retry.Policy{Attempts: 1}, Calls: 130, Attempts: 130, Amplification: 1, SuccessRatio: 1},
			{Name: "payments", Timeout: time.Second, Retry: retry.Policy{Attempts: 3, Base: ms(50), Max: time.Second, Jitter: retry.FullJitter}, Budget: 0.1,
				Calls: 10, Attempts: 11, Amplification: 1.1, SuccessRatio: 0.99, Timeouts: 1},
		},
		// 10 checkouts a second, 2 events each; the hottest order has
		// passed its first snapshot.
		Orders: &lab.OrdersStats{
			SnapshotEvery: 100, Base: ms(1), Replay: ms(0.05),
			Orders: 240, Events: uint64(20 * sec), Kept: max(20*sec-100, 0), PerOrder: float64(20*sec) / 240,
			Longest:   eventstore.Stream{ID: 3, Version: uint64(4 * sec), Snapshot: 100, Kept: max(4*sec-100, 0)},
			Snapshots: 0.2, Rebuilds: 10, Replayed: 3.5, RebuildP99: ms(5.9),
		},
	}
	server := func(name string, role lab.Role, health backend.Health, rate float64, workers, busy int, p99 float64) *lab.ServerStats {
		snap.Servers = append(snap.Servers, lab.ServerStats{
			Name: name, Role: role, Health: health, Workers: workers, Busy: busy,
			Utilization: float64(busy) / float64(workers), Rate: rate, Service: ms(p99 / 5), P99: ms(p99),
		})
		return &snap.Servers[len(snap.Servers)-1]
	}
	webs := []struct {
		name     string
		health   backend.Health
		rate     float64
		inflight int
		p99      float64
	}{
		{"web-1", backend.Up, 166 + wave, 2, 11},
		{"web-2", backend.Slow, 164 + wave, 7, 214 + spike},
		{"web-3", backend.Up, 165 - wave, 1, 12},
	}
	for _, w := range webs {
		s := server(w.name, lab.RoleWeb, w.health, w.rate, 8, w.inflight, w.p99)
		s.Routing = &lab.RoutingStats{Routed: w.rate, Share: w.rate / 495, InFlight: w.inflight, Healthy: true}
	}
	for i, db := range []string{"db-1", "db-2"} {
		s := server(db, lab.RoleDB, backend.Up, float64(52-5*i), 4, 1, float64(21-2*i))
		s.Shard = &lab.ShardLoad{Keys: 5120 - 240*i, Reads: float64(42 - 4*i), Writes: float64(26 - 3*i)}
	}
	server("db-1-r1", lab.RoleDB, backend.Up, 20, 4, 0, 9).Shard = &lab.ShardLoad{Reads: 20, Writes: 26}
	server("payments", lab.RolePayments, backend.Up, 10, 16, 3, 88)

	load := lab.LoadSpec{Rate: 500, Poisson: true, Dist: lab.KeysZipf, ZipfS: 1.1, HotFrac: 0.1, Keys: 10000, Reads: 0.9}
	view := lab.View{
		Snapshot: snap,
		Topology: fixtureTopology,
		LoadSpec: load,
		Traces:   lab.Traces{Latest: fixtureTrace(), Slowest: fixtureTrace(), LatestError: fixtureErrorTrace()},
	}
	for _, tr := range []lab.Transition{
		{T: 12 * time.Second, From: breaker.Closed, To: breaker.Open},
		{T: 22 * time.Second, From: breaker.Open, To: breaker.HalfOpen},
		{T: 22400 * time.Millisecond, From: breaker.HalfOpen, To: breaker.Closed},
	} {
		if tr.T <= time.Duration(sec)*time.Second {
			view.Transitions = append(view.Transitions, tr)
		}
	}
	return view
}

// fixtureStart is the lab clock's origin in the fixture's traces.
var fixtureStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func fixtureMS(x float64) time.Time {
	return fixtureStart.Add(time.Duration(x * float64(time.Millisecond)))
}

// fixtureTrace is a 41.5 ms read: the balancer, web-2's accept queue, web-2,
// a cache miss, and a read on shard db-1.
func fixtureTrace() *trace.Finished {
	id := trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	root := trace.Span{TraceID: id, SpanID: trace.SpanID{1}, Name: "GET /item/42", Start: fixtureMS(0), End: fixtureMS(41.5),
		Attrs: []trace.Attr{{Key: "key", Value: "42"}}}
	span := func(n, parent byte, name string, a, b float64, err string) trace.Span {
		return trace.Span{TraceID: id, SpanID: trace.SpanID{n}, Parent: trace.SpanID{parent}, Name: name, Start: fixtureMS(a), End: fixtureMS(b), Err: err}
	}
	return &trace.Finished{
		ID: id, Root: root, Duration: root.Duration(),
		Spans: []trace.Span{
			root,
			span(2, 1, "web-2 queue", 0.1, 8, ""),
			span(3, 1, "web-2", 8, 41.5, ""),
			span(4, 3, "cache get", 8.2, 8.2, ""),
			span(5, 3, "db-1 read", 9, 38.7, ""),
			span(6, 3, "cache set", 38.8, 38.8, ""),
		},
	}
}

// fixtureErrorTrace is a checkout failed fast by the open breaker.
func fixtureErrorTrace() *trace.Finished {
	id := trace.TraceID{0x9a, 0x01, 0x5c, 0xd2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	root := trace.Span{TraceID: id, SpanID: trace.SpanID{1}, Name: "POST /checkout", Start: fixtureMS(12000), End: fixtureMS(12006.4), Err: "payments: circuit breaker is open"}
	return &trace.Finished{
		ID: id, Root: root, Duration: root.Duration(), Err: true,
		Spans: []trace.Span{
			root,
			{TraceID: id, SpanID: trace.SpanID{2}, Parent: root.SpanID, Name: "web-1", Start: fixtureMS(12000.2), End: fixtureMS(12006.3), Err: "payments: circuit breaker is open"},
			{TraceID: id, SpanID: trace.SpanID{3}, Parent: trace.SpanID{2}, Name: "payments", Start: fixtureMS(12006), End: fixtureMS(12006), Err: "circuit breaker is open"},
		},
	}
}

// execCall is one command line the fake lab was asked to run.
type execCall struct{ Line, Source string }

// fakeSource is a lab that never changes by itself: View returns a fixed
// view (fixtureView(fixtureSeconds) unless a test sets another), Exec
// records the line and checks it with the real parser, and events go
// through a real lab.Bus.
type fakeSource struct {
	bus lab.Bus

	mu     sync.Mutex
	view   lab.View
	calls  []execCall
	refuse map[string]error // lines that parse but fail to apply, as kill nosuch does
}

func newFakeSource() *fakeSource {
	return &fakeSource{view: fixtureView(fixtureSeconds)}
}

func (f *fakeSource) View() lab.View {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.view
}

// SetView replaces what View returns.
func (f *fakeSource) SetView(v lab.View) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.view = v
}

// Refuse makes Exec fail line with err after it parses.
func (f *fakeSource) Refuse(line string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refuse == nil {
		f.refuse = map[string]error{}
	}
	f.refuse[line] = err
}

// Exec records the line; a line that does not parse is refused with the
// parser's error, as the lab does, and publishes a command event either way.
func (f *fakeSource) Exec(line, source string) error {
	_, err := lab.Parse(line)
	f.mu.Lock()
	if err == nil && f.refuse[line] != nil {
		err = f.refuse[line]
	}
	f.mu.Unlock()
	e := lab.Event{T: float64(fixtureSeconds), Kind: lab.KindCommand, Source: source, Line: strings.TrimSpace(line)}
	if err != nil {
		e.Err = err.Error()
	} else {
		f.mu.Lock()
		f.calls = append(f.calls, execCall{line, source})
		f.mu.Unlock()
	}
	f.bus.Publish(e)
	return err
}

func (f *fakeSource) Subscribe(requests bool) *lab.Subscription { return f.bus.Subscribe(requests) }

// Publish stamps e with the fixture's time and publishes it, as the lab
// does for lesson progress.
func (f *fakeSource) Publish(e lab.Event) {
	e.T = float64(fixtureSeconds)
	f.bus.Publish(e)
}

// Since is the lab time of the view it returns.
func (f *fakeSource) Since() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.view.T
}

// Calls returns the lines run so far, oldest first.
func (f *fakeSource) Calls() []execCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]execCall(nil), f.calls...)
}

// fixtureCommon is a fresh Common: keys are per model, because the root
// enables and disables bindings as focus and selection change.
func fixtureCommon() *Common {
	return &Common{Styles: NewStyles(true), Keys: DefaultKeyMap()}
}

// TestFixtureHasEveryMetric keeps the fixture honest: every metric in the
// table, for every server, shard and breaker it is labelled with.
func TestFixtureHasEveryMetric(t *testing.T) {
	v := fixtureView(fixtureSeconds)
	values := v.Values()
	for _, m := range lab.Metrics {
		found := false
		for name := range values {
			if name == m.Name || strings.HasPrefix(name, m.Name+"{") {
				found = true
			}
		}
		if !found {
			t.Errorf("fixture has no value for %s", m.Name)
		}
	}
	for _, name := range []string{"lb.routed{backend=web-3}", "shard.keys{shard=db-2}", "backend.health{backend=payments}", "breaker.state{name=payments}"} {
		if _, ok := values[name]; !ok {
			t.Errorf("fixture has no value for %s", name)
		}
	}
	if v.Traces.Latest == nil || len(v.Traces.Latest.Spans) < 3 {
		t.Errorf("fixture has no latest trace with spans: %+v", v.Traces.Latest)
	}
	if len(v.Transitions) == 0 {
		t.Errorf("fixture has no breaker transition")
	}
}

// TestFakeSourceExec checks the fake the other tests rely on: good lines are
// recorded with their source, bad ones refused with the parser's error, and
// both published as command events.
func TestFakeSourceExec(t *testing.T) {
	f := newFakeSource()
	sub := f.Subscribe(false)
	defer sub.Unsubscribe()
	if err := f.Exec("kill web-2", lab.SourceKey); err != nil {
		t.Fatalf("Exec(kill web-2) = %v", err)
	}
	err := f.Exec("lod 5", lab.SourceTyped)
	if _, perr := lab.Parse("lod 5"); err == nil || perr == nil || err.Error() != perr.Error() {
		t.Fatalf("Exec(lod 5) = %v, want the parser's error %v", err, perr)
	}
	if got, want := fmt.Sprint(f.Calls()), fmt.Sprint([]execCall{{"kill web-2", lab.SourceKey}}); got != want {
		t.Errorf("calls = %s, want %s", got, want)
	}
	<-sub.Ready()
	evs := sub.Drain()
	if len(evs) != 2 || evs[0].Line != "kill web-2" || evs[1].Err == "" {
		t.Errorf("events = %+v, want kill web-2 then a failed lod 5", evs)
	}
}
