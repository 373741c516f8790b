// Package trace is distributed tracing in miniature: each sampled request
// carries a trace, every hop it makes records a span (name, start, end, parent,
// error), and the tracer keeps the most recent finished traces so the lab can
// show where a slow request spent its time.
//
// The model is Google's Dapper (Sigelman et al., 2010) as standardised by
// OpenTelemetry — a trace is a tree of spans sharing one TraceID — and ids
// travel between services in the W3C Trace Context traceparent header
// (ids.go).
//
// Sampling is decided once, at the head of the request (Tracer.Start), as a
// pure function of the trace id, the way OpenTelemetry's TraceIdRatioBased
// sampler does it: the id's last 8 bytes, read big-endian and shifted right
// one bit, are compared with SampleRate × 2⁶³. Any service that sees the same
// id and rate makes the same decision, and an unsampled request costs a few
// nanoseconds and no allocation.
package trace

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Settings configure a Tracer.
type Settings struct {
	// SampleRate is the fraction of requests traced, clamped to [0, 1].
	// Zero traces nothing; a negative value (or NaN) picks DefaultSampleRate.
	SampleRate float64

	// Keep is how many finished traces the tracer holds for Recent and
	// friends. Default (≤ 0): DefaultKeep; at most MaxKeep.
	Keep int

	// Seed makes ids, and so sampling decisions, repeatable: the same seed
	// and the same order of Start calls give the same trace ids.
	Seed uint64
}

// Defaults and limits for Settings.
const (
	DefaultSampleRate = 0.01
	DefaultKeep       = 200
	MaxKeep           = 1 << 16
)

// Finished is a published trace: immutable, safe to read from any goroutine.
// Its slices are shared with the tracer and with other readers: read them,
// do not modify them.
type Finished struct {
	ID       TraceID
	Root     Span
	Spans    []Span        // the root first, then depth first, siblings by start time (see Trace.Adopt)
	Duration time.Duration // the root span's duration
	Err      bool          // whether any span failed
}

// Stats is a snapshot of a tracer's counters.
type Stats struct {
	Started    uint64  // Start calls
	Sampled    uint64  // Start calls that returned a Trace
	Finished   uint64  // traces published by Finish
	Kept       uint64  // traces held now (at most Keep)
	SampleRate float64 // the current rate
}

// Tracer starts traces and keeps the recent finished ones. It is safe for
// concurrent use: Start is lock-free; publishing a finished trace and reading
// the kept ones take a mutex.
type Tracer struct {
	key     uint64        // from the seed; ids are mix(key + n·golden)
	seq     atomic.Uint64 // ids drawn: two per Start
	bound   atomic.Uint64 // sample iff (low id half >> 1) < bound
	rate    atomic.Uint64 // math.Float64bits of the sample rate
	sampled atomic.Uint64

	mu       sync.Mutex
	ring     ring
	finished uint64
}

// New returns a tracer configured by s.
func New(s Settings) *Tracer {
	t := &Tracer{key: mix(s.Seed)}
	rate := s.SampleRate
	if rate < 0 || rate != rate {
		rate = DefaultSampleRate
	}
	t.SetSampleRate(rate)
	t.ring.limit = DefaultKeep
	if s.Keep > 0 {
		t.ring.limit = min(s.Keep, MaxKeep)
	}
	return t
}

// SetSampleRate changes the fraction of requests traced from the next Start
// on; p is clamped to [0, 1] and NaN counts as 0.
func (t *Tracer) SetSampleRate(p float64) {
	switch {
	case !(p > 0): // also NaN
		p = 0
	case p > 1:
		p = 1
	}
	t.rate.Store(math.Float64bits(p))
	t.bound.Store(uint64(p * (1 << 63)))
}

// SampleRate returns the current sample rate.
func (t *Tracer) SampleRate() float64 { return math.Float64frombits(t.rate.Load()) }

// Start begins a trace for one request whose root span is named name and
// starts at start. It draws a fresh trace id and decides sampling from it; an
// unsampled request gets nil (every Trace method accepts nil), costing one
// atomic add and no allocation. A sampled one costs one allocation.
func (t *Tracer) Start(name string, start time.Time, attrs ...Attr) *Trace {
	tr, _ := t.start(name, start, attrs)
	return tr
}

