package trace

import (
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func TestSettingsDefaults(t *testing.T) {
	tests := []struct {
		in       Settings
		wantRate float64
		wantKeep int
	}{
		{Settings{}, 0, DefaultKeep},
		{Settings{SampleRate: -1, Keep: -5}, DefaultSampleRate, DefaultKeep},
		{Settings{SampleRate: math.NaN()}, DefaultSampleRate, DefaultKeep},
		{Settings{SampleRate: 0.25, Keep: 7}, 0.25, 7},
		{Settings{SampleRate: 3, Keep: math.MaxInt}, 1, MaxKeep},
	}
	for _, tt := range tests {
		tr := New(tt.in)
		if got := tr.SampleRate(); got != tt.wantRate {
			t.Errorf("%+v: rate %v, want %v", tt.in, got, tt.wantRate)
		}
		if tr.ring.limit != tt.wantKeep {
			t.Errorf("%+v: keep %d, want %d", tt.in, tr.ring.limit, tt.wantKeep)
		}
	}
	tr := New(Settings{})
	for in, want := range map[float64]float64{-0.5: 0, 0.5: 0.5, 1.5: 1, math.NaN(): 0, math.Inf(1): 1} {
		tr.SetSampleRate(in)
		if got := tr.SampleRate(); got != want {
			t.Errorf("SetSampleRate(%v): rate %v, want %v", in, got, want)
		}
	}
}

func TestSamplingRate(t *testing.T) {
	const n = 100_000
	tests := []struct {
		rate float64
		want uint64 // exact for Seed 42: the ids, and so the decisions, are deterministic
	}{
		{0, 0},
		{0.01, 1008},
		{0.1, 10142},
		{0.5, 50229},
		{1, n},
	}
	for _, tt := range tests {
		tr := New(Settings{SampleRate: tt.rate, Seed: 42})
		for range n {
			tr.Start("req", t0)
		}
		st := tr.Stats()
		if st.Started != n || st.Sampled != tt.want {
			t.Errorf("rate %v: started %d sampled %d, want %d and %d", tt.rate, st.Started, st.Sampled, n, tt.want)
		}
		// And the count is plausible for a fair coin: within 5 standard deviations.
		mean, sd := tt.rate*n, math.Sqrt(n*tt.rate*(1-tt.rate))
		if math.Abs(float64(st.Sampled)-mean) > 5*sd {
			t.Errorf("rate %v: sampled %d, far from %v ± %v", tt.rate, st.Sampled, mean, sd)
		}
	}
}

// TestSamplingIsAFunctionOfTheID checks that the same seed gives the same ids,
// and that a tracer at rate p samples exactly the ids that OpenTelemetry's
// TraceIdRatioBased rule picks: (last 8 bytes, big-endian) >> 1 < p·2⁶³.
func TestSamplingIsAFunctionOfTheID(t *testing.T) {
	all := New(Settings{SampleRate: 1, Seed: 7})
	again := New(Settings{SampleRate: 1, Seed: 7})
	other := New(Settings{SampleRate: 1, Seed: 8})
	rates := []float64{0.01, 0.1, 0.5}
	some := make([]*Tracer, len(rates))
	for i, p := range rates {
		some[i] = New(Settings{SampleRate: p, Seed: 7})
	}
	for range 2000 {
		x := all.Start("r", t0)
		if y := again.Start("r", t0); x.ID() != y.ID() || x.Root() != y.Root() {
			t.Fatal("same seed, same order: ids differ")
		}
		if x.ID() == other.Start("r", t0).ID() {
			t.Fatal("different seeds gave the same id")
		}
		id := x.ID()
		for i, p := range rates {
			want := be64(id[8:])>>1 < uint64(p*(1<<63))
			got := some[i].Start("r", t0)
			if (got != nil) != want || (got != nil && got.ID() != id) {
				t.Fatalf("rate %v, id %v: sampled=%v, want %v", p, id, got != nil, want)
			}
		}
	}
}

func TestTraceSpans(t *testing.T) {
	tr := New(Settings{SampleRate: 1, Seed: 1})
	attrs := []Attr{{"route", "/pay"}}
	x := tr.Start("GET /pay", t0, attrs...)
	attrs[0].Value = "changed" // the trace kept a copy
	web := x.Span("web-1", SpanID{}, t0.Add(ms(1)), t0.Add(ms(40)), nil)
	db := x.Span("db-2", web, t0.Add(ms(20)), t0.Add(ms(35)), errors.New("timeout"), Attr{"shard", "2"})
	cache := x.Span("cache", web, t0.Add(ms(2)), t0.Add(ms(3)), nil)
	x.Finish(t0.Add(ms(42)), nil)
	if s := x.Span("late", web, t0, t0, nil); s.IsValid() {
		t.Fatal("Span after Finish recorded something")
	}
	x.Finish(t0.Add(time.Hour), errors.New("again")) // no-op

	f, ok := tr.Latest()
	if !ok {
		t.Fatal("no trace published")
	}
	if f.ID != x.ID() || f.Duration != ms(42) || !f.Err || f.Root.Err != "" {
		t.Fatalf("finished = %+v", f)
	}
	names := []string{}
	for _, s := range f.Spans {
		names = append(names, s.Name)
		if s.TraceID != f.ID {
			t.Fatalf("span %s has trace id %v", s.Name, s.TraceID)
		}
	}
	if want := []string{"GET /pay", "web-1", "cache", "db-2"}; !slices.Equal(names, want) {
		t.Fatalf("span order %v, want %v", names, want)
	}
	root := f.Spans[0]
	if root.SpanID != x.Root() || root.Parent.IsValid() || root.Attrs[0] != (Attr{"route", "/pay"}) {
		t.Fatalf("root = %+v", root)
	}
	if f.Spans[1].SpanID != web || f.Spans[1].Parent != x.Root() {
		t.Fatalf("web span %+v", f.Spans[1])
	}
	if f.Spans[2].SpanID != cache || f.Spans[2].Parent != web || f.Spans[3].SpanID != db || f.Spans[3].Parent != web {
		t.Fatalf("child spans %+v", f.Spans[2:])
	}
	if f.Spans[3].Err != "timeout" || f.Spans[3].Duration() != ms(15) || f.Spans[3].Attrs[0] != (Attr{"shard", "2"}) {
		t.Fatalf("db span %+v", f.Spans[3])
	}
	ids := map[SpanID]bool{}
	for _, s := range f.Spans {
		if !s.SpanID.IsValid() || ids[s.SpanID] {
			t.Fatalf("span id %v invalid or repeated", s.SpanID)
		}
		ids[s.SpanID] = true
	}
	if got, want := x.Traceparent(SpanID{}), Traceparent(f.ID, root.SpanID, true); got != want {
		t.Fatalf("Traceparent = %q, want %q", got, want)
	}
	if st := tr.Stats(); st != (Stats{Started: 1, Sampled: 1, Finished: 1, Kept: 1, SampleRate: 1}) {
		t.Fatalf("stats %+v", st)
	}
}

func TestManySpansAndAttrs(t *testing.T) {
	tr := New(Settings{SampleRate: 1})
	x := tr.Start("root", t0, Attr{"a", "0"})
	for i := range 20 { // beyond the inline buffers
		x.Span("s", SpanID{}, t0.Add(ms(20-i)), t0.Add(ms(30)), nil, Attr{"i", string(rune('a' + i))}, Attr{"k", "v"})
	}
	x.Finish(t0.Add(ms(50)), nil)
	f, _ := tr.Latest()
	if len(f.Spans) != 21 || f.Spans[0].Attrs[0] != (Attr{"a", "0"}) {
		t.Fatalf("spans %d root attrs %v", len(f.Spans), f.Spans[0].Attrs)
	}
	for i, s := range f.Spans[1:] { // sorted by start: the last recorded first
		if want := string(rune('a' + 19 - i)); len(s.Attrs) != 2 || s.Attrs[0].Value != want {
			t.Fatalf("span %d attrs %v, want i=%s", i, s.Attrs, want)
		}
		if cap(s.Attrs) != 2 {
			t.Fatalf("span %d attrs not clipped: cap %d", i, cap(s.Attrs))
		}
	}
	if cap(f.Spans) != len(f.Spans) {
		t.Fatal("Spans not clipped")
	}
}

func TestRingKeepsLastN(t *testing.T) {
	tr := New(Settings{SampleRate: 1, Keep: 3})
	if _, ok := tr.Latest(); ok {
		t.Fatal("Latest on empty tracer")
	}
	if _, ok := tr.Slowest(); ok {
		t.Fatal("Slowest on empty tracer")
	}
	durations := []int{90, 10, 30, 30, 20, 5} // the 90 ms trace will be evicted
	var ids []TraceID
	for i, d := range durations {
		x := tr.Start("req", t0)
		var err error
		if i == 2 {
			err = errors.New("boom")
		}
		x.Finish(t0.Add(ms(d)), err)
		ids = append(ids, x.ID())
	}
	recent := tr.Recent()
	if len(recent) != 3 || recent[0].ID != ids[5] || recent[1].ID != ids[4] || recent[2].ID != ids[3] {
		t.Fatalf("Recent ids wrong: %v", recent)
	}
	if s, _ := tr.Slowest(); s.ID != ids[3] || s.Duration != ms(30) {
		t.Fatalf("Slowest = %v %v, want the kept 30 ms trace", s.ID, s.Duration)
	}
	if l, _ := tr.Latest(); l.ID != ids[5] {
		t.Fatal("Latest is not the newest")
	}
	if _, ok := tr.LatestError(); ok {
		t.Fatal("the failed trace was evicted; LatestError should find none")
	}
	x := tr.Start("req", t0)
	x.Span("db", SpanID{}, t0, t0.Add(ms(1)), errors.New("down"))
	x.Finish(t0.Add(ms(2)), nil)
	tr.Start("req", t0).Finish(t0.Add(ms(1)), nil)
	if e, ok := tr.LatestError(); !ok || e.ID != x.ID() || e.Root.Err != "" {
		t.Fatalf("LatestError = %v %v", e.ID, ok)
	}
	if st := tr.Stats(); st.Finished != 8 || st.Kept != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestNilTraceIsSafe(t *testing.T) {
	var x *Trace
	if x.ID().IsValid() || x.Root().IsValid() || x.Traceparent(SpanID{}) != "" {
		t.Fatal("nil trace returned something")
	}
	if x.Span("a", SpanID{}, t0, t0, errors.New("e"), Attr{"k", "v"}).IsValid() {
		t.Fatal("nil trace recorded a span")
	}
	x.Finish(t0, nil)
	var nilTracer *Tracer
	if nilTracer.Start("x", t0) != nil {
		t.Fatal("nil tracer started a trace")
	}
	tr := New(Settings{}) // rate 0: nothing sampled
	if tr.Start("x", t0) != nil {
		t.Fatal("rate 0 sampled")
	}
}

func TestUnsampledStartDoesNotAllocate(t *testing.T) {
	tr := New(Settings{SampleRate: 0})
	n := testing.AllocsPerRun(1000, func() {
		x := tr.Start("GET /item", t0, Attr{"key", "k1"}, Attr{"op", "read"})
		x.Span("web", x.Root(), t0, t0, nil, Attr{"a", "b"})
		x.Finish(t0, nil)
	})
	if n != 0 {
		t.Fatalf("allocs per unsampled request = %v, want 0", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	tr := New(Settings{SampleRate: 0.5, Keep: 16})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				x := tr.Start("req", t0)
				x.Span("hop", SpanID{}, t0, t0.Add(ms(i)), nil)
				var err error
				if i%7 == g {
					err = errors.New("x")
				}
				x.Finish(t0.Add(ms(i+1)), err)
			}
		})
	}
	wg.Go(func() {
		for range 200 {
			for _, f := range tr.Recent() {
				_ = f.Spans[len(f.Spans)-1].Duration()
			}
			tr.Slowest()
			tr.LatestError()
			tr.Stats()
		}
	})
	wg.Wait()
	st := tr.Stats()
	if st.Started != 2000 || st.Finished != st.Sampled || st.Kept != 16 {
		t.Fatalf("stats %+v", st)
	}
}

