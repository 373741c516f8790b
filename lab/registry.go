package lab

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Registry holds the lab's counters and histograms and answers windowed
// questions about them ("requests per second over the last second", "p99 over
// the last five seconds").
//
// Recording is one atomic add on a pointer the request path resolved once at
// set-up; the registry lock is taken only by the sampler and by snapshots.
// Windows come from a ring of cumulative frames taken every [frameEvery] of
// lab time: the window's value is the difference between now and the newest
// frame at least a window old, the way Prometheus' rate() works on scraped
// counters.
type Registry struct {
	mu     sync.Mutex
	series []*series      // nil where a series was removed
	hists  []*histSeries  // nil where a histogram was removed
	byName map[string]int // index into series, or -1-index into hists
	free   []int          // removed series slots, for reuse
	freeH  []int          // removed histogram slots, for reuse
	ring   [ringFrames]frame
	head   int // index of the newest frame; -1 when none
}

const (
	frameEvery = 250 * time.Millisecond
	ringFrames = 40 // 10 s of history
)

// Counter is a monotonically increasing count.
type Counter struct{ v atomic.Uint64 }

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Load returns the count.
func (c *Counter) Load() uint64 { return c.v.Load() }

type series struct {
	name    string
	counter *Counter
	fn      func() float64 // a cumulative value read from a component's stats
}

func (s *series) value() float64 {
	if s.fn != nil {
		return s.fn()
	}
	return float64(s.counter.Load())
}

type histSeries struct {
	name string
	h    *Histogram
}

type frame struct {
	at     time.Time
	values []float64    // by series index; shorter when series were added later
	hists  []*histFrame // by hist index
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]int{}, head: -1}
}

// Counter returns the counter called name, creating it on first use.
func (r *Registry) Counter(name string) *Counter {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.byName[name]; ok && i >= 0 && r.series[i].counter != nil {
		return r.series[i].counter
	}
	c := &Counter{}
	r.addSeries(&series{name: name, counter: c})
	return c
}

// addSeries puts s in a free slot, or a new one. A reused slot's old
// values are forgotten in every frame, so the new series' windows start
// from its creation, as a series added later does. Callers hold r.mu.
func (r *Registry) addSeries(s *series) {
	if n := len(r.free); n > 0 {
		i := r.free[n-1]
		r.free = r.free[:n-1]
		r.series[i] = s
		r.byName[s.name] = i
		for k := range r.ring {
			if f := &r.ring[k]; i < len(f.values) {
				f.values[i] = math.NaN()
			}
		}
		return
	}
	r.byName[s.name] = len(r.series)
	r.series = append(r.series, s)
}

// Remove forgets the named series and histograms and frees what they held
// (a histogram and its frames are ~400 KB): the lab removes a server's when
// the server goes. Unknown names are ignored.
func (r *Registry) Remove(names ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range names {
		i, ok := r.byName[name]
		if !ok {
			continue
		}
		delete(r.byName, name)
		if i >= 0 {
			r.series[i] = nil
			r.free = append(r.free, i)
			continue
		}
		i = -1 - i
		r.hists[i] = nil
		r.freeH = append(r.freeH, i)
		for k := range r.ring {
			if f := &r.ring[k]; i < len(f.hists) {
				f.hists[i] = nil
			}
		}
	}
}

// CounterFunc registers a cumulative series read from fn at every frame and
// snapshot, for totals a component already keeps in its own Stats.
func (r *Registry) CounterFunc(name string, fn func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.byName[name]; ok && i >= 0 {
		r.series[i].fn = fn
		return
	}
	r.addSeries(&series{name: name, fn: fn})
}

// Histogram returns the histogram called name, creating it on first use.
func (r *Registry) Histogram(name string) *Histogram {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, ok := r.byName[name]; ok && i < 0 {
		return r.hists[-1-i].h
	}
	h := &Histogram{}
	hs := &histSeries{name: name, h: h}
	if n := len(r.freeH); n > 0 {
		i := r.freeH[n-1]
		r.freeH = r.freeH[:n-1]
		r.hists[i] = hs
		r.byName[name] = -1 - i
		return h
	}
	r.byName[name] = -1 - len(r.hists)
	r.hists = append(r.hists, hs)
	return h
}

