package lab

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram buckets are log-linear, as in HdrHistogram: values below 64 µs
// get a bucket each, and every power of two above is split into 32 equal
// buckets, so any recorded value is off by at most 1/32 (3%) of itself.
const (
	histSub     = 32
	histLinear  = 2 * histSub // values [0, 64) µs are exact
	histMaxExp  = 36          // up to 2^42 µs ≈ 51 days, far beyond any lab run
	histBuckets = histLinear + histMaxExp*histSub
)

// Histogram records durations with one atomic add per bucket. It is safe for
// concurrent use and never locks, so the request path can afford it.
type Histogram struct {
	buckets [histBuckets]atomic.Uint64
	sum     atomic.Uint64 // microseconds
}

func bucketOf(us uint64) int {
	if us < histLinear {
		return int(us)
	}
	exp := bits.Len64(us) - 6 // ≥ 1 here: us ≥ 64 has 7+ bits
	i := histLinear + (exp-1)*histSub + int(us>>uint(exp)) - histSub
	if i >= histBuckets {
		return histBuckets - 1
	}
	return i
}

// bucketMid is a representative value (µs) of bucket i: its midpoint.
func bucketMid(i int) float64 {
	if i < histLinear {
		return float64(i)
	}
	exp := (i-histLinear)/histSub + 1
	mant := (i-histLinear)%histSub + histSub
	lo := float64(uint64(mant) << uint(exp))
	return lo + float64(uint64(1)<<uint(exp))/2
}

// Record adds one observation.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	us := uint64(d / time.Microsecond)
	h.buckets[bucketOf(us)].Add(1)
	h.sum.Add(us)
}

// histFrame is a cumulative copy of a histogram at one moment; the difference
// of two frames is the distribution of what was recorded between them.
type histFrame struct {
	counts [histBuckets]uint64
	sum    uint64
}

func (h *Histogram) frame(f *histFrame) {
	for i := range h.buckets {
		f.counts[i] = h.buckets[i].Load()
	}
	f.sum = h.sum.Load()
}

// HistStats summarises a window of a histogram. Durations are in milliseconds.
type HistStats struct {
	Count                    uint64
	Mean, P50, P90, P99, Max float64
}

// windowStats summarises what was recorded between old and cur.
func windowStats(cur, old *histFrame) HistStats {
	var s HistStats
	var counts [histBuckets]uint64
	for i := range counts {
		c := cur.counts[i]
		if old != nil {
			c -= old.counts[i]
		}
		counts[i] = c
		s.Count += c
	}
	if s.Count == 0 {
		return s
	}
	sum := cur.sum
	if old != nil {
		sum -= old.sum
	}
	s.Mean = float64(sum) / float64(s.Count) / 1000
	ranks := [3]uint64{pctRank(s.Count, 0.50), pctRank(s.Count, 0.90), pctRank(s.Count, 0.99)}
	out := [3]*float64{&s.P50, &s.P90, &s.P99}
	var seen uint64
	next := 0
	for i, c := range counts {
		if c == 0 {
			continue
		}
		seen += c
		for next < 3 && seen >= ranks[next] {
			*out[next] = bucketMid(i) / 1000
			next++
		}
		s.Max = bucketMid(i) / 1000
	}
	return s
}

// pctRank is the 1-based rank of the q-quantile among n observations.
func pctRank(n uint64, q float64) uint64 {
	r := uint64(math.Ceil(q * float64(n)))
	if r < 1 {
		r = 1
	}
	return r
}
