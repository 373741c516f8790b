package lab

import (
	"math"
	"testing"
	"time"
)

func TestBucketPrecision(t *testing.T) {
	for us := uint64(0); us < 1<<22; us = us*9/8 + 1 {
		mid := bucketMid(bucketOf(us))
		if us < histLinear && mid != float64(us) {
			t.Fatalf("%dµs: bucket mid %v, want exact", us, mid)
		}
		if err := math.Abs(mid-float64(us)) / math.Max(float64(us), 1); err > 1.0/32 {
			t.Fatalf("%dµs: bucket mid %v is %.1f%% off", us, mid, 100*err)
		}
	}
	if i := bucketOf(math.MaxUint64); i != histBuckets-1 {
		t.Fatalf("huge value in bucket %d, want the last", i)
	}
}

func TestWindowStats(t *testing.T) {
	var h Histogram
	for ms := 1; ms <= 100; ms++ {
		h.Record(time.Duration(ms) * time.Millisecond)
	}
	var old, cur histFrame
	h.frame(&cur)
	s := windowStats(&cur, nil)
	if s.Count != 100 || math.Abs(s.Mean-50.5) > 1e-9 {
		t.Fatalf("count %d mean %v, want 100 and 50.5", s.Count, s.Mean)
	}
	for _, c := range []struct{ got, want float64 }{{s.P50, 50}, {s.P90, 90}, {s.P99, 99}, {s.Max, 100}} {
		if math.Abs(c.got-c.want)/c.want > 1.0/32 {
			t.Errorf("percentile %v, want %v within 3%%", c.got, c.want)
		}
	}
	old = cur
	h.Record(500 * time.Millisecond)
	h.frame(&cur)
	s = windowStats(&cur, &old)
	if s.Count != 1 || s.Mean != 500 || math.Abs(s.P50-500)/500 > 1.0/32 {
		t.Fatalf("window after one more: %+v", s)
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		d := time.Duration(1)
		for pb.Next() {
			d = d*7 + 13
			h.Record(d % (time.Second))
		}
	})
}

// A series that reuses a removed one's slot starts its windows afresh.
func TestRegistryReusedSlotStartsAfresh(t *testing.T) {
	r := NewRegistry()
	old := r.Counter("old")
	old.Add(1000)
	base := r.Counter("base")
	base.Add(1)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	r.Sample(t0)
	r.Remove("old")
	fresh := r.Counter("fresh")
	fresh.Add(3)
	r.Read(t0.Add(StatWindow), func(rate, stat *Window) {
		if got := stat.Delta("fresh"); got != 3 {
			t.Errorf("Delta(fresh) = %v, want 3 (not 3 - 1000)", got)
		}
		if got := stat.Delta("old"); got != 0 {
			t.Errorf("Delta(old) = %v after Remove", got)
		}
	})
}
