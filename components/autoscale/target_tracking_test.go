package autoscale

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestDesiredIsTargetTracking(t *testing.T) {
	a := New(Settings{Target: 0.5, Min: 2, Max: 10})
	for _, tt := range []struct {
		serving int
		util    float64
		want    int
	}{
		{3, 0.9, 6},  // ceil(3 × 0.9 / 0.5) = ceil(5.4)
		{3, 0.5, 3},  // at the target: no change
		{4, 0.3, 3},  // ceil(2.4)
		{4, 0.1, 2},  // ceil(0.8) = 1, held at Min
		{8, 1.0, 10}, // 16, held at Max
		{3, 0, 2},    // idle: Min
		{0, 0.9, 2},  // nothing serving: Min
		{3, math.NaN(), 2},
		{6, 0.5 * 5 / 6, 5}, // ceil(5.000…) is 5 despite float rounding
	} {
		if got := a.Desired(tt.serving, tt.util); got != tt.want {
			t.Errorf("Desired(%d, %g) = %d, want %d", tt.serving, tt.util, got, tt.want)
		}
	}
	// Against the formula over random inputs.
	rng := rand.New(rand.NewPCG(1, 1))
	for range 10000 {
		s := Settings{Target: 0.1 + 0.9*rng.Float64(), Min: 1 + rng.IntN(3), Max: 4 + rng.IntN(20)}
		a := New(s)
		n, u := 1+rng.IntN(30), rng.Float64()
		want := int(math.Ceil(float64(n) * u / s.Target))
		want = min(max(want, s.Min), s.Max)
		if got := a.Desired(n, u); got != want && math.Abs(float64(n)*u/s.Target-math.Round(float64(n)*u/s.Target)) > 1e-6 {
			t.Fatalf("%+v Desired(%d, %g) = %d, want %d", s, n, u, got, want)
		}
	}
}

var t0 = time.Unix(1000, 0)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

// Each transition of the state machine: scale out, held by the scale-out
// cooldown, out again after it; scale in held by the scale-in cooldown
// after any scaling; bounds enforced at once.
func TestDecideRespectsCooldowns(t *testing.T) {
	a := New(Settings{Target: 0.5, Min: 1, Max: 20, ScaleOutCooldown: 30 * time.Second, ScaleInCooldown: 60 * time.Second})
	steps := []struct {
		o      Observation
		action Action
		count  int
	}{
		{Observation{At: at(0), Serving: 3, Utilization: 0.9}, ScaleOut, 6},           // first decision: no cooldown yet
		{Observation{At: at(10), Serving: 3, Warming: 3, Utilization: 0.95}, Hold, 6}, // 6 is what it wants: ordered already
		{Observation{At: at(20), Serving: 6, Utilization: 0.8}, Hold, 6},              // wants 10, in scale-out cooldown
		{Observation{At: at(30), Serving: 6, Utilization: 0.8}, ScaleOut, 10},         // cooldown over
		{Observation{At: at(40), Serving: 10, Utilization: 0.1}, Hold, 10},            // wants 2, but scaled 10 s ago
		{Observation{At: at(89), Serving: 10, Utilization: 0.1}, Hold, 10},            // 59 s
		{Observation{At: at(90), Serving: 10, Utilization: 0.1}, ScaleIn, 2},          // 60 s after the scale-out
		{Observation{At: at(100), Serving: 2, Utilization: 0.9}, ScaleOut, 4},         // scale-out is not held by a scale-in
		{Observation{At: at(110), Serving: 4, Utilization: 0.1}, Hold, 4},             // scale-in held 60 s after the scale-out
		{Observation{At: at(170), Serving: 4, Utilization: 0.1}, ScaleIn, 1},          // Min 1
		{Observation{At: at(171), Serving: 1, Utilization: 0.5}, Hold, 1},             // at the target
	}
	for i, st := range steps {
		d := a.Decide(st.o)
		if d.Action != st.action || d.Count != st.count {
			t.Fatalf("step %d at %v: %v to %d (%s), want %v to %d", i+1, st.o.At.Sub(t0), d.Action, d.Count, d.Reason, st.action, st.count)
		}
		if d.Reason == "" {
			t.Errorf("step %d: no reason", i+1)
		}
	}
}

func TestDecideEnforcesBoundsThroughCooldowns(t *testing.T) {
	a := New(Settings{Target: 0.5, Min: 3, Max: 5, ScaleOutCooldown: time.Hour, ScaleInCooldown: time.Hour})
	if d := a.Decide(Observation{At: at(0), Serving: 3, Utilization: 0.9}); d.Action != ScaleOut || d.Count != 5 {
		t.Fatalf("%+v", d)
	}
	// Someone removed servers by hand: back to Min at once.
	if d := a.Decide(Observation{At: at(1), Serving: 1, Utilization: 0.1}); d.Action != ScaleOut || d.Count != 3 {
		t.Fatalf("below Min in cooldown: %+v", d)
	}
	// Someone added servers by hand: down to Max at once.
	if d := a.Decide(Observation{At: at(2), Serving: 9, Utilization: 0.9}); d.Action != ScaleIn || d.Count != 5 {
		t.Fatalf("above Max in cooldown: %+v", d)
	}
}

// A retune keeps the time of the last action: the cooldown it started
// still holds, with the new length.
func TestRetunedKeepsTheCooldown(t *testing.T) {
	a := New(Settings{Target: 0.5, Min: 1, Max: 20, ScaleOutCooldown: 30 * time.Second, ScaleInCooldown: 30 * time.Second})
	if d := a.Decide(Observation{At: at(0), Serving: 3, Utilization: 0.9}); d.Action != ScaleOut {
		t.Fatalf("first decision %+v, want a scale-out", d)
	}
	b := a.Retuned(Settings{Target: 0.4, Min: 1, Max: 20, ScaleOutCooldown: 60 * time.Second, ScaleInCooldown: 60 * time.Second})
	if got := b.Settings().Target; got != 0.4 {
		t.Errorf("retuned target %v, want 0.4", got)
	}
	for _, tt := range []struct {
		s      int
		action Action
	}{
		{40, Hold},     // past the old 30 s, inside the new 60 s
		{61, ScaleOut}, // the new cooldown has passed since the scale-out at 0
	} {
		if d := b.Decide(Observation{At: at(tt.s), Serving: 6, Utilization: 0.9}); d.Action != tt.action {
			t.Errorf("at %ds: %+v, want action %v", tt.s, d, tt.action)
		}
	}
	// A fresh one has no history: it acts at once.
	if d := New(b.Settings()).Decide(Observation{At: at(40), Serving: 6, Utilization: 0.9}); d.Action != ScaleOut {
		t.Errorf("a new autoscaler held: %+v", d)
	}
}

func TestNewClamps(t *testing.T) {
	s := New(Settings{Target: math.NaN(), Min: -3, Max: 0}).Settings()
	if s.Target != 0.5 || s.Min != 1 || s.Max != 0 {
		t.Errorf("%+v", s)
	}
	if s := New(Settings{Target: 7, Min: 4, Max: 2}).Settings(); s.Target != 1 || s.Max != 4 {
		t.Errorf("%+v", s)
	}
	for _, a := range []Action{Hold, ScaleOut, ScaleIn, Action(9)} {
		if a.String() == "" {
			t.Error("empty action name")
		}
	}
}
