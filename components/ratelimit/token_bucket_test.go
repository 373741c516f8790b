package ratelimit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Over any span t a bucket admits at most rate·t + burst; offered more
// than it allows, steadily, it admits exactly that (floored: tokens are
// whole). Random (Poisson) arrivals stay under the bound in every window.
func TestBucketAdmitsRateTimesTPlusBurst(t *testing.T) {
	for _, tt := range []struct {
		rate  float64
		burst int
		span  time.Duration
	}{{100, 1, 10 * time.Second}, {100, 20, 10 * time.Second}, {250, 50, 3 * time.Second}, {0.5, 3, time.Minute}, {1000, 1000, 2 * time.Second}} {
		for _, pattern := range []string{"steady", "poisson"} {
			b := NewBucket(tt.rate, tt.burst)
			rng := rand.New(rand.NewPCG(1, 2))
			t0 := time.Unix(0, 0)
			offered := 4 * tt.rate // four times the limit
			var admitted []time.Time
			for at := t0; !at.After(t0.Add(tt.span)); {
				if b.Allow(at) {
					admitted = append(admitted, at)
				}
				gap := 1 / offered
				if pattern == "poisson" {
					gap = rng.ExpFloat64() / offered
				}
				at = at.Add(time.Duration(gap * float64(time.Second)))
			}
			bound := tt.rate*tt.span.Seconds() + float64(tt.burst)
			if pattern == "steady" && math.Abs(float64(len(admitted))-bound) > 1 {
				t.Errorf("rate %g burst %d steady over %v: admitted %d, want rate·t+burst = %g", tt.rate, tt.burst, tt.span, len(admitted), bound)
			}
			// Every window of every length w: at most rate·w + burst.
			for _, w := range []time.Duration{tt.span / 100, tt.span / 10, tt.span / 2, tt.span} {
				j := 0
				for i := range admitted {
					for admitted[i].Sub(admitted[j]) > w {
						j++
					}
					if n := float64(i - j + 1); n > tt.rate*w.Seconds()+float64(tt.burst)+1e-9 {
						t.Fatalf("rate %g burst %d %s: %g admitted in a window of %v, over rate·t+burst = %g", tt.rate, tt.burst, pattern, n, w, tt.rate*w.Seconds()+float64(tt.burst))
					}
				}
			}
		}
	}
}

// A stream at or under the rate is never refused, and an idle bucket
// fills back up to burst, no further.
func TestBucketSteadyUnderRateAndRefill(t *testing.T) {
	b := NewBucket(100, 5)
	t0 := time.Unix(0, 0)
	for i := range 1000 {
		if !b.Allow(t0.Add(time.Duration(i) * 10 * time.Millisecond)) {
			t.Fatalf("request %d at exactly the rate refused", i)
		}
	}
	later := t0.Add(time.Hour)
	if got := b.Tokens(later); got != 5 {
		t.Errorf("tokens after an hour idle: %g, want the burst 5", got)
	}
	n := 0
	for b.Allow(later) {
		n++
	}
	if n != 5 {
		t.Errorf("burst at one instant: %d admitted, want 5", n)
	}
	// A late request refills nothing, and does not move time back.
	if b.Allow(later.Add(-time.Second)) {
		t.Error("a request from the past found a token in an empty bucket")
	}
	if got := b.Tokens(later.Add(10 * time.Millisecond)); math.Abs(got-1) > 1e-9 {
		t.Errorf("tokens 10ms later: %g, want 1", got)
	}
}

// Per key, each key has its own bucket: a hot key is limited and a cold
// one is not.
func TestLimiterPerKey(t *testing.T) {
	l := New(10, 2, true)
	t0 := time.Unix(0, 0)
	hot, cold := 0, 0
	for i := range 1001 { // 1 s: the hot key at 1000/s, the cold one at 5/s
		at := t0.Add(time.Duration(i) * time.Millisecond)
		if l.Allow(1, at) {
			hot++
		}
		if i%200 == 0 && l.Allow(2, at) {
			cold++
		}
	}
	if hot != 12 || cold != 6 {
		t.Errorf("hot admitted %d (want 10·1s+2 = 12), cold %d (want all 6)", hot, cold)
	}
	st := l.Stats()
	if st.Keys != 2 || st.Admitted != 18 || st.Refused != 989 || !st.PerKey {
		t.Errorf("stats %+v", st)
	}
	if tok := l.Tokens(t0.Add(999 * time.Millisecond)); tok > 1 {
		t.Errorf("tokens (the hottest key's) %g", tok)
	}
}

func TestLimiterForgetsOldestKey(t *testing.T) {
	l := New(1, 1, true)
	t0 := time.Unix(0, 0)
	for k := range uint64(MaxKeys) {
		l.Allow(k, t0.Add(time.Duration(k)))
	}
	l.Allow(MaxKeys, t0.Add(time.Hour))
	if st := l.Stats(); st.Keys != MaxKeys {
		t.Fatalf("%d keys held, want the cap %d", st.Keys, MaxKeys)
	}
	if _, ok := l.keys[0]; ok {
		t.Error("the key seen longest ago was kept")
	}
}

func ExampleBucket() {
	b := NewBucket(2, 3) // 2 a second, bursts of 3
	t0 := time.Unix(0, 0)
	for _, ms := range []int{0, 0, 0, 0, 400, 500, 1000} {
		at := t0.Add(time.Duration(ms) * time.Millisecond)
		fmt.Printf("t=%4dms admitted=%v tokens left=%.1f\n", ms, b.Allow(at), b.Tokens(at))
	}
	// Output:
	// t=   0ms admitted=true tokens left=2.0
	// t=   0ms admitted=true tokens left=1.0
	// t=   0ms admitted=true tokens left=0.0
	// t=   0ms admitted=false tokens left=0.0
	// t= 400ms admitted=false tokens left=0.8
	// t= 500ms admitted=true tokens left=0.0
	// t=1000ms admitted=true tokens left=0.0
}
