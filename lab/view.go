package lab

import (
	"time"

	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/components/trace"
)

// Topology is what the lab is made of, for drawing its map.
type Topology struct {
	Preset, Title string
	Webs, DBs     []string // in order; DBs are the shards
	DBServers     []string // every database server, primaries and replicas, by shard
	Cache         bool
	CacheNodes    []string // the distributed cache tier's nodes, in order; none for the other shapes
	Queue         bool
	Payments      bool
	Policy        string // balancer policy
	CacheMode     string // write policy, "" without a cache
	ShardStrategy string // "" without a db tier
}

// Transition is one state change of a breaker, at lab time T.
type Transition struct {
	T        time.Duration
	From, To breaker.State
}

// Traces are the traces a waterfall may show; any may be nil.
type Traces struct {
	Latest, Slowest, LatestError *trace.Finished
}

// Topology describes the lab as it is now (shards may have been added).
func (l *Lab) Topology() Topology {
	t := Topology{
		Preset: l.preset.Name, Title: l.preset.Title, Webs: l.webNames(),
		Cache: l.ctier != nil, Queue: l.broker != nil, Payments: l.payments != nil,
		Policy: l.lb.Policy(),
	}
	if l.ctier != nil {
		t.CacheMode = cache.Mode(l.mode.Load()).String()
		if ns := l.ctier.dist.Load(); ns != nil {
			for _, n := range ns.nodes {
				t.CacheNodes = append(t.CacheNodes, n.name)
			}
		}
	}

	if l.cluster != nil {
		t.DBs = l.cluster.Names()
		for _, n := range l.serverNames() {
			if s := l.server(n); s != nil && s.role == RoleDB {
				t.DBServers = append(t.DBServers, n)
			}
		}
		t.ShardStrategy = l.cluster.Stats().Strategy
	}
	return t
}

// View is a Snapshot plus the structure a dashboard draws around the
// numbers. The TUI asks for one per tick.
type View struct {
	Snapshot
	Topology    Topology
	LoadSpec    LoadSpec
	Paused      bool
	Traces      Traces
	Transitions []Transition // of the breaker, oldest first
	Playback    *Playback    // a replay running or finished on the lab; nil: none
}

// View reads a View.
func (l *Lab) View() View {
	v := View{Snapshot: l.Snapshot(), Topology: l.Topology()}
	v.LoadSpec, v.Paused = l.Load()
	if p := l.playback.Load(); p != nil {
		pb := *p
		v.Playback = &pb
	}
	if f, ok := l.tracer.Latest(); ok {
		v.Traces.Latest = &f
	}
	if f, ok := l.tracer.Slowest(); ok {
		v.Traces.Slowest = &f
	}
	if f, ok := l.tracer.LatestError(); ok {
		v.Traces.LatestError = &f
	}
	if l.breaker != nil {
		for _, tr := range l.breaker.Stats().Transitions {
			v.Transitions = append(v.Transitions, Transition{T: tr.At.Sub(l.start), From: tr.From, To: tr.To})
		}
	}
	return v
}

// Start is the lab time the lab started at; span times are absolute lab
// times, so a waterfall subtracts its trace's root start instead.
func (l *Lab) Start() time.Time { return l.start }
