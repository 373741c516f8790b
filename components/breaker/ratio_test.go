package breaker

import (
	"errors"
	"math"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// ratioBreaker is a FailureRatio breaker on a fake clock at t0.
func ratioBreaker(ratio float64, minRequests int, window time.Duration) (*Breaker, *fakeClock) {
	clk := &fakeClock{t: t0}
	return New(Settings{
		Name: "payments", Mode: FailureRatio, Ratio: ratio, MinRequests: minRequests, Window: window,
		OpenFor: 5 * time.Second, HalfOpenMax: 2, Now: clk.Now,
	}), clk
}

// call makes one admitted call with the given outcome.
func call(t *testing.T, b *Breaker, ok bool) {
	t.Helper()
	tk, err := b.Allow()
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	b.Done(tk, ok)
}

func TestRatioNotBelowMinRequests(t *testing.T) {
	b, _ := ratioBreaker(0.5, 20, 10*time.Second)
	for i := range 19 { // 100% failures, but only 19 calls
		call(t, b, false)
		if st := b.Stats(); st.State != Closed {
			t.Fatalf("after %d failures: %v, want closed below MinRequests", i+1, st.State)
		}
	}
	if got := b.Stats().Recent; got != (WindowCounts{Requests: 19, Failures: 19}) {
		t.Fatalf("Recent = %+v, want 19 of 19", got)
	}
	call(t, b, false) // the 20th
	if got := b.State(); got != Open {
		t.Fatalf("after 20 failures: %v, want open", got)
	}
}

func TestRatioTripsAtExactlyTheRatio(t *testing.T) {
	tests := []struct {
		name      string
		ratio     float64
		min       int
		ok, fail  int  // successes first, then failures
		wantOpen  bool // after the last failure (closed before it)
		wantShare float64
	}{
		{"half of twenty", 0.5, 20, 10, 10, true, 0.5},
		{"just under half", 0.5, 20, 11, 10, false, 10.0 / 21},
		{"30% of ten (0.3*10 > 3 in floats)", 0.3, 10, 7, 3, true, 0.3},
		{"2 of 10 is under 30%", 0.3, 10, 8, 2, false, 0.2},
		{"a third", 1.0 / 3, 3, 2, 1, true, 1.0 / 3},
		{"every call must fail at 100%", 1, 5, 1, 9, false, 0.9},
		{"all failed at 100%", 1, 5, 0, 5, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := ratioBreaker(tt.ratio, tt.min, 10*time.Second)
			for range tt.ok {
				call(t, b, true)
			}
			for i := range tt.fail {
				if st := b.Stats(); st.State != Closed {
					t.Fatalf("open after %d failures, before the last", i)
				}
				call(t, b, false)
			}
			st := b.Stats()
			if got := st.State == Open; got != tt.wantOpen {
				t.Fatalf("open = %v, want %v (recent %+v)", got, tt.wantOpen, st.Recent)
			}
			if got := st.Recent.FailureRatio(); got != tt.wantShare {
				t.Errorf("share = %v, want %v", got, tt.wantShare)
			}
		})
	}
}

