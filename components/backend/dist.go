package backend

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Kind names a service-time distribution.
type Kind int

// The distributions a backend can draw service times from.
const (
	// Const is a fixed service time: every request takes exactly A. The "D"
	// (deterministic) of Kendall's notation, M/D/c.
	Const Kind = iota
	// Uniform draws evenly between A and B inclusive.
	Uniform
	// Exp draws from the exponential distribution with mean A: most requests
	// are quick, a few are very slow. The "M" (memoryless) of M/M/c, the
	// model with closed-form answers.
	Exp
)

// String returns "const", "uniform" or "exp".
func (k Kind) String() string {
	switch k {
	case Const:
		return "const"
	case Uniform:
		return "uniform"
	case Exp:
		return "exp"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// MaxDuration bounds every duration in a Dist (and the injected slowness):
// longer than any lesson needs, short enough that no arithmetic overflows.
const MaxDuration = time.Hour

// Dist is a service-time distribution. The zero value is const:0, a server
// that answers instantly. Const uses A; Uniform draws from A..B; Exp has
// mean A. Values outside 0..MaxDuration (or B < A) are clamped when sampled.
type Dist struct {
	Kind Kind
	A, B time.Duration
}

// ParseDist reads a distribution written as "const:5ms", "uniform:10ms-30ms"
// or "exp:20ms". A bare duration ("5ms", or "0") means const. Durations use
// Go syntax (ns, us, ms, s, m, h), must not be negative, and must not exceed
// MaxDuration. The result's String parses back to the same Dist.
func ParseDist(s string) (Dist, error) {
	s = strings.TrimSpace(s)
	name, arg, ok := strings.Cut(s, ":")
	if !ok {
		name, arg = "const", s
	}
	var d Dist
	var err error
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "const":
		d.Kind = Const
		d.A, err = parseDur(arg)
	case "uniform":
		d.Kind = Uniform
		lo, hi, found := strings.Cut(arg, "-")
		if !found {
			err = errors.New("uniform needs a range low-high")
			break
		}
		if d.A, err = parseDur(lo); err != nil {
			break
		}
		if d.B, err = parseDur(hi); err != nil {
			break
		}
		if d.B < d.A {
			err = fmt.Errorf("uniform range %v-%v runs backwards", d.A, d.B)
		}
	case "exp":
		d.Kind = Exp
		d.A, err = parseDur(arg)
	default:
		err = fmt.Errorf("unknown distribution %q", name)
	}
	if err != nil {
		return Dist{}, fmt.Errorf("service time %q: %w (accepted: const:5ms, uniform:10ms-30ms, exp:20ms, or a bare duration)", s, err)
	}
	return d, nil
}

func parseDur(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration", s)
	case d < 0:
		return 0, fmt.Errorf("%v is negative", d)
	case d > MaxDuration:
		return 0, fmt.Errorf("%v is longer than %v", d, MaxDuration)
	}
	return d, nil
}

// String writes d in the form ParseDist reads: "const:5ms",
// "uniform:10ms-30ms", "exp:20ms".
func (d Dist) String() string {
	switch d.Kind {
	case Const:
		return "const:" + d.A.String()
	case Uniform:
		return "uniform:" + d.A.String() + "-" + d.B.String()
	case Exp:
		return "exp:" + d.A.String()
	}
	return d.Kind.String()
}

// Mean returns the expected service time: A for const and exp, the midpoint
// for uniform. Dividing it by the worker count gives the server's capacity
// (requests per second = workers / mean).
func (d Dist) Mean() time.Duration {
	d = d.clamped()
	if d.Kind == Uniform {
		return d.A + (d.B-d.A)/2
	}
	return d.A
}

// Sample draws one service time using r. Random draws (uniform and exp) have
// microsecond resolution whenever the distribution's own scale is at least
// a microsecond: finer than any lab shows, and whole microseconds sit on the
// lab clock's tick at every integer speed up to 20x. It costs a few
// nanoseconds and never allocates. An unknown Kind samples as const.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	d = d.clamped()
	switch d.Kind {
	case Uniform:
		span := d.B - d.A
		if span == 0 {
			return d.A
		}
		if d.A%time.Microsecond == 0 && d.B%time.Microsecond == 0 {
			return d.A + time.Microsecond*time.Duration(r.Int64N(int64(span/time.Microsecond)+1))
		}
		return d.A + time.Duration(r.Int64N(int64(span)+1))
	case Exp:
		x := time.Duration(r.ExpFloat64() * float64(d.A))
		if d.A >= time.Microsecond {
			x = x.Round(time.Microsecond)
		}
		return x
	}
	return d.A
}

// clamped returns d with A and B inside 0..MaxDuration and B >= A for uniform.
func (d Dist) clamped() Dist {
	d.A = clampDur(d.A)
	d.B = clampDur(d.B)
	if d.Kind == Uniform && d.B < d.A {
		d.B = d.A
	}
	return d
}

func clampDur(x time.Duration) time.Duration {
	return min(max(x, 0), MaxDuration)
}