func TestFinishedSince(t *testing.T) {
	tr := New(Settings{SampleRate: 1, Keep: 3})
	if got, n := tr.FinishedSince(0); len(got) != 0 || n != 0 {
		t.Fatalf("empty tracer: %d traces, next %d", len(got), n)
	}
	var ids []TraceID
	finish := func(k int) {
		for range k {
			x := tr.Start("req", t0)
			x.Finish(t0.Add(ms(1)), nil)
			ids = append(ids, x.ID())
		}
	}
	finish(2)
	got, n := tr.FinishedSince(0)
	if n != 2 || len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
		t.Fatalf("first poll: next %d, %d traces, want both oldest first", n, len(got))
	}
	if got, n2 := tr.FinishedSince(n); len(got) != 0 || n2 != n {
		t.Fatalf("nothing new: %d traces, next %d", len(got), n2)
	}
	finish(5) // 7 in all; the ring keeps the last 3
	got, n = tr.FinishedSince(n)
	if n != 7 || len(got) != 3 || got[0].ID != ids[4] || got[2].ID != ids[6] {
		t.Fatalf("after overflow: next %d, %d traces, want the 3 kept, oldest first", n, len(got))
	}
	finish(1)
	if got, n = tr.FinishedSince(n); n != 8 || len(got) != 1 || got[0].ID != ids[7] {
		t.Fatalf("one more: next %d, %d traces", n, len(got))
	}
}