func TestRatioOldBucketsRollOut(t *testing.T) {
	b, clk := ratioBreaker(0.5, 4, 10*time.Second) // buckets of 1s
	clk.Advance(500 * time.Millisecond)
	for range 3 {
		call(t, b, false) // at t0+0.5s: 3 of 3 failed, below MinRequests
	}
	clk.Advance(9*time.Second + 499*time.Millisecond) // t0+9.999s: still in the window
	if got := b.Stats().Recent; got != (WindowCounts{3, 3}) {
		t.Fatalf("at +9.999s Recent = %+v, want 3 of 3", got)
	}
	clk.Advance(time.Millisecond) // t0+10s: the first bucket has rolled out
	if got := b.Stats().Recent; got != (WindowCounts{}) {
		t.Fatalf("at +10s Recent = %+v, want empty", got)
	}
	// Had the old failures counted, this would be 4 of 4 and trip.
	call(t, b, false)
	for range 3 {
		call(t, b, true)
	}
	call(t, b, false) // 2 of 5 in the window: 40%
	if st := b.Stats(); st.State != Closed || st.Recent != (WindowCounts{5, 2}) {
		t.Fatalf("state %v recent %+v, want closed with 2 of 5", st.State, st.Recent)
	}
	// Outcomes spread over the window all count; older ones drop a bucket at a time.
	for range 9 {
		clk.Advance(time.Second)
		call(t, b, true)
	}
	if got := b.Stats().Recent; got != (WindowCounts{14, 2}) { // t0+19s: buckets 10..19
		t.Fatalf("at +19s Recent = %+v, want 2 of 14", got)
	}
	clk.Advance(time.Second) // t0+20s: bucket 10 (5 calls, 2 failed) rolls out
	if got := b.Stats().Recent; got != (WindowCounts{9, 0}) {
		t.Fatalf("at +20s Recent = %+v, want 0 of 9", got)
	}
}

