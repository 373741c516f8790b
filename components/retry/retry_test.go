package retry

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

const ms = time.Millisecond

func TestCapDoublesUpToMax(t *testing.T) {
	p := Policy{Base: 10 * ms, Max: 100 * ms}
	want := []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms, 100 * ms, 100 * ms}
	for n, w := range want {
		if got := p.Cap(n); got != w {
			t.Errorf("Cap(%d) = %v, want %v", n, got, w)
		}
	}
	// No Max, and far past any Duration: no overflow, no negative delay.
	huge := Policy{Base: time.Hour}
	for _, n := range []int{10, 62, 63, 64, 1000} {
		if c := huge.Cap(n); c <= 0 {
			t.Errorf("Cap(%d) with no max = %v", n, c)
		}
	}
	if c := (Policy{}).Cap(5); c != 0 {
		t.Errorf("zero base: Cap = %v, want 0 (immediate retries)", c)
	}
}

// AWS's "Exponential Backoff And Jitter": full jitter is uniform on
// [0, min(max, base·2^n)], equal jitter on [cap/2, cap], none is the cap.
func TestDelayWithinJitterBounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, j := range []Jitter{NoJitter, FullJitter, EqualJitter} {
		p := Policy{Base: 7 * ms, Max: 300 * ms, Jitter: j}
		for n := range 10 {
			c := p.Cap(n)
			lo := time.Duration(0)
			switch j {
			case NoJitter:
				lo = c
			case EqualJitter:
				lo = c / 2
			}
			var sum float64
			const draws = 20000
			for range draws {
				d := p.Delay(n, rng)
				if d < lo || d > c {
					t.Fatalf("%v n=%d: delay %v outside [%v, %v]", j, n, d, lo, c)
				}
				sum += float64(d)
			}
			mean, want := sum/draws, float64(lo+c)/2
			if math.Abs(mean-want) > 0.02*float64(c)+1 {
				t.Errorf("%v n=%d: mean delay %.0fns, want %.0fns (uniform on [%v, %v])", j, n, mean, want, lo, c)
			}
		}
	}
}

func TestParseJitter(t *testing.T) {
	for i, n := range JitterNames {
		if j, err := ParseJitter(n); err != nil || j != Jitter(i) || j.String() != n {
			t.Errorf("%s: %v %v", n, j, err)
		}
	}
	if _, err := ParseJitter("decorrelated"); err == nil {
		t.Error("unknown jitter accepted")
	}
}

var errFail = errors.New("fail")

// flaky is a dependency failing each attempt independently with
// probability p, answering in 1 ms.
func flaky(p float64, seed uint64) Call {
	rng := rand.New(rand.NewPCG(seed, 3))
	return func(at time.Time) (time.Time, error) {
		if rng.Float64() < p {
			return at.Add(ms), errFail
		}
		return at.Add(ms), nil
	}
}

// With independent failures of probability p and N attempts, the success
// ratio tends to 1−p^N and the calls per original call to
// (1−p^N)/(1−p) (a truncated geometric series).
func TestRetriesAgainstTheory(t *testing.T) {
	for _, tt := range []struct {
		p float64
		n int
	}{{0.1, 3}, {0.3, 3}, {0.5, 2}, {0.5, 4}, {0.8, 5}} {
		r := New(Settings{Policy: Policy{Attempts: tt.n, Base: 10 * ms, Max: time.Second, Jitter: FullJitter}, Seed: 9})
		call := flaky(tt.p, uint64(tt.n))
		const calls = 200_000
		at := time.Unix(0, 0)
		ok, attempts := 0, 0
		for range calls {
			o := r.Do(at, call)
			attempts += o.Attempts
			if o.Err == nil {
				ok++
			}
			at = at.Add(time.Second)
		}
		pn := math.Pow(tt.p, float64(tt.n))
		success, amp := float64(ok)/calls, float64(attempts)/calls
		if want := 1 - pn; math.Abs(success-want) > 0.02*want {
			t.Errorf("p=%g N=%d: success %.4f, want 1−p^N = %.4f", tt.p, tt.n, success, want)
		}
		if want := (1 - pn) / (1 - tt.p); math.Abs(amp-want) > 0.02*want {
			t.Errorf("p=%g N=%d: amplification %.4f, want (1−p^N)/(1−p) = %.4f", tt.p, tt.n, amp, want)
		}
	}
}

