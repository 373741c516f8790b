package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/lab"
)

// viewAt is a view at lab time sec of a lab shaped like topo, with the
// given metric values set in its typed sections: the panels' tests write
// their data by metric name, as the lab's tables name it.
func viewAt(sec float64, topo lab.Topology, values map[string]float64) lab.View {
	v := lab.View{Topology: topo}
	v.T = time.Duration(sec * float64(time.Second))
	v.Speed = 1
	if topo.Cache {
		mode, _ := cache.ParseMode(topo.CacheMode)
		v.Cache = &lab.CacheStats{Mode: mode}
	}
	if topo.Queue {
		v.Queue = &lab.QueueStats{}
	}
	if len(topo.DBs) > 0 {
		v.Shards = &lab.ShardsStats{Strategy: topo.ShardStrategy, Count: len(topo.DBs)}
		for _, d := range topo.DBs {
			v.Shards.Shards = append(v.Shards.Shards, lab.ShardInfo{Name: d, Primary: d, Writable: true})
		}
	}
	for _, w := range topo.Webs {
		v.Servers = append(v.Servers, lab.ServerStats{Name: w, Role: lab.RoleWeb, Routing: &lab.RoutingStats{Healthy: true}})
	}
	for _, d := range topo.DBs {
		v.Servers = append(v.Servers, lab.ServerStats{Name: d, Role: lab.RoleDB, Shard: &lab.ShardLoad{}})
	}
	if topo.Payments {
		v.Servers = append(v.Servers, lab.ServerStats{Name: "payments", Role: lab.RolePayments})
		v.Breakers = []lab.BreakerStats{{Name: "payments", On: true, Threshold: 5, OpenFor: 10 * time.Second, Trials: 1}}
	}
	for k, x := range values {
		setValue(&v, k, x)
	}
	return v
}

// viewWith is the fixture's view with some values changed.
func viewWith(values map[string]float64) lab.View {
	v := fixtureView(fixtureSeconds)
	for k, x := range values {
		setValue(&v, k, x)
	}
	return v
}

// setValue sets one metric, by its name, in a view's typed sections. A
// value for a section the view lacks (a cache metric without a cache) is
// dropped, as such a lab would not report it. Only the metrics the tests
// use are known; any other panics, so a test cannot silently set nothing.
// shard is the view's shard called name.
func shard(v *lab.View, name string) *lab.ShardInfo {
	for i := range v.Shards.Shards {
		if v.Shards.Shards[i].Name == name {
			return &v.Shards.Shards[i]
		}
	}
	panic("setValue: no shard " + name)
}

func setValue(v *lab.View, name string, x float64) {
	switch {
	case strings.HasPrefix(name, "cache.") && v.Cache == nil,
		strings.HasPrefix(name, "queue.") && v.Queue == nil,
		strings.HasPrefix(name, "shard.") && v.Shards == nil,
		strings.HasPrefix(name, "breaker.") && len(v.Breakers) == 0:
		return
	}
	ms := time.Duration(x * float64(time.Millisecond))
	base, label, _ := strings.Cut(name, "{")
	_, label, _ = strings.Cut(strings.TrimSuffix(label, "}"), "=")
	server := func() *lab.ServerStats {
		if s := v.Server(label); s != nil {
			return s
		}
		panic("setValue: no server " + label)
	}
	switch base {
	case "lab.time":
		v.T = time.Duration(x * float64(time.Second))
	case "lab.speed":
		v.Speed = x
	case "load.arrivals":
		v.Load.Arrivals = x
	case "latency.p50":
		v.Latency.P50 = ms
	case "latency.p90":
		v.Latency.P90 = ms
	case "latency.p99":
		v.Latency.P99 = ms
	case "latency.mean":
		v.Latency.Mean = ms
	case "requests.rate":
		v.Requests.Rate = x
	case "errors.ratio":
		v.Requests.ErrorRatio = x
	case "cache.hit_ratio":
		v.Cache.HitRatio = x
	case "cache.size":
		v.Cache.Size = int(x)
	case "cache.capacity":
		v.Cache.Capacity = int(x)
	case "cache.evictions":
		v.Cache.Evictions = x
	case "cache.expirations":
		v.Cache.Expirations = x
	case "cache.stale_ratio":
		v.Cache.StaleRatio = x
	case "cache.behind.pending":
		v.Cache.BehindPending = int(x)
	case "cache.behind.lag":
		v.Cache.BehindLag = ms
	case "queue.depth":
		v.Queue.Depth = int(x)
	case "queue.capacity":
		v.Queue.Capacity = int(x)
	case "queue.published":
		v.Queue.Published = x
	case "queue.consumed":
		v.Queue.Consumed = x
	case "queue.consumers":
		v.Queue.Consumers = int(x)
	case "queue.retried":
		v.Queue.Retried = x
	case "queue.rejected":
		v.Queue.Rejected = x
	case "queue.dead":
		v.Queue.Dead = uint64(x)
	case "queue.oldest":
		v.Queue.Oldest = ms
	case "shard.keys":
		shard(v, label).Load.Keys = int(x)
	case "shard.reads":
		shard(v, label).Load.Reads = x
	case "shard.writes":
		shard(v, label).Load.Writes = x
	case "shard.moved_keys":
		v.Shards.MovedKeys = int(x)
	case "shard.moved_total":
		v.Shards.MovedTotal = uint64(x)
	case "backend.health":
		server().Health = backend.Health(x)
	case "backend.latency.p99":
		server().P99 = ms
	case "breaker.state":
		v.Breaker(label).State = breaker.State(x)
	case "breaker.failures":
		v.Breaker(label).Failures = int(x)
	case "breaker.rejected":
		v.Breaker(label).Rejected = x
	case "breaker.trips":
		v.Breaker(label).Trips = uint64(x)
	case "trace.sample":
		v.Trace.Sample = x
	case "trace.sampled":
		v.Trace.Sampled = x
	default:
		panic("setValue: unknown metric " + name)
	}
}

func TestViewAtSetsEveryValueGiven(t *testing.T) {
	v := viewAt(3, lab.Topology{DBs: []string{"db-1"}, Payments: true, Cache: true}, map[string]float64{
		"latency.p99": 31, "shard.keys{shard=db-1}": 7, "breaker.state{name=payments}": 2, "cache.hit_ratio": 0.5,
	})
	for name, want := range map[string]float64{"latency.p99": 31, "shard.keys{shard=db-1}": 7, "breaker.state{name=payments}": 2, "cache.hit_ratio": 0.5, "lab.time": 3} {
		if got, ok := v.Value(name); !ok || got != want {
			t.Errorf("%s = %v, %v; want %v", name, got, ok, want)
		}
	}
}