func TestRatioTransitions(t *testing.T) {
	// Ratio 50% of at least 4 calls; open 5s; two trials.
	trip := []step{{op: succeed}, {op: succeed}, {op: fail}, {op: fail, want: Open}}
	tests := []struct {
		name  string
		steps []step
		want  []Transition
	}{
		{
			name: "closed to open when the ratio is reached",
			steps: append(trip,
				step{op: succeed, wantErr: ErrOpen, want: Open}),
			want: []Transition{{At: t0, From: Closed, To: Open}},
		},
		{
			name: "a success in between does not save it, as it would a streak",
			steps: []step{
				{op: fail}, {op: succeed}, {op: fail}, {op: succeed}, {op: fail, want: Open},
			},
			want: []Transition{{At: t0, From: Closed, To: Open}},
		},
		{
			name: "open to half-open after OpenFor, then closed when the trials succeed",
			steps: append(trip,
				step{op: wait, d: 5*time.Second - 1, want: Open},
				step{op: wait, d: 1, want: HalfOpen},
				step{op: succeed, want: HalfOpen},
				step{op: succeed, want: Closed},
				// The window was cleared on closing: one failure is 1 of 1, below MinRequests.
				step{op: fail, want: Closed},
				step{op: fail, want: Closed},
				step{op: succeed, want: Closed},
				step{op: fail, want: Open}, // 3 of 4
			),
			want: []Transition{
				{At: t0, From: Closed, To: Open},
				{At: t0.Add(5 * time.Second), From: Open, To: HalfOpen},
				{At: t0.Add(5 * time.Second), From: HalfOpen, To: Closed},
				{At: t0.Add(5 * time.Second), From: Closed, To: Open},
			},
		},
		{
			name: "half-open rejects calls beyond HalfOpenMax",
			steps: append(trip,
				step{op: wait, d: 5 * time.Second, want: HalfOpen},
				step{op: take, want: HalfOpen},
				step{op: take, want: HalfOpen},
				step{op: take, wantErr: ErrTooManyRequests, want: HalfOpen},
			),
			want: []Transition{
				{At: t0, From: Closed, To: Open},
				{At: t0.Add(5 * time.Second), From: Open, To: HalfOpen},
			},
		},
		{
			name: "a failed trial re-opens at once",
			steps: append(trip,
				step{op: wait, d: 5 * time.Second, want: HalfOpen},
				step{op: fail, want: Open},
				step{op: wait, d: 5 * time.Second, want: HalfOpen},
			),
			want: []Transition{
				{At: t0, From: Closed, To: Open},
				{At: t0.Add(5 * time.Second), From: Open, To: HalfOpen},
				{At: t0.Add(5 * time.Second), From: HalfOpen, To: Open},
				{At: t0.Add(10 * time.Second), From: Open, To: HalfOpen},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, clk := ratioBreaker(0.5, 4, 10*time.Second)
			for i, st := range tt.steps {
				switch st.op {
				case wait:
					clk.Advance(st.d)
				default:
					tk, err := b.Allow()
					if err != st.wantErr {
						t.Fatalf("step %d: Allow err = %v, want %v", i, err, st.wantErr)
					}
					if err == nil && st.op != take {
						b.Done(tk, st.op == succeed)
					}
				}
				if got := b.State(); got != st.want {
					t.Fatalf("step %d: state = %v, want %v", i, got, st.want)
				}
			}
			if got := b.Stats().Transitions; !slices.Equal(got, tt.want) {
				t.Errorf("Transitions = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRatioStaleOutcomeNotCounted(t *testing.T) {
	b, clk := ratioBreaker(0.5, 2, 10*time.Second)
	slow, _ := b.Allow() // admitted while Closed, finishes after the trip
	call(t, b, false)
	call(t, b, false)
	if b.State() != Open {
		t.Fatal("want open after 2 of 2 failed")
	}
	clk.Advance(5 * time.Second)
	call(t, b, true)
	call(t, b, true) // closed again, window cleared
	b.Done(slow, false)
	if st := b.Stats(); st.State != Closed || st.Recent != (WindowCounts{}) {
		t.Fatalf("state %v recent %+v: a stale outcome reached the window", st.State, st.Recent)
	}
}

func TestTripOnSwitchesRules(t *testing.T) {
	clk := &fakeClock{t: t0}
	b := New(Settings{Threshold: 5, Now: clk.Now})
	for range 4 {
		call(t, b, false)
	}
	inFlight, _ := b.Allow()
	b.TripOnRatio(0.5, 4, 2*time.Second)
	st := b.Stats()
	if st.Mode != FailureRatio || st.Ratio != 0.5 || st.MinRequests != 4 || st.Window != 2*time.Second || st.Threshold != 5 {
		t.Fatalf("after TripOnRatio: %+v", st)
	}
	if st.Counts != (Counts{}) || st.Recent != (WindowCounts{}) {
		t.Fatalf("a new rule starts clean: counts %+v recent %+v", st.Counts, st.Recent)
	}
	b.Done(inFlight, false) // admitted under the old rule: ignored
	call(t, b, false)       // would have been the 5th in a row
	if st := b.Stats(); st.State != Closed || st.Recent != (WindowCounts{1, 1}) {
		t.Fatalf("state %v recent %+v, want closed with 1 of 1", st.State, st.Recent)
	}

	// Retuning the ratio rule keeps the window; zeros keep values; >1 is 1.
	b.TripOnRatio(2, 0, 0)
	if st := b.Stats(); st.Ratio != 1 || st.MinRequests != 4 || st.Window != 2*time.Second || st.Recent != (WindowCounts{1, 1}) {
		t.Fatalf("after TripOnRatio(2, 0, 0): %+v", st)
	}
	b.TripOnRatio(math.NaN(), -1, 4*time.Second) // a new length clears the window
	if st := b.Stats(); st.Ratio != 1 || st.Window != 4*time.Second || st.Recent != (WindowCounts{}) {
		t.Fatalf("after a new window length: %+v", st)
	}

	b.TripOnConsecutive(0) // back, keeping Threshold 5
	for range 4 {
		call(t, b, false)
	}
	if st := b.Stats(); st.Mode != Consecutive || st.State != Closed || st.Recent != (WindowCounts{}) {
		t.Fatalf("after 4 failures in a row under Consecutive(5): %+v", st)
	}
	call(t, b, false)
	if b.State() != Open {
		t.Fatal("want open at the 5th failure in a row")
	}

	// Switching while Open neither restarts nor ends the Open period.
	until := b.Stats().OpenUntil
	clk.Advance(time.Second)
	b.TripOnRatio(0, 0, 0)
	if st := b.Stats(); st.State != Open || !st.OpenUntil.Equal(until) || st.Ratio != 1 {
		t.Fatalf("switch while open: %+v", st)
	}
}

func TestRatioDefaults(t *testing.T) {
	st := New(Settings{Mode: FailureRatio, Ratio: -1, MinRequests: 0, Window: -time.Second}).Stats()
	if st.Mode != FailureRatio || st.Ratio != 0.5 || st.MinRequests != 20 || st.Window != 10*time.Second || st.Threshold != 5 {
		t.Fatalf("defaults: %+v", st)
	}
	if st := New(Settings{}).Stats(); st.Mode != Consecutive || st.Recent != (WindowCounts{}) || st.Ratio != 0.5 {
		t.Fatalf("zero Settings: %+v", st)
	}
}

// TestRatioIgnoresInterval: under FailureRatio the window forgets, so an
// Interval neither clears the counts nor voids tickets.
func TestRatioIgnoresInterval(t *testing.T) {
	clk := &fakeClock{t: t0}
	b := New(Settings{Mode: FailureRatio, MinRequests: 2, Interval: time.Second, Now: clk.Now})
	tk, _ := b.Allow()
	clk.Advance(2 * time.Second)
	b.Done(tk, false)
	call(t, b, false)
	if got := b.State(); got != Open {
		t.Fatalf("state = %v, want open: 2 of 2 failed in the window", got)
	}
}

// TestRatioSynctest runs the rule on the default clock inside a synctest
// bubble, where time moves only when every goroutine sleeps.
func TestRatioSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := New(Settings{Mode: FailureRatio, MinRequests: 10, Window: 10 * time.Second, OpenFor: 5 * time.Second})
		down := func() error { return errors.New("down") }
		up := func() error { return nil }
		for range 6 { // 6 of 6 failed, below MinRequests
			b.Execute(down)
		}
		time.Sleep(10 * time.Second) // they roll out
		for range 5 {
			b.Execute(up)
			b.Execute(down)
		}
		st := b.Stats()
		if st.State != Open || st.Recent != (WindowCounts{10, 5}) {
			t.Fatalf("state %v recent %+v, want open at 5 of 10", st.State, st.Recent)
		}
		opened := time.Now()
		time.Sleep(5 * time.Second)
		if err := b.Execute(up); err != nil {
			t.Fatalf("trial: %v", err)
		}
		st = b.Stats()
		if st.State != Closed || st.Recent != (WindowCounts{}) {
			t.Fatalf("after the trial: state %v recent %+v, want closed with an empty window", st.State, st.Recent)
		}
		if tr := st.Transitions; len(tr) != 3 || !tr[0].At.Equal(opened) || !tr[2].At.Equal(opened.Add(5*time.Second)) {
			t.Fatalf("transitions %v", tr)
		}
	})
}

func TestWindowSliceBeforeEpoch(t *testing.T) {
	var w window
	w.setSpan(10 * time.Second)
	at := time.Unix(0, -1) // 1ns before 1970: slice -1, not 0
	w.add(at, true)
	if got := w.counts(time.Unix(0, 0)); got != (WindowCounts{1, 1}) {
		t.Fatalf("counts = %+v", got)
	}
	if got := w.counts(time.Unix(9, 0)); got != (WindowCounts{}) {
		t.Fatalf("10 buckets later counts = %+v, want empty", got)
	}
	w.setSpan(5) // shorter than the bucket count: 1ns buckets
	if got := w.span(); got != 10 {
		t.Fatalf("span = %v, want 10ns", got)
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[Mode]string{Consecutive: "consecutive", FailureRatio: "ratio", 7: "mode(7)"} {
		if got := m.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(m), got, want)
		}
	}
	for _, name := range ModeNames {
		if m, err := ParseMode(name); err != nil || m.String() != name {
			t.Errorf("ParseMode(%q) = %v, %v", name, m, err)
		}
	}
	if _, err := ParseMode("hystrix"); err == nil {
		t.Error("ParseMode(hystrix) accepted")
	}
}
