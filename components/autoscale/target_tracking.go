// Package autoscale decides how many servers a tier should have, by target
// tracking: keep a utilisation metric near a target by scaling the count in
// proportion to how far the metric is from it.
//
// The rule is AWS Application Auto Scaling's and EC2 Auto Scaling's target
// tracking (and the Kubernetes HorizontalPodAutoscaler's):
//
//	desired = ceil(current × utilisation / target)
//
// clamped to [Min, Max]. Two cooldowns keep it from acting on its own echo:
// after a scale-out it does not scale out again for ScaleOutCooldown (the
// servers it added have not taken load yet, so the metric still looks
// high), and after any scaling it does not scale in for ScaleInCooldown
// (scaling in too eagerly is how a fleet flaps). New servers that are
// still warming up count as capacity already ordered, and not in the
// utilisation, as AWS's instance warmup does.
//
// The Autoscaler is a pure state machine: inputs are observations (Decide),
// the output is a Decision; it keeps only the times it last scaled, reads
// no clock and takes no locks.
package autoscale

import (
	"fmt"
	"math"
	"time"
)

// Settings configure an Autoscaler.
type Settings struct {
	// Target is the utilisation to hold, in (0, 1].
	Target float64
	// Min and Max bound the count. Defaults: Min 1; Max (≤ 0) no bound.
	Min, Max int
	// ScaleOutCooldown is the least time between a scale-out and the next
	// scale-out. ScaleInCooldown is the least time after any scaling before
	// a scale-in. Zero: none.
	ScaleOutCooldown, ScaleInCooldown time.Duration
}

// Action is what a Decision does.
type Action int

// The actions.
const (
	Hold     Action = iota // keep the count
	ScaleOut               // add servers
	ScaleIn                // remove servers
)

// String returns "hold", "scale-out" or "scale-in".
func (a Action) String() string {
	switch a {
	case Hold:
		return "hold"
	case ScaleOut:
		return "scale-out"
	case ScaleIn:
		return "scale-in"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Observation is the tier as the autoscaler sees it at one moment.
type Observation struct {
	At          time.Time
	Serving     int     // servers taking traffic
	Warming     int     // servers added and not yet taking traffic
	Utilization float64 // mean utilisation of the serving servers, 0..1
}

// Decision is what Decide concluded.
type Decision struct {
	Action  Action
	Desired int    // the formula's count, clamped to [Min, Max]
	Count   int    // the count to have now: Desired, unless a cooldown holds it
	Reason  string // why, for events
}

// Autoscaler is target tracking with cooldowns. The zero value is not
// usable; make one with New.
type Autoscaler struct {
	s                Settings
	lastOut, lastAny time.Time // zero: never
}

// New makes an autoscaler. Target is clamped into (0, 1]; Min to at least
// 1; a Max below Min is Min.
func New(s Settings) *Autoscaler {
	if !(s.Target > 0) {
		s.Target = 0.5
	}
	s.Target = math.Min(s.Target, 1)
	s.Min = max(s.Min, 1)
	if s.Max > 0 {
		s.Max = max(s.Max, s.Min)
	}
	return &Autoscaler{s: s}
}

// Retuned returns an autoscaler with settings s (clamped as New does)
// that remembers when a scaled last: changing the target or the bounds is
// not a scaling action, so a cooldown in progress still holds, measured
// with the new cooldown from the same last action.
func (a *Autoscaler) Retuned(s Settings) *Autoscaler {
	n := New(s)
	n.lastOut, n.lastAny = a.lastOut, a.lastAny
	return n
}

// Settings returns the autoscaler's settings, as clamped.
func (a *Autoscaler) Settings() Settings { return a.s }

// Desired is the target-tracking count: ceil(serving × utilisation /
// target), clamped to [Min, Max]. With nothing serving it is Min.
func (a *Autoscaler) Desired(serving int, utilization float64) int {
	d := a.s.Min
	if serving > 0 && utilization > 0 && !math.IsNaN(utilization) {
		// A hair under the exact quotient is not a server more: 3 × 0.5 / 0.5
		// is 3, whatever the float rounding says.
		d = int(math.Ceil(float64(serving)*utilization/a.s.Target - 1e-9))
	}
	d = max(d, a.s.Min)
	if a.s.Max > 0 {
		d = min(d, a.s.Max)
	}
	return d
}

// Decide looks at the tier and says what to do. The current count is
// serving + warming. It scales out when Desired is above it and the
// scale-out cooldown has passed; in when Desired is below it and the
// scale-in cooldown has passed since any scaling. A count outside
// [Min, Max] is brought inside at once, cooldowns or not. Decide records
// the time of what it decides, so call it once per observation and act on
// the answer.
func (a *Autoscaler) Decide(o Observation) Decision {
	cur := o.Serving + o.Warming
	d := Decision{Desired: a.Desired(o.Serving, o.Utilization), Count: cur}
	outOfBounds := cur < a.s.Min || (a.s.Max > 0 && cur > a.s.Max)
	switch {
	case d.Desired > cur && (outOfBounds || a.lastOut.IsZero() || o.At.Sub(a.lastOut) >= a.s.ScaleOutCooldown):
		d.Action, d.Count = ScaleOut, d.Desired
		d.Reason = fmt.Sprintf("utilisation %.0f%% of %d serving, target %.0f%%: ceil(%d × %.2f / %.2f) = %d", o.Utilization*100, o.Serving, a.s.Target*100, o.Serving, o.Utilization, a.s.Target, d.Desired)
		a.lastOut, a.lastAny = o.At, o.At
	case d.Desired > cur:
		d.Reason = fmt.Sprintf("wants %d, in scale-out cooldown for %s", d.Desired, a.lastOut.Add(a.s.ScaleOutCooldown).Sub(o.At).Round(time.Millisecond))
	case d.Desired < cur && (outOfBounds || a.lastAny.IsZero() || o.At.Sub(a.lastAny) >= a.s.ScaleInCooldown):
		d.Action, d.Count = ScaleIn, d.Desired
		d.Reason = fmt.Sprintf("utilisation %.0f%% of %d serving, target %.0f%%: ceil(%d × %.2f / %.2f) = %d", o.Utilization*100, o.Serving, a.s.Target*100, o.Serving, o.Utilization, a.s.Target, d.Desired)
		a.lastAny = o.At
	case d.Desired < cur:
		d.Reason = fmt.Sprintf("wants %d, in scale-in cooldown for %s", d.Desired, a.lastAny.Add(a.s.ScaleInCooldown).Sub(o.At).Round(time.Millisecond))
	default:
		d.Reason = "at the target"
	}
	return d
}