// start is Start, also returning the counter value its ids were drawn at.
func (t *Tracer) start(name string, start time.Time, attrs []Attr) (*Trace, uint64) {
	if t == nil {
		return nil, 0
	}
	n := t.seq.Add(2)
	lo := mix(t.key + n*golden)
	if lo>>1 >= t.bound.Load() {
		return nil, n
	}
	t.sampled.Add(1)
	hi := mix(t.key + (n-1)*golden)
	if hi == 0 && lo == 0 {
		hi = 1 // the all-zero trace id is invalid
	}
	tr := &Trace{tracer: t}
	tr.spans = tr.spanBuf[:1]
	tr.attrs = tr.attrBuf[:0]
	root := &tr.spans[0]
	putBE64(root.TraceID[:8], hi)
	putBE64(root.TraceID[8:], lo)
	root.SpanID = tr.newSpanID()
	root.Name = name
	root.Start = start
	root.Attrs = tr.keep(attrs)
	return tr, n
}

func (t *Tracer) publish(f Finished) {
	t.mu.Lock()
	t.ring.add(f)
	t.finished++
	t.mu.Unlock()
}

// Recent returns the kept traces, newest first. The slice is the caller's;
// the traces in it are shared and read-only.
func (t *Tracer) Recent() []Finished {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Finished, t.ring.len())
	for i := range out {
		out[i] = *t.ring.at(i)
	}
	return out
}

// FinishedSince returns the kept traces that finished after the first n
// (counting every trace this tracer has published), oldest first, and the
// count so far, to pass as n next time. A reader that polls it sees each
// kept trace once; traces that were pushed out of the ring before it asked
// are skipped (next − n − len(traces) of them).
func (t *Tracer) FinishedSince(n uint64) (traces []Finished, next uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n >= t.finished {
		return nil, t.finished
	}
	k := int(min(t.finished-n, uint64(t.ring.len())))
	traces = make([]Finished, k)
	for i := range k {
		traces[k-1-i] = *t.ring.at(i)
	}
	return traces, t.finished
}

// Latest returns the most recently finished trace, if any is kept.
func (t *Tracer) Latest() (Finished, bool) {
	return t.find(func(best, f *Finished) bool { return best == nil })
}

// Slowest returns the kept trace with the longest duration (the newest of
// equals), if any.
func (t *Tracer) Slowest() (Finished, bool) {
	return t.find(func(best, f *Finished) bool { return best == nil || f.Duration > best.Duration })
}

// LatestError returns the most recently finished trace with a failed span,
// if one is kept.
func (t *Tracer) LatestError() (Finished, bool) {
	return t.find(func(best, f *Finished) bool { return best == nil && f.Err })
}

// find scans the kept traces newest first, keeping f whenever better(best, f).
// Cost: O(Keep) under the mutex.
func (t *Tracer) find(better func(best, f *Finished) bool) (Finished, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var best *Finished
	for i := range t.ring.len() {
		if f := t.ring.at(i); better(best, f) {
			best = f
		}
	}
	if best == nil {
		return Finished{}, false
	}
	return *best, true
}

// Stats returns a snapshot of the tracer's counters.
func (t *Tracer) Stats() Stats {
	t.mu.Lock()
	kept, finished := t.ring.len(), t.finished
	t.mu.Unlock()
	return Stats{
		Started:    t.seq.Load() / 2,
		Sampled:    t.sampled.Load(),
		Finished:   finished,
		Kept:       uint64(kept),
		SampleRate: t.SampleRate(),
	}
}

// golden is 2⁶⁴/φ, the increment of the splitmix64 generator.
const golden = 0x9e3779b97f4a7c15

// mix is splitmix64's finaliser (Steele, Lea and Flood 2014): a bijection on
// uint64 that scatters consecutive inputs across the whole range. Applied to
// key + n·golden it is the splitmix64 generator with an atomic counter for
// its state, so drawing an id needs no lock.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func be64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

func putBE64(b []byte, v uint64) {
	_ = b[7]
	for i := range 8 {
		b[i] = byte(v >> (56 - 8*i))
	}
}