// Sample takes a cumulative frame at lab time now. The lab calls it every
// frameEvery; windows are resolved to that granularity.
func (r *Registry) Sample(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.head = (r.head + 1) % ringFrames
	f := &r.ring[r.head]
	f.at = now
	f.values = f.values[:0]
	for _, s := range r.series {
		v := math.NaN() // a free slot
		if s != nil {
			v = s.value()
		}
		f.values = append(f.values, v)
	}
	for len(f.hists) < len(r.hists) {
		f.hists = append(f.hists, nil)
	}
	for i, h := range r.hists {
		if h == nil {
			f.hists[i] = nil
			continue
		}
		if f.hists[i] == nil {
			f.hists[i] = &histFrame{}
		}
		h.h.frame(f.hists[i])
	}
}

// base returns the newest frame at least window older than now, or the
// oldest frame there is. Callers hold r.mu.
func (r *Registry) base(now time.Time, window time.Duration) *frame {
	if r.head < 0 {
		return nil
	}
	cutoff := now.Add(-window)
	var oldest *frame
	for k := 0; k < ringFrames; k++ {
		f := &r.ring[(r.head-k+ringFrames)%ringFrames]
		if f.at.IsZero() {
			break
		}
		if !f.at.After(cutoff) {
			return f
		}
		oldest = f
	}
	return oldest
}

// Window is a view of every series over one window ending at a moment.
type Window struct {
	r       *Registry
	now     time.Time
	base    *frame
	elapsed time.Duration
}

// Read calls fn with two views ending at lab time now: one over the last
// RateWindow (for per-second rates) and one over the last StatWindow (for
// percentiles, means and ratios). The views are valid only inside fn, which
// runs under the registry lock and must not call back into the registry.
func (r *Registry) Read(now time.Time, fn func(rate, stat *Window)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r.window(now, RateWindow), r.window(now, StatWindow))
}

func (r *Registry) window(now time.Time, window time.Duration) *Window {
	w := &Window{r: r, now: now, base: r.base(now, window)}
	if w.base != nil {
		w.elapsed = now.Sub(w.base.at)
	}
	return w
}

// Elapsed is the actual length of the window (shorter early in a run).
func (w *Window) Elapsed() time.Duration { return w.elapsed }

// Delta is how much the named series grew over the window (0 if unknown).
func (w *Window) Delta(name string) float64 {
	i, ok := w.r.byName[name]
	if !ok || i < 0 {
		return 0
	}
	cur := w.r.series[i].value()
	if w.base != nil && i < len(w.base.values) && !math.IsNaN(w.base.values[i]) {
		cur -= w.base.values[i]
	}
	return cur
}

// Rate is Delta per second of lab time (0 for an empty window).
func (w *Window) Rate(name string) float64 {
	if w.elapsed <= 0 {
		return 0
	}
	return w.Delta(name) / w.elapsed.Seconds()
}

// Total is the series' cumulative value.
func (w *Window) Total(name string) float64 {
	i, ok := w.r.byName[name]
	if !ok || i < 0 {
		return 0
	}
	return w.r.series[i].value()
}

// Hist summarises what the named histogram recorded over the window.
func (w *Window) Hist(name string) HistStats {
	i, ok := w.r.byName[name]
	if !ok || i >= 0 {
		return HistStats{}
	}
	i = -1 - i
	var cur histFrame
	w.r.hists[i].h.frame(&cur)
	var old *histFrame
	if w.base != nil && i < len(w.base.hists) {
		old = w.base.hists[i]
	}
	return windowStats(&cur, old)
}

// Names lists every registered series and histogram, sorted.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.byName))
	for n := range r.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