// Each retry starts its backoff after the failed attempt ended, and the
// waits are the policy's.
func TestDoWaitsBetweenAttempts(t *testing.T) {
	var starts []time.Time
	call := func(at time.Time) (time.Time, error) {
		starts = append(starts, at)
		return at.Add(5 * ms), errFail
	}
	var waited []time.Time
	r := New(Settings{Policy: Policy{Attempts: 4, Base: 10 * ms, Max: 25 * ms}, Wait: func(t time.Time) bool { waited = append(waited, t); return true }})
	t0 := time.Unix(100, 0)
	o := r.Do(t0, call)
	want := []time.Time{t0, t0.Add(15 * ms), t0.Add(40 * ms), t0.Add(70 * ms)} // +5 work, then 10, 20, 25 (capped)
	if len(starts) != 4 || o.Attempts != 4 || !errors.Is(o.Err, errFail) || o.End != t0.Add(75*ms) || o.Waited != 55*ms {
		t.Fatalf("outcome %+v, starts %v", o, starts)
	}
	for i := range want {
		if !starts[i].Equal(want[i]) {
			t.Errorf("attempt %d at %v, want %v", i+1, starts[i].Sub(t0), want[i].Sub(t0))
		}
	}
	if len(waited) != 3 || !waited[0].Equal(want[1]) {
		t.Errorf("waited until %v", waited)
	}
}

func TestDoStops(t *testing.T) {
	t0 := time.Unix(0, 0)
	always := func(at time.Time) (time.Time, error) { return at, errFail }
	// A non-retryable error ends the call at once.
	r := New(Settings{Policy: Policy{Attempts: 5}, Retryable: func(err error) bool { return false }})
	if o := r.Do(t0, always); o.Attempts != 1 {
		t.Errorf("non-retryable: %d attempts", o.Attempts)
	}
	// A caller shutting down stops waiting.
	r = New(Settings{Policy: Policy{Attempts: 5, Base: ms}, Wait: func(time.Time) bool { return false }})
	if o := r.Do(t0, always); o.Attempts != 1 {
		t.Errorf("stopped wait: %d attempts", o.Attempts)
	}
	// Success needs no retry; the zero policy never retries.
	r = New(Settings{Policy: Policy{Attempts: 5}})
	if o := r.Do(t0, func(at time.Time) (time.Time, error) { return at, nil }); o.Attempts != 1 || o.Err != nil {
		t.Errorf("success: %+v", o)
	}
	if o := New(Settings{}).Do(t0, always); o.Attempts != 1 {
		t.Errorf("zero policy: %d attempts", o.Attempts)
	}
}

// A budget of 10% caps the calls per original call at about 1.1 when the
// dependency fails everything, whatever the attempts allowed.
func TestBudgetCapsAmplification(t *testing.T) {
	for _, ratio := range []float64{0.1, 0.2, 0.5} {
		b := NewBudget(BudgetSettings{Ratio: ratio, Window: 10 * time.Second})
		r := New(Settings{Policy: Policy{Attempts: 5}, Budget: b})
		always := func(at time.Time) (time.Time, error) { return at.Add(ms), errFail }
		at := time.Unix(0, 0)
		const calls = 100_000
		attempts, budgeted := 0, 0
		for range calls {
			o := r.Do(at, always)
			attempts += o.Attempts
			if o.Budgeted {
				budgeted++
			}
			at = at.Add(time.Millisecond) // 1000 calls a second, a 100 s run
		}
		amp := float64(attempts) / calls
		if want := 1 + ratio; math.Abs(amp-want) > 0.02*want {
			t.Errorf("ratio %g: amplification %.3f, want %.3f", ratio, amp, want)
		}
		if budgeted == 0 || b.Refused() != uint64(budgeted) {
			t.Errorf("ratio %g: %d calls budgeted, budget refused %d", ratio, budgeted, b.Refused())
		}
	}
}

// The window forgets: calls older than Window no longer earn retries, and
// the floor allows retries with no calls at all.
func TestBudgetWindowSlides(t *testing.T) {
	b := NewBudget(BudgetSettings{Ratio: 0.5, Window: 10 * time.Second})
	t0 := time.Unix(1000, 0)
	for range 10 {
		b.Call(t0)
	}
	for i := range 5 {
		if !b.TryRetry(t0.Add(time.Second)) {
			t.Fatalf("retry %d refused within 50%% of 10 calls", i+1)
		}
	}
	if b.TryRetry(t0.Add(time.Second)) {
		t.Fatal("a sixth retry on ten calls at 50%")
	}
	if b.TryRetry(t0.Add(11 * time.Second)) {
		t.Fatal("calls 11 s old still earn retries in a 10 s window")
	}
	// A late call (from a goroutine behind) counts in the newest bucket.
	b.Call(t0)
	b.Call(t0)
	if !b.TryRetry(t0.Add(11 * time.Second)) {
		t.Fatal("late calls did not count")
	}
	floor := NewBudget(BudgetSettings{Ratio: 0.1, MinPerSecond: 1, Window: 10 * time.Second})
	n := 0
	for floor.TryRetry(t0) {
		n++
	}
	if n != 10 {
		t.Errorf("floor of 1/s over 10 s allowed %d retries with no calls, want 10", n)
	}
}

func TestBudgetDefaults(t *testing.T) {
	b := NewBudget(BudgetSettings{Ratio: math.NaN()})
	if b.Ratio() != 0.2 {
		t.Errorf("NaN ratio: %g, want the default 0.2", b.Ratio())
	}
	if b := NewBudget(BudgetSettings{Ratio: 7}); b.Ratio() != 1 {
		t.Errorf("ratio 7: %g, want 1", b.Ratio())
	}
}
