package lab

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// KeyDist is how the load generator picks keys.
type KeyDist int

// Key distributions.
const (
	KeysUniform KeyDist = iota // every key equally likely
	KeysZipf                   // rank r has weight 1/r^s (a few hot keys, a long tail)
	KeysHotspot                // a fixed hot set gets most of the traffic
)

var keyDistNames = [...]string{"uniform", "zipf", "hotspot"}

func (k KeyDist) String() string {
	if k >= 0 && int(k) < len(keyDistNames) {
		return keyDistNames[k]
	}
	return fmt.Sprintf("KeyDist(%d)", int(k))
}

// LoadSpec is what the open-loop load generator produces.
type LoadSpec struct {
	Rate    float64 // arrivals per lab second; 0 is off
	Poisson bool    // exponential inter-arrival times (else evenly spaced)
	Dist    KeyDist
	ZipfS   float64 // zipf exponent (> 1)
	HotFrac float64 // hotspot: share of keys that are hot; they get 1-HotFrac of requests
	Keys    int     // key space [0, Keys)
	Reads   float64 // share of requests that are reads
}

// generator is an open-loop load generator: arrivals come on schedule
// whether or not earlier requests have finished, as real users do, so an
// overloaded system shows queueing and rejections instead of quietly
// slowing its own load (the "coordinated omission" trap of closed loops).
//
// Arrivals are scheduled by deadline on the lab clock. Each wake-up issues
// every arrival whose time has come, stamped with its scheduled time, so a
// late timer never stretches the gaps and the configured rate is what
// arrives.
type generator struct {
	l      *Lab
	mu     sync.Mutex
	spec   LoadSpec
	paused bool
	wake   chan struct{} // closed on every change, and on stop
	// sent is lab ns up to which every arrival has been issued (math.MaxInt64
	// while there is no load): health probes wait for it, so a probe never
	// reaches a server ahead of requests that arrived before it.
	sent   atomic.Int64
	rng    *rand.Rand
	zipf   *rand.Zipf
	nextID uint64
}

func newGenerator(l *Lab) *generator {
	rng := rand.New(rand.NewPCG(l.cfg.Seed, 0x10ad))
	g := &generator{
		l: l, rng: rng, wake: make(chan struct{}),
		spec: LoadSpec{Poisson: true, Dist: KeysUniform, ZipfS: 1.1, HotFrac: 0.1, Keys: l.preset.Keys, Reads: 0.9},
	}
	g.sent.Store(math.MaxInt64)
	return g
}

// Load returns the generator's current spec and whether it is paused.
func (l *Lab) Load() (LoadSpec, bool) {
	g := l.load
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.spec, g.paused
}

func (g *generator) set(spec LoadSpec, paused bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.spec, g.paused = spec, paused
	g.zipf = nil
	if spec.Dist == KeysZipf {
		g.zipf = rand.NewZipf(g.rng, spec.ZipfS, 1, uint64(spec.Keys-1))
	}
	g.kickLocked()
}

func (g *generator) kickLocked() {
	close(g.wake)
	g.wake = make(chan struct{})
}

// maxBatch bounds the arrivals issued per wake-up, so changes are noticed.
const maxBatch = 4096

// maxBacklog is how far behind schedule the generator may fall before it
// skips ahead (counting what it skipped): the pacer slows the clock long
// before that, unless the machine cannot keep up even at the slowest speed.
const maxBacklog = 10 * time.Second

func (g *generator) run() {
	defer g.l.wg.Done()
	clk := g.l.clock
	var next time.Time
	for {
		g.mu.Lock()
		spec, paused, wake := g.spec, g.paused, g.wake
		g.mu.Unlock()
		select {
		case <-g.l.stop:
			return
		default:
		}
		if paused || spec.Rate <= 0 {
			next = time.Time{}
			g.sent.Store(math.MaxInt64)
			select {
			case <-wake:
			case <-g.l.stop:
				return
			}
			continue
		}
		now := clk.Now()
		if next.IsZero() {
			next = now // (re)start
		} else if behind := now.Sub(next); behind > maxBacklog {
			// Far behind even after the pacer slowed the clock: skip
			// ahead, and say how many arrivals were not sent.
			skipped := uint64(behind.Seconds() * spec.Rate)
			g.l.m.skipped.Add(skipped)
			g.l.event(Event{Kind: KindState, Component: "load", Detail: fmt.Sprintf("%d arrivals not sent: the machine fell %v behind even at %s", skipped, behind.Round(time.Millisecond), speedText(clk.Speed()))})
			next = now
		}
		g.sent.Store(next.UnixNano())
		if !clk.SleepUntil(next, wake) {
			continue // changed or stopping: re-read the spec
		}
		now = clk.Now()
		g.mu.Lock()
		for n := 0; !next.After(now) && n < maxBatch; n++ {
			g.nextID++
			key, write, checkout := g.draw(&spec)
			id := g.nextID
			g.mu.Unlock()
			g.l.m.arrivals.Inc()
			g.l.issue(id, key, write, checkout, next)
			g.mu.Lock()
			next = next.Add(g.gap(&spec))
		}
		g.mu.Unlock()
		g.sent.Store(next.UnixNano())
		g.l.pace.genLag.Store(int64(max(now.Sub(next), 0))) // the backlog left
	}
}

// sentBy reports whether every arrival before lab time t has been issued.
func (g *generator) sentBy(t time.Time) bool { return g.sent.Load() >= t.UnixNano() }

// gap is the time to the next arrival. Callers hold g.mu (rng is not safe
// for concurrent use).
func (g *generator) gap(s *LoadSpec) time.Duration {
	mean := float64(time.Second) / s.Rate
	if s.Poisson {
		return time.Duration(g.rng.ExpFloat64() * mean)
	}
	return time.Duration(mean)
}

// draw picks a key, read or write, and whether a write is a checkout.
// Callers hold g.mu.
func (g *generator) draw(s *LoadSpec) (key uint64, write, checkout bool) {
	n := uint64(s.Keys)
	switch {
	case s.Dist == KeysZipf && g.zipf != nil:
		key = g.zipf.Uint64()
	case s.Dist == KeysHotspot:
		hot := max(uint64(float64(n)*s.HotFrac), 1)
		if g.rng.Float64() < 1-s.HotFrac || hot >= n {
			key = g.rng.Uint64N(hot)
		} else {
			key = hot + g.rng.Uint64N(n-hot)
		}
	default:
		key = g.rng.Uint64N(n)
	}
	write = g.rng.Float64() >= s.Reads
	if write && g.l.payments != nil {
		checkout = g.rng.Float64() < g.l.preset.Payments.Share
	}
	return key, write, checkout
}
