package lab

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scalelab/scalelab/components/crash"
)

// BenchResult is what `scalelab bench` measured.
type BenchResult struct {
	Seconds       float64 `json:"seconds"`
	Clients       int     `json:"clients"`
	Procs         int     `json:"gomaxprocs"`
	Requests      uint64  `json:"requests"`
	Errors        uint64  `json:"errors"`
	PerSecond     float64 `json:"requests_per_second"`
	WallNsPerReq  float64 `json:"wall_ns_per_request"`
	CPUNsPerReq   float64 `json:"cpu_ns_per_request"`
	CacheHitRatio float64 `json:"cache_hit_ratio"`
	LatencyP99Us  float64 `json:"latency_p99_us"`
}

// BenchPreset is the shop topology with every service time zero and room
// to queue, so what is measured is the lab's own overhead per request:
// balancer, worker hand-offs, cache, shard routing, queue, breaker, tracing
// and metrics.
func BenchPreset() *Preset {
	p, err := LoadPreset("shop")
	if err != nil {
		panic(err) // the shop preset is embedded; this cannot fail
	}
	p.Name = "shop (zero service time)"
	for _, s := range []*ServerConf{&p.Web, p.DB, &p.Payments.ServerConf} {
		s.Service = "const:0"
		s.Queue = 4096
	}
	p.Queue.Capacity = 1 << 16
	p.Orders.Base, p.Orders.Replay = 0, 0
	p.Health.Interval = 0
	return p
}

// Bench drives a BenchPreset lab with closed-loop clients (each sends its
// next request as soon as the last one is answered) for d of wall time, with
// the default load mix: 90% reads over zipf(1.1) keys, 20% of writes
// checkouts.
func Bench(d time.Duration, clients int, seed uint64) (BenchResult, error) {
	l, err := New(Config{Preset: BenchPreset(), Seed: seed})
	if err != nil {
		return BenchResult{}, err
	}
	defer l.Stop()
	l.pace.fixSlack(0) // the engine's own cost, with no wait for stragglers
	if clients <= 0 {
		clients = 64
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var ids atomic.Uint64
	cpu0 := cpuTime()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		crash.Go(func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(c)))
			zipf := rand.NewZipf(rng, 1.1, 1, uint64(l.preset.Keys-1))
			done := make(chan struct{}, 1)
			for !stop.Load() {
				write := rng.Float64() >= 0.9
				checkout := write && rng.Float64() < l.preset.Payments.Share
				l.issueNotify(ids.Add(1), zipf.Uint64(), write, checkout, l.clock.Now(), done)
				<-done
			}
		})
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	s := l.Snapshot()
	n := l.m.requests.Load()
	r := BenchResult{
		Seconds: wall.Seconds(), Clients: clients, Procs: runtime.GOMAXPROCS(0),
		Requests: n, Errors: l.m.errors.Load(),
		LatencyP99Us: float64(s.Latency.P99) / float64(time.Microsecond),
	}
	if s.Cache != nil {
		r.CacheHitRatio = s.Cache.HitRatio
	}
	if n > 0 {
		r.PerSecond = float64(n) / wall.Seconds()
		r.WallNsPerReq = float64(wall.Nanoseconds()) / float64(n)
		r.CPUNsPerReq = float64(cpu.Nanoseconds()) / float64(n)
	}
	return r, nil
}
